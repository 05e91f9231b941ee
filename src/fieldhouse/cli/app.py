"""The Typer application, shared options, and how errors and exit codes reach the user."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text
from typer.core import TyperGroup

from .._version import __version__
from ..errors import (
    ArchiveError,
    ConfigError,
    FetchError,
    FieldhouseError,
    IdentifierError,
    MappingError,
)
from ..settings import Settings, get_settings
from ..urls import redact

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


# Errors in what the user gave (arguments, files, mappings, URLs, settings): exit 2.  An
# ArchiveMissError is a FetchError raised while a run fetches: a failure at run time.
USAGE_ERRORS = (ConfigError, MappingError, IdentifierError, ArchiveError)


def exit_code_for(exc: FieldhouseError) -> int:
    """The exit code table of docs/runs.md for an error that ends a command."""
    if isinstance(exc, USAGE_ERRORS) and not isinstance(exc, FetchError):
        return EXIT_USAGE
    return EXIT_FAILED


def _flags_take_no_value() -> None:
    """Typer shows every option's type in ``--help``, flags included (``--json <bool>``,
    ``--help <bool>``): a flag takes no value, so show none."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "_fieldhouse", False):
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag else shown(self, ctx)

    display_type_rich._fieldhouse = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich


_flags_take_no_value()


class _Commands(TyperGroup):
    """Every command: an error a user can cause is one sentence on stderr, not a traceback
    (the same under ``CliRunner`` as from the console script)."""

    def invoke(self, ctx):
        from ..runs import interrupt

        try:
            with interrupt.terminate_raises():
                return super().invoke(ctx)
        except FieldhouseError as exc:
            err_console.print(f"[bold red]error:[/] {redact(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(exit_code_for(exc)) from None
        except BrokenPipeError:  # the reader of our output went away (``| head -1``)
            _drop_stdout()
            raise typer.Exit(EXIT_OK) from None
        except KeyboardInterrupt as exc:  # Ctrl-C: 130, SIGTERM: 143 (a run records it first)
            err_console.print(f"[bold red]stopped:[/] {interrupt.reason(exc)}", highlight=False)
            raise typer.Exit(interrupt.exit_code(exc)) from None


app = typer.Typer(
    cls=_Commands,
    name="fieldhouse",
    help="Land sports data in a database: retry, overlap, backfill or kill any run safely.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class _Console(Console):
    """Rich on a terminal.  Piped or redirected: tables as plain aligned text and lines at
    full width (never wrapped at 80 columns); a reader that went away (``| head -1``) is
    not an error: the rest of the output is dropped and the command ends as it would."""

    def print(self, *objects, **kwargs) -> None:
        if not self.is_terminal:
            objects = tuple(plain_table(o) if isinstance(o, RichTable) else o for o in objects)
            kwargs["soft_wrap"] = True
        super().print(*objects, **kwargs)

    def on_broken_pipe(self) -> None:  # rich's own exits 1
        self.quiet = True
        _drop_stdout()


def _drop_stdout() -> None:
    """Point stdout at /dev/null (so the interpreter's last flush cannot fail either)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (e.g. under a test runner)
        pass
    finally:
        os.close(devnull)


def _cell_text(cell) -> str:
    """A cell's text without markup (as rich would show it), on one line."""
    from rich.errors import MarkupError

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


console = _Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $FIELDHOUSE_DATABASE_URL or sqlite:///fieldhouse.db).",
                 show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]


def settings_for(db: str | None) -> Settings:
    return get_settings(database_url=db)


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print one sentence to stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {redact(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def known_sources() -> list[str]:
    """The sources a ``--source`` may name: every source with registered replay handlers
    (the built-in ones and plug-ins)."""
    from ..sources.replay import load_handlers, registry

    load_handlers()
    return sorted({source for source, _ in registry.keys()})


def check_source(source: str | None, names: Iterable[str] | None = None) -> None:
    """Exit 2 for a ``--source`` not among ``names`` (default: :func:`known_sources`)."""
    names = sorted(names) if names is not None else known_sources()
    if source is not None and source not in names:
        raise fail(f"unknown source {source!r}: use one of {', '.join(names)}", EXIT_USAGE)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        console.print(f"fieldhouse {__version__}")
        raise typer.Exit(EXIT_OK)
    _setup_logging()


def _setup_logging() -> None:
    """Console lines and the JSON-lines file (docs/runs.md).  Every ``FIELDHOUSE_*``
    variable is checked here, before any command runs (an invalid one: exit 2), except the
    database URL, which ``--db`` may replace: the command checks that one."""
    from ..runs.logs import setup_logging

    settings = get_settings(database_url="sqlite:///:memory:")
    setup_logging(settings.log_level, settings.log_file or None)


def main() -> None:
    """Entry point: user errors become one line and exit code 1 (2 for bad usage)."""
    try:
        app(standalone_mode=True)
    except FieldhouseError as exc:
        err_console.print(f"[bold red]error:[/] {redact(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exit_code_for(exc))
