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

from ..errors import (
    ArchiveError,
    ConfigError,
    FetchError,
    FieldhouseError,
    IdentifierError,
    MappingError,
)

if TYPE_CHECKING:
    from rich.console import Console

    from ..settings import Settings

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


@cache
def console() -> Console:
    """stdout: rich on a terminal, plain full-width text when piped (see :mod:`.console`)."""
    from .console import PipeAwareConsole

    return PipeAwareConsole()


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


def _help_without_markdown() -> None:
    """Import ``typer.rich_utils`` (help and error panels) without ``rich.markdown`` and the
    markdown-it parser it pulls in (a third of ``--help``'s time): fieldhouse's help is rich
    markup, never Markdown.  A stand-in ``rich.markdown`` is in ``sys.modules`` only while
    ``typer.rich_utils`` loads; its ``Markdown`` builds the real one if ever called."""
    if "typer.rich_utils" in sys.modules or "rich.markdown" in sys.modules:
        return
    import types

    class Markdown:  # the real rich.markdown.Markdown, imported when first made
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            import importlib

            return importlib.import_module("rich.markdown").Markdown(*args, **kwargs)

    stand_in = types.ModuleType("rich.markdown")
    stand_in.Markdown = Markdown  # type: ignore[attr-defined]
    sys.modules["rich.markdown"] = stand_in
    try:
        import typer.rich_utils  # noqa: F401
    finally:
        if sys.modules.get("rich.markdown") is stand_in:
            del sys.modules["rich.markdown"]


def _help_formats_without_markdown() -> None:
    """Help (of the group and of every command) loads ``typer.rich_utils`` the light way."""
    from typer.core import TyperCommand

    for cls in (TyperGroup, TyperCommand):
        shown = cls.format_help
        if getattr(shown, "_fieldhouse", False):
            continue

        def format_help(self, ctx, formatter, shown=shown):
            _help_without_markdown()
            return shown(self, ctx, formatter)

        format_help._fieldhouse = True  # type: ignore[attr-defined]
        cls.format_help = format_help


_help_formats_without_markdown()


class _Commands(TyperGroup):
    """Every command: an error a user can cause is one sentence on stderr, not a traceback
    (the same under ``CliRunner`` as from the console script)."""


    def invoke(self, ctx):
        from ..runs import interrupt

        try:
            with interrupt.terminate_raises():
                return super().invoke(ctx)
        except FieldhouseError as exc:
            raise fail(str(exc), exit_code_for(exc)) from None
        except BrokenPipeError:  # the reader of our output went away (``| head -1``)
            from .console import drop_stdout

            drop_stdout()
            raise typer.Exit(EXIT_OK) from None
        except KeyboardInterrupt as exc:  # Ctrl-C: 130, SIGTERM: 143 (a run records it first)
            err_console().print(f"[bold red]stopped:[/] {interrupt.reason(exc)}", highlight=False)
            raise typer.Exit(interrupt.exit_code(exc)) from None


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


#: Commands that set up logging themselves, after their first line of output (``demo``).
LOGS_LATER = frozenset({"demo"})


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        from .._version import __version__

        console().print(f"fieldhouse {__version__}")
        raise typer.Exit(EXIT_OK)
    if ctx.invoked_subcommand not in LOGS_LATER:
        setup_logging()


def setup_logging() -> None:
    """Console lines and the JSON-lines file (docs/runs.md).  Every ``FIELDHOUSE_*``
    variable is checked here, before any command runs (an invalid one: exit 2), except the
    database URL, which ``--db`` may replace: the command checks that one."""
    from ..runs.logs import setup_logging
    from ..settings import get_settings

    settings = get_settings(database_url="sqlite:///:memory:")
    setup_logging(settings.log_level, settings.log_file or None)


def main(args: Any = None) -> None:
    """Entry point: user errors become one line and exit code 1 (2 for bad usage)."""
    try:
        app(args=args, standalone_mode=True)
    except FieldhouseError as exc:
        print_error(str(exc))
        sys.exit(exit_code_for(exc))
