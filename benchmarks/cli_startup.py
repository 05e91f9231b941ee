"""Startup of the command line (issue 13, goal 5): ``fieldhouse --help`` and the time from
starting ``fieldhouse demo`` to its first line of output, against ``python -c pass``
measured in the same run.  Run by hand, never by the tests.

    .venv/bin/python benchmarks/cli_startup.py [--runs 15] [--json out.json] [--importtime]

Each command runs ``--runs`` times in a fresh process, alternated with the baseline (the
way hyperfine does it, without needing hyperfine): the console script of the venv, so what
a user types.  ``demo`` gets a new SQLite file each time, and the clock stops at the first
byte it writes to stdout (rich prints the first line before the sync starts).  Reported:
median, min and max wall seconds, and the median over the baseline.  ``--importtime``
also prints the ten slowest imports of ``--help`` (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def wall(argv: list[str], env: dict[str, str], first_output: bool = False) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    if first_output:
        proc.stdout.read(1)
        took = time.perf_counter() - start
        proc.stdout.read()
        proc.wait()
        return took
    proc.stdout.read()
    proc.wait()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return time.perf_counter() - start


def importtime(env: dict[str, str]) -> list[tuple[int, str]]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "fieldhouse", "--help"],
                         capture_output=True, text=True, env=env, check=True).stderr
    rows = []
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json")
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    env.pop("FIELDHOUSE_DATABASE_URL", None)
    times: dict[str, list[float]] = {"python -c pass": [], "fieldhouse --help": [],
                                     "fieldhouse demo (first output)": [], "fieldhouse demo (whole)": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            times["python -c pass"].append(wall([sys.executable, "-c", "pass"], env))
            times["fieldhouse --help"].append(wall([str(BIN / "fieldhouse"), "--help"], env))
            db = f"sqlite:///{tmp}/demo{i}.db"
            start = time.perf_counter()
            times["fieldhouse demo (first output)"].append(
                wall([str(BIN / "fieldhouse"), "demo", "--db", db], env, first_output=True))
            times["fieldhouse demo (whole)"].append(time.perf_counter() - start)
    base = statistics.median(times["python -c pass"])
    print(f"{'command':34} {'median s':>9} {'min':>7} {'max':>7} {'- baseline':>11}")
    result = {}
    for name, values in times.items():
        med = statistics.median(values)
        result[name] = {"median": med, "min": min(values), "max": max(values), "over_baseline": med - base}
        print(f"{name:34} {med:9.3f} {min(values):7.3f} {max(values):7.3f} {med - base:11.3f}")
    if args.importtime:
        print("\nslowest imports of `fieldhouse --help` (cumulative us):")
        for us, name in importtime(env):
            print(f"{us:>9} {name}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
