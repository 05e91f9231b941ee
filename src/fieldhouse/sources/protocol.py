"""The Source protocol: what a source implements, once, to be a fieldhouse source.

A source is an object with a ``name`` and the members of :class:`Source`; it registers
itself in the ``fieldhouse.sources`` entry-point group (see :mod:`.registry`)::

    [project.entry-points."fieldhouse.sources"]
    example = "example_source:source"

Everything else (the CLI commands ``sync``, ``backfill``, ``replay``, ``audit``, ``doctor``,
``deadletters``, ``status``, and the Python API ``fieldhouse.sync(...)``) finds the source
through the registry and drives it through these members.  :class:`BaseSource` gives every
member a default, so a small source writes only what it has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ConfigError
from ..settings import Settings, SourceSettings
from ..stores import Store
from ..table import Table
from .audits import Audit
from .units import Unit

if TYPE_CHECKING:
    from ..stores.roles import Stores
    from .replay import Handler
    from .watching import WatchPlan


class SourceOptions(BaseModel):
    """Base of a source's options for one command (``sync``, ``backfill``, ``retry``,
    ``audit``).  Each field is an option of that command on the command line (``--name``
    for a field ``name``, ``--season-type`` for ``season_type``; a bool is a flag) and a
    keyword of the Python API; a field whose ``json_schema_extra`` says ``{"cli": False}``
    is Python-only.  Field validators parse what users type (they may raise a
    :class:`~fieldhouse.errors.ConfigError` with a message of their own).
    """

    model_config = ConfigDict(extra="forbid")

    #: Fields a thin positional alias (``fieldhouse.sync_<name>(settings, a, b)``) fills in order.
    positional: ClassVar[tuple[str, ...]] = ()

    @property
    def offline(self) -> bool:
        """True when the run reads no API (e.g. it reads an archive): no API pre-flight."""
        return bool(getattr(self, "archive", None))

    def arguments(self) -> dict[str, Any]:
        """What the run ledger records as the run's arguments."""
        return self.model_dump(mode="json")


def flag(name: str) -> str:
    """The command-line spelling of an option field: ``season_type`` -> ``--season-type``."""
    return "--" + name.replace("_", "-")


def cli_fields(model: type[SourceOptions]) -> dict[str, Any]:
    """The fields of ``model`` that are command-line options, in declaration order."""
    return {name: info for name, info in model.model_fields.items()
            if not (isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("cli") is False)}


def no_such_option(source: Source, command: str, model: type[SourceOptions], written: str) -> ConfigError:
    """The one sentence for an option the source does not declare for ``command``."""
    known = ", ".join(flag(n) for n in cli_fields(model)) or "none"
    return ConfigError(f"`{command} {source.name}` has no option {written}: its options are {known}")


def options_for(source: Source, command: str, values: Mapping[str, Any],
                default: type[SourceOptions] | None = None) -> SourceOptions:
    """``values`` checked against the options ``source`` declares for ``command`` (or
    ``default`` when it declares none); every mistake is one sentence (a
    :class:`~fieldhouse.errors.ConfigError`: bad usage)."""
    model = source.options.get(command) or default
    if model is None:
        raise ConfigError(f"source {source.name!r} has no `{command}` command: it offers "
                          f"{', '.join(sorted(source.options)) or 'none'}")
    unknown = [name for name in values if name not in model.model_fields]
    if unknown:
        raise no_such_option(source, command, model, flag(unknown[0]))
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        if error["type"] == "missing":
            info = model.model_fields[name]
            text = (info.description or "").rstrip(".")
            hint = f" ({text[:1].lower()}{text[1:]})" if text else ""
            raise ConfigError(f"`{command} {source.name}` needs {flag(name)}{hint}") from None
        shown = f" {error['input']!r}" if not isinstance(error.get("input"), dict) else ""
        raise ConfigError(f"{flag(name) if name else command}{shown}: {error['msg']}") from None


@dataclass
class SourceContext:
    """One opened use of a source: the settings, the (checked) options, and the source's own
    ``client`` (whatever :meth:`Source.open` made, e.g. an API client over a live fetcher
    or an archive).  Closing the context closes the client."""

    source: str
    settings: Settings
    options: SourceOptions
    client: Any = None

    @property
    def http_calls(self) -> int:
        """HTTP requests the client sent so far (every attempt counts)."""
        return int(getattr(self.client, "http_calls", 0) or 0)

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> SourceContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Shown:
    """A small table for people (what ``fieldhouse demo`` prints after its run)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Demo:
    """A source's offline demo: a sync with ``options`` over the archive bundled with the
    source (``archive()`` yields its folder, given to the sync as the option named
    ``folder_option``), then ``explain(report)`` (what the run did, e.g. per unit) and
    ``summary(store)`` (what landed) to show."""

    title: str
    options: Mapping[str, Any]
    archive: Callable[[], AbstractContextManager[Path]]
    summary: Callable[[Store], Sequence[Shown]] = lambda store: ()
    folder_option: str = "archive"
    explain: Callable[[Any], Sequence[Shown]] = lambda report: ()
    #: Where it comes in ``fieldhouse demo`` (every source's demo, lowest first, then by name).
    order: int = 0


@runtime_checkable
class Source(Protocol):
    """What a source implements (see the module docstring)."""

    #: The source's name: its CLI name, its tables' schema, the first part of its unit keys.
    name: str
    #: Its settings, read from ``FIELDHOUSE_<NAME>__*`` (see :class:`SourceSettings`).
    settings_model: type[SourceSettings]
    #: Its options per command: ``"sync"``, and optionally ``"backfill"``, ``"retry"``
    #: (what ``deadletters retry`` passes: ``archive`` at most) and ``"audit"``.
    options: Mapping[str, type[SourceOptions]]

    def tables(self) -> Mapping[str, Table]:
        """Its tables by name (from its mappings), dimensions first."""

    def handlers(self) -> Mapping[str, Handler]:
        """Its replay handlers by endpoint (see :mod:`fieldhouse.sources.replay`)."""

    def validate(self, endpoint: str, data: Any) -> None:
        """Raise BadResponseError when a parsed body of ``endpoint`` is not acceptable data
        (the fetcher's check, and ``archive import``'s)."""

    def record_count(self, endpoint: str, data: Any) -> int | None:
        """How many records a parsed body of ``endpoint`` holds, for the shrink guard (a
        response far smaller than the previous capture of the same request is suspect,
        see :func:`fieldhouse.sources.raw.check_size`); None: not counted, never suspect."""

    def static_units(self) -> Sequence[Unit]:
        """Units whose data comes from no response (e.g. a static list shipped with the
        client): replay runs them too, so a database rebuilt from an archive holds every
        table a sync builds.  Their ``fetch()`` must not use the network."""

    def open(self, settings: Settings, options: SourceOptions) -> SourceContext:
        """Make the context of a run (its client, live or over ``options.archive``); no
        network call yet."""

    def plan(self, context: SourceContext, stores: Stores) -> Iterable[Unit]:
        """The units of the run the options describe, dimensions first; no network call
        (units fetch when they run)."""

    def unit_for_key(self, context: SourceContext, stores: Stores, key: str) -> Unit | None:
        """Rebuild a unit from its key (to retry a dead letter); None if it is not one."""

    def api_check(self, context: SourceContext) -> str | None:
        """The pre-flight: one tiny request to the API host; return what it answered, raise
        if it does not answer; None when the source has no API to check."""

    def audits(self, options: SourceOptions) -> Sequence[Audit]:
        """The audits of the data the options cover (after a sync, or ``fieldhouse audit``)."""


class BaseSource:
    """Defaults for every member of :class:`Source`: subclass and set ``name``, then write
    what the source has."""

    name: str = ""
    settings_model: type[SourceSettings] = SourceSettings
    options: Mapping[str, type[SourceOptions]] = {"sync": SourceOptions}
    demo: Demo | None = None

    def settings(self, settings: Settings) -> Any:
        """This source's settings within ``settings``."""
        return settings.for_source(self.name, self.settings_model)

    def tables(self) -> Mapping[str, Table]:
        return {}

    def handlers(self) -> Mapping[str, Handler]:
        return {}

    def validate(self, endpoint: str, data: Any) -> None:
        return None

    def record_count(self, endpoint: str, data: Any) -> int | None:
        return None

    def static_units(self) -> Sequence[Unit]:
        return ()

    def open(self, settings: Settings, options: SourceOptions) -> SourceContext:
        return SourceContext(self.name, settings, options)

    def plan(self, context: SourceContext, stores: Stores) -> Iterable[Unit]:
        return []

    def unit_for_key(self, context: SourceContext, stores: Stores, key: str) -> Unit | None:
        return None

    def api_check(self, context: SourceContext) -> str | None:
        return None

    def audits(self, options: SourceOptions) -> Sequence[Audit]:
        return []

    def watch_plan(self, context: SourceContext, stores: Stores) -> WatchPlan:
        """Optional (not part of :class:`Source`): what ``fieldhouse watch`` polls for the
        ``watch`` options of ``context`` (a day, some games); see
        :mod:`fieldhouse.sources.watching`.  By default the source cannot be watched."""
        raise ConfigError(f"source {self.name!r} cannot be watched: it has no live data to poll")

    def __repr__(self) -> str:
        return f"<source {self.name}>"


def with_archive(settings: Settings, options: SourceOptions) -> SourceOptions:
    """``options`` with ``archive`` taken from ``FIELDHOUSE_ARCHIVE_DIR`` when not given
    (for options that have one), the folder checked."""
    if "archive" not in type(options).model_fields:
        return options
    archive = getattr(options, "archive", None) or settings.archive_dir
    if archive:
        from .archive import check_archive_folder

        check_archive_folder(archive)
    return options.model_copy(update={"archive": archive})
