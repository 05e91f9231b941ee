"""The consoles the commands print to: rich on a terminal; piped or redirected, tables as
plain aligned text at full width (never wrapped at 80 columns), and a reader that went away
(``| head -1``) is not an error (docs/cli.md)."""

from __future__ import annotations

import os
import sys

from rich.console import Console
from rich.errors import MarkupError
from rich.table import Table as RichTable
from rich.text import Text


class PipeAwareConsole(Console):
    """Rich on a terminal; plain text at full width otherwise (see the module docstring)."""

    def print(self, *objects, **kwargs) -> None:
        if not self.is_terminal:
            objects = tuple(plain_table(o) if isinstance(o, RichTable) else o for o in objects)
            kwargs["soft_wrap"] = True
        super().print(*objects, **kwargs)

    def on_broken_pipe(self) -> None:  # rich's own exits 1
        self.quiet = True
        drop_stdout()


def drop_stdout() -> None:
    """Point stdout at /dev/null (so the interpreter's last flush cannot fail either)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (e.g. under a test runner)
        pass
    finally:
        os.close(devnull)


def _cell_text(cell) -> str:
    """A cell's text without markup (as rich would show it), on one line."""
    try:
        text = cell.plain if isinstance(cell, Text) else Text.from_markup(str(cell)).plain
    except MarkupError:
        text = str(cell)
    return " ".join(text.split("\n"))


def plain_table(table: RichTable) -> Text:
    """A table as plain text: its title, then header and rows aligned in columns two spaces
    apart, as wide as their content."""
    columns = [[_cell_text(c.header), *(_cell_text(v) for v in c.cells)] for c in table.columns]
    widths = [max(map(len, col)) for col in columns]
    lines = [_cell_text(table.title)] if table.title else []
    for i in range(len(columns[0]) if columns else 0):
        parts = [col[i].rjust(w) if c.justify == "right" else col[i].ljust(w)
                 for col, w, c in zip(columns, widths, table.columns, strict=True)]
        lines.append("  ".join(parts).rstrip())
    return Text("\n".join(lines))
