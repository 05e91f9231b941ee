"""The docs are executed: the README's Python example runs and prints what it shows, and CI
runs exactly the README's test command."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_python_example_prints_what_it_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    block = _python_blocks(README)[0]
    expected = [line.strip()[2:] for line in block.splitlines() if line.strip().startswith("# ") and
                not re.search(r"[a-z]{3}", line.strip()[2:])]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - our own documentation
    assert out.getvalue().split("\n")[:-1] == expected


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^(python3\.11 -m venv .*)$", README, flags=re.M)
    assert len(commands) == 2, "README keeps two set-up commands: main job, tests"
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci
