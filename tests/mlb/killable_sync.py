"""``python tests/mlb/killable_sync.py PK,PK`` runs ``fieldhouse.sync("mlb", games=...)`` with the settings
of the environment, stopping where ``FH_PAUSE_AT`` / ``FH_PAUSE_UNIT`` say (see
tests/runs/killable.py, whose pause points it installs) for the SIGKILL tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runs"))
import killable  # noqa: E402,F401  (installs the pause point)

import fieldhouse  # noqa: E402
from fieldhouse.settings import Settings  # noqa: E402

if __name__ == "__main__":
    report = fieldhouse.sync("mlb", Settings(), games=[int(pk) for pk in sys.argv[1].split(",")])
    sys.exit(report.exit_code)
