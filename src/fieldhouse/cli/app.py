"""The Typer application, shared options, and how errors and exit codes reach the user."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from typer.core import TyperGroup

from .._version import __version__
from ..errors import ConfigError, FieldhouseError
from ..settings import Settings, get_settings
from ..urls import redact

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def exit_code_for(exc: FieldhouseError) -> int:
    return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED


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


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        console.print(f"fieldhouse {__version__}")
        raise typer.Exit(EXIT_OK)
    _setup_logging()


def _setup_logging() -> None:
    """Console lines and the JSON-lines file (docs/runs.md); never stops a command."""
    import os

    from ..runs.logs import setup_logging

    try:
        settings = get_settings()
        level, file = settings.log_level, settings.log_file
    except Exception:  # e.g. a malformed database URL: the command will say so
        level = os.environ.get("FIELDHOUSE_LOG_LEVEL", "INFO")
        file = os.environ.get("FIELDHOUSE_LOG_FILE", "logs/fieldhouse.log")
    setup_logging(level, file or None)


def main() -> None:
    """Entry point: user errors become one line and exit code 1 (2 for bad usage)."""
    try:
        app(standalone_mode=True)
    except FieldhouseError as exc:
        err_console.print(f"[bold red]error:[/] {redact(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exit_code_for(exc))
