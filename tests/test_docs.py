"""The docs are executed: the README's Python example runs and prints what it shows, and CI
runs exactly the README's test command."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _shown_output(block: str) -> list[str]:
    """The comment lines right after each ``print(...)`` line: what the example prints."""
    shown, after_print = [], False
    for line in block.splitlines():
        text = line.strip()
        if text.startswith("print("):
            after_print = True
        elif after_print and text.startswith("# "):
            shown.append(text[2:])
        else:
            after_print = False
    return shown


@pytest.mark.parametrize("index", range(len(_python_blocks(README))))
def test_readme_python_examples_print_what_they_show(index, tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    block = _python_blocks(README)[index]
    expected = _shown_output(block)
    assert expected, "each README example shows what it prints"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - our own documentation
    assert out.getvalue().splitlines() == expected


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^(python3\.11 -m venv .*)$", README, flags=re.M)
    assert len(commands) == 2, "README keeps two set-up commands: main job, tests"
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci
