"""Build the MLB folder bundled in the package (``fieldhouse demo mlb`` reads it offline,
through ``--from-files``).

It holds real recorded responses from ../shared/fixtures/mlb (see SOURCES.md), copied as
they were recorded (gzipped feeds, a pymlb envelope for the teams) under names that set the
order the demo reads them in: game 717209's Final capture *before* its older Live capture
(so the demo shows the older one changing nothing), the two real captures of 746139 newest
first, two other final games, and the 2024 teams.

    python scripts/build_mlb_demo_archive.py [FIXTURES_DIR]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "fieldhouse" / "data" / "mlb_demo_archive"

#: (name in the bundle, file under fixtures/mlb): read in this order.
FILES = (
    ("01_teams_2024.pymlb_envelope.json.gz", "teams/teams_season-2024_sportId-1.pymlb_envelope.json.gz"),
    ("02_feed_717209_final.json.gz", "liveGameV1/liveGameV1_717209_2023-07-29_Final_20230730_031531.json.gz"),
    ("03_feed_717209_live_older.json.gz", "liveGameV1/liveGameV1_717209_2023-07-29_Live_20230730_010847.json.gz"),
    ("04_feed_746139_live_newer.json.gz", "liveGameV1/liveGameV1_746139_2024-06-11_Live_20240612_042717.json.gz"),
    ("05_feed_746139_live_older.json.gz", "liveGameV1/liveGameV1_746139_2024-06-11_Live_20240612_041248.json.gz"),
    ("06_feed_744914_final.json.gz", "liveGameV1/liveGameV1_744914_2024-07-01_Final_20240701_214404.json.gz"),
    ("07_feed_745455_final.json.gz", "liveGameV1/liveGameV1_745455_2024-09-07_Final_20240907_201112.json.gz"),
)


def main(fixtures: Path) -> None:
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    for name, source in FILES:
        shutil.copyfile(fixtures / "mlb" / source, TARGET / name)
    size = sum(p.stat().st_size for p in TARGET.iterdir())
    print(f"{TARGET.relative_to(ROOT)}: {len(FILES)} files, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "fixtures")
