"""The Typer application, shared options, and how errors and exit codes reach the user.

Command modules import only Typer at import time; what a command needs (settings, stores,
sources, the query layer) is imported when it runs, so ``fieldhouse --help`` stays fast.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from ..errors import ConfigError, FieldhouseError

if TYPE_CHECKING:
    from rich.console import Console

    from ..settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def exit_code_for(exc: FieldhouseError) -> int:
    return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED


@cache
def console() -> Console:
    from rich.console import Console

    return Console()


@cache
def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def print_error(message: str) -> None:
    """One sentence on stderr, passwords removed: how every error reaches the user."""
    from ..urls import redact

    err_console().print(f"[bold red]error:[/] {redact(message)}", highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print one sentence to stderr and return the Exit to raise."""
    print_error(message)
    return typer.Exit(code)


class _Commands(TyperGroup):
    """Every command: an error a user can cause is one sentence on stderr, not a traceback
    (the same under ``CliRunner`` as from the console script)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except FieldhouseError as exc:
            raise fail(str(exc), exit_code_for(exc)) from None


app = typer.Typer(
    cls=_Commands,
    name="fieldhouse",
    help="Land sports data in a database: retry, overlap, backfill or kill any run safely.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $FIELDHOUSE_DATABASE_URL or sqlite:///fieldhouse.db).",
                 show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
SourceOption = Annotated[str | None, typer.Option(
    "--source", help="The source (default: the only one installed).", show_default=False)]
SourceFilter = Annotated[str | None, typer.Option("--source", help="Only this source.", show_default=False)]


def settings_for(db: str | None) -> Settings:
    from ..settings import get_settings

    return get_settings(database_url=db)


def check_source(name: str | None) -> None:
    """An unknown ``--source`` is bad usage, the same sentence for every command."""
    if name is not None:
        from ..sources import registry

        registry.get(name)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        from .._version import __version__

        console().print(f"fieldhouse {__version__}")
        raise typer.Exit(EXIT_OK)
    _setup_logging()


def _setup_logging() -> None:
    """Console lines and the JSON-lines file (docs/runs.md); never stops a command."""
    import os

    from ..runs.logs import setup_logging
    from ..settings import get_settings

    try:
        settings = get_settings()
        level, file = settings.log_level, settings.log_file
    except Exception:  # e.g. a malformed database URL: the command will say so
        level = os.environ.get("FIELDHOUSE_LOG_LEVEL", "INFO")
        file = os.environ.get("FIELDHOUSE_LOG_FILE", "logs/fieldhouse.log")
    setup_logging(level, file or None)


def main(args: Any = None) -> None:
    """Entry point: user errors become one line and exit code 1 (2 for bad usage)."""
    try:
        app(args=args, standalone_mode=True)
    except FieldhouseError as exc:
        print_error(str(exc))
        sys.exit(exit_code_for(exc))
