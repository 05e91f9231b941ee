"""The Typer application, shared options, and how errors and exit codes reach the user."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Annotated

import typer
from rich.console import Console
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
console = Console()
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
