"""A source's own options on the command line.

``sync``, ``backfill`` and ``audit`` take the options the source declares for that command
(a pydantic model, see :class:`~fieldhouse.sources.protocol.SourceOptions`) besides their
shared ones: ``fieldhouse sync SOURCE --season 2025-26 --full``.  Click passes what it does
not know to :func:`source_values`, which reads it against the source's model (``--name
VALUE``, ``--name=VALUE``, a flag ``--name`` or ``--no-name``); the values then go through
the same validation as the Python API.  Anything else is one sentence and exit code 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..sources.protocol import Source

#: Click settings of a command that passes unknown options on to the source.
PASS_ON = {"allow_extra_args": True, "ignore_unknown_options": True}


def _model(source: Source, command: str):
    from ..sources.protocol import SourceOptions

    return source.options.get(command) or SourceOptions


def source_values(source: Source, command: str, args: list[str]) -> dict[str, Any]:
    """The option values ``args`` give for ``command`` of ``source`` (not yet validated)."""
    from ..sources.protocol import cli_fields, flag, no_such_option

    model = _model(source, command)
    fields = cli_fields(model)
    by_flag = {flag(name): name for name in fields}
    values: dict[str, Any] = {}
    rest = list(args)
    while rest:
        token = rest.pop(0)
        if not token.startswith("--"):
            raise ConfigError(f"`{command} {source.name}` takes no argument {token!r} here: "
                              "options are written --name VALUE")
        written, has_value, value = token.partition("=")
        name, negated = by_flag.get(written), False
        if name is None and written.startswith("--no-"):
            name = by_flag.get("--" + written[5:])
            negated = name is not None and fields[name].annotation is bool
            name = name if negated else None
        if name is None:
            raise no_such_option(source, command, model, written)
        if fields[name].annotation is bool:
            if has_value:
                raise ConfigError(f"{flag(name)} is a flag: write {flag(name)} alone (or --no-{flag(name)[2:]})")
            values[name] = not negated
            continue
        if not has_value:
            if not rest:
                raise ConfigError(f"{written} needs a value")
            value = rest.pop(0)
        values[name] = value
    return values


def source_name(given: str) -> str:
    """The SOURCE argument, checked that it is not an option written before it."""
    if given.startswith("-"):
        raise ConfigError(f"give the source first, then its options: e.g. `SOURCE {given} ...`")
    return given


def options_help(command: str) -> str:
    """Each installed source's options of ``command``, for the command's help."""
    from ..sources import registry
    from ..sources.protocol import cli_fields, flag

    parts = []
    for source in registry.resolve(None):
        model = source.options.get(command)
        if model is None:
            continue
        fields = cli_fields(model)
        lines = []
        for name, info in sorted(fields.items(), key=lambda item: not item[1].is_required()):
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            metavar = "" if info.annotation is bool else f" {extra.get('metavar', 'TEXT')}"
            required = " (required)" if info.is_required() else ""
            lines.append(f"{flag(name)}{metavar}: {info.description or ''}{required}")
        parts.append(f"[bold]Options of {source.name}:[/]\n\n" + "\n\n".join(lines))
    return "\n\n".join(parts)


class SourceCommand(TyperCommand):
    """A command whose help ends with each installed source's own options (loaded only
    when that help is shown)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if not getattr(self, "_sources_listed", False):
            listed = options_help(self.name or "")
            self.epilog = "\n\n".join(p for p in (self.epilog, listed) if p) or None
            self._sources_listed = True
        return super().format_help(ctx, formatter)
