"""The Python API of runs, which the command line mirrors: each command is one function
that takes a source by name (found in the registry) and its options as keywords::

    import fieldhouse
    settings = fieldhouse.Settings(database_url="sqlite:///x.db")
    report = fieldhouse.sync("example", settings, season="2024")     # fieldhouse sync example --season 2024
    report = fieldhouse.backfill("example", settings, seasons="2021..2024")
    report = fieldhouse.retry("example", settings)                    # fieldhouse deadletters retry
    audit = fieldhouse.audit("example", settings)                     # fieldhouse audit --source example
    checks = fieldhouse.doctor("example", settings)                   # fieldhouse doctor --source example

The options are the ones the source declares for that command (see
:class:`~fieldhouse.sources.protocol.SourceOptions`); a mistake is a ConfigError.  ``data``
and ``control`` give the data and control stores (a store or a URL; default: both are the
database of ``settings``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import ArchiveError, ConfigError, FieldhouseError
from ..settings import Settings, get_settings
from ..sources import registry
from ..sources.archive import check_archive_folder
from ..sources.protocol import Shown, Source, SourceOptions, options_for, with_archive
from ..sources.shrink import shrink_policy
from ..stores import Store, connect
from ..stores.roles import Stores
from ..urls import DatabaseURL
from . import ledger
from .audits import AuditRun, record_audit, run_audits
from .doctor import Check, DoctorReport, check_api, preflight
from .execute import execute_run
from .executors import ExecutorSpec, UnitJob, open_executor
from .report import RunReport
from .statuses import FAILED

StoreOrURL = Store | str | DatabaseURL | None


@contextmanager
def open_stores(settings: Settings, data: StoreOrURL = None, control: StoreOrURL = None) -> Iterator[Stores]:
    """The data and control stores of a command: the stores given, connected from URLs, or
    the database of ``settings``; those opened here are closed afterwards."""
    with ExitStack() as opened:
        def use(given: StoreOrURL, default: Any) -> Any:
            if given is None:
                given = default
            if isinstance(given, str | DatabaseURL):
                return opened.enter_context(connect(given))
            return given

        data_store = use(data, settings.database)
        stores = Stores.of(data_store, None if control is None else use(control, None))
        if stores.control is not data_store and control is None:
            opened.enter_context(stores.control)  # the data store's default control store
        ledger.upgrade(stores.control)  # a database of an older release: its new ledger columns
        yield stores


def run_source(source: Source, settings: Settings, command: str, options: SourceOptions, *,
               data: StoreOrURL = None, control: StoreOrURL = None, progress: Any = None,
               accept_shrink: bool = False, executor: Any = None) -> RunReport:
    """One recorded run of ``source`` with ``options`` (docs/runs.md); ``accept_shrink``
    applies the responses the shrink guard would hold back as suspect (docs/fetching.md);
    ``executor`` (``--executor``: local, dask, dask://host:port, spark, spark://...) runs the
    units on workers (docs/scale.md)."""
    spec = None if executor is None or not isinstance(executor, str) else ExecutorSpec.parse(executor)
    options = with_archive(settings, options)
    context = source.open(settings, options)
    arguments = {**context.options.arguments(), **({"accept_shrink": True} if accept_shrink else {}),
                 **({"executor": str(spec)} if spec is not None and spec.kind != "local" else {})}
    try:
        with open_stores(settings, data, control) as stores, \
                shrink_policy(settings.shrink_min_fraction, accept=accept_shrink), \
                ExitStack() as engine:
            running = executor if spec is None else engine.enter_context(open_executor(spec))
            job_for = None
            if running is not None and running.distributed:
                job_for = _jobs(source, settings, command, context.options, stores, accept_shrink, running)
            return execute_run(
                stores.data, control=stores.control, source=source.name, command=command,
                arguments=arguments,
                units=lambda: list(source.plan(context, stores)),
                unit_for_key=lambda key: source.unit_for_key(context, stores, key),
                http_calls=lambda: context.http_calls,
                api_check=None if context.options.offline else (lambda: source.api_check(context)),
                audits=None if command == "retry" else list(source.audits(context.options)),
                settings=settings, progress=progress, executor=running, job_for=job_for,
            )
    finally:
        context.close()


def _jobs(source: Source, settings: Settings, command: str, options: SourceOptions, stores: Stores,
          accept_shrink: bool, executor: Any) -> Callable[[str], UnitJob]:
    """The job factory of a distributed run.  The source's tables (and the raw zone) are
    created here first, so that workers never race to create them."""
    from ..sources.raw import RAW_TABLE

    for table in source.tables().values():
        stores.data.ensure_table(table)
    stores.control.ensure_table(RAW_TABLE)
    data_url = stores.data.url
    control_url = None if stores.control is stores.data else stores.control.url
    run_id = f"{source.name}-{id(stores)}-{time.time_ns()}"

    def job(key: str) -> UnitJob:
        return UnitJob(run_id, source.name, command, key, settings, options, data_url, control_url,
                       accept_shrink=accept_shrink, rate_share=executor.workers)

    return job


def sync(source: str, settings: Settings | None = None, *, command: str = "sync", progress: Any = None,
         data: StoreOrURL = None, control: StoreOrURL = None, accept_shrink: bool = False,
         executor: Any = None, **options: Any) -> RunReport:
    """``fieldhouse sync SOURCE [options]``: bring the data the options describe up to date
    (``accept_shrink``: ``--accept-shrink``, apply suspect responses on purpose)."""
    found = registry.get(source)
    return run_source(found, settings or get_settings(), command, options_for(found, "sync", options),
                      data=data, control=control, progress=progress, accept_shrink=accept_shrink,
                      executor=executor)


def backfill(source: str, settings: Settings | None = None, *, progress: Any = None,
             data: StoreOrURL = None, control: StoreOrURL = None, accept_shrink: bool = False,
             executor: Any = None, **options: Any) -> RunReport:
    """``fieldhouse backfill SOURCE [options]``: several seasons (or the source's unit of
    history), each piece an isolated unit."""
    found = registry.get(source)
    return run_source(found, settings or get_settings(), "backfill", options_for(found, "backfill", options),
                      data=data, control=control, progress=progress, accept_shrink=accept_shrink,
                      executor=executor)


def retry(source: str, settings: Settings | None = None, *, archive: str | None = None, progress: Any = None,
          data: StoreOrURL = None, control: StoreOrURL = None) -> RunReport:
    """``fieldhouse deadletters retry``: a recorded run (command ``retry``) of just the open
    dead letters of ``source``."""
    found = registry.get(source)
    options = options_for(found, "retry", {"archive": archive} if archive else {}, default=SourceOptions)
    return run_source(found, settings or get_settings(), "retry", options, data=data, control=control,
                      progress=progress)


def audit(source: str, settings: Settings | None = None, *, data: StoreOrURL = None,
          control: StoreOrURL = None, **options: Any) -> AuditRun:
    """``fieldhouse audit --source SOURCE [options]``: the source's audits now, recorded in
    the ledger as a run with command ``audit``."""
    found = registry.get(source)
    scope = options_for(found, "audit", options, default=SourceOptions)
    settings = settings or get_settings()
    with open_stores(settings, data, control) as stores:
        report = run_audits(stores.data, found.audits(scope))
        run_id = record_audit(stores.control, found.name, scope.arguments(), report)
    return AuditRun(run_id, found.name, scope.arguments(), report)


def doctor(source: str | None = None, settings: Settings | None = None, *,
           archive: str | None = None) -> DoctorReport:
    """``fieldhouse doctor``: the pre-flight checks every run makes, alone: the database
    (reachable, writable, schema version) and the source's API host (tried twice, at most
    10 s of waiting; skipped when runs will read ``archive``)."""
    settings = settings or get_settings()
    if archive is not None:
        registry.only(source)
        try:
            check_archive_folder(archive)
        except ArchiveError as exc:
            return DoctorReport([Check("archive", FAILED, str(exc))])
    found = registry.only(source)
    api = None if archive else _quick_api_check(found, settings)
    why = "reading an archive: no API call needed"
    try:
        store = connect(settings.database)
    except FieldhouseError as exc:
        return DoctorReport([Check("database", FAILED, str(exc)), check_api(api, why)])
    with store:
        return preflight(store, api, api_skipped_because=why)


def _quick_api_check(source: Source, settings: Settings) -> Callable[[], str | None]:
    quick = settings.model_copy(update={"http_max_attempts": 2, "http_max_total_wait": 10.0})

    def check() -> str | None:
        options = options_for(source, "retry", {}, default=SourceOptions)
        with source.open(quick, options) as context:
            return source.api_check(context)

    return check


@dataclass
class DemoRun:
    """What ``fieldhouse demo`` did for one source: its run, and what it shows afterwards."""

    source: str
    title: str
    report: RunReport
    shown: list[Shown]


def demo(source: str, settings: Settings | None = None, *, progress: Any = None) -> DemoRun:
    """The source's offline demo: a sync over the archive bundled with it, then its summary."""
    found = registry.get(source)
    declared = getattr(found, "demo", None)
    if declared is None:
        raise ConfigError(f"source {source!r} has no demo")
    settings = settings or get_settings()
    with declared.archive() as folder:
        report = sync(source, settings, command="demo", progress=progress,
                      **{declared.folder_option: str(folder)}, **declared.options)
    with open_stores(settings) as stores:
        shown = [*declared.explain(report), *declared.summary(stores.data)]
    return DemoRun(source, declared.title, report, shown)


def bundled_archive(source: str):
    """The archive bundled with ``source`` for its demo: a context manager yielding its folder."""
    declared = getattr(registry.get(source), "demo", None)
    if declared is None:
        raise ConfigError(f"source {source!r} bundles no archive")
    return declared.archive()


_COMMANDS: dict[str, Callable[..., Any]] = {"sync": sync, "backfill": backfill, "retry": retry}


def alias(command: str, source: str) -> Callable[..., Any]:
    """``fieldhouse.<command>_<source>``: ``command`` for ``source``, whose positional
    arguments after ``settings`` fill the options the source lists in ``positional``
    (e.g. ``sync_nba(settings, seasons, season_types, archive=...)``)."""
    run = _COMMANDS[command]

    def call(settings: Settings | None = None, *args: Any, **options: Any) -> Any:
        model = registry.get(source).options.get(command)
        names = getattr(model, "positional", ())
        if len(args) > len(names):
            raise TypeError(f"{command}_{source}() takes {len(names)} positional option(s) after settings "
                            f"({', '.join(names) or 'none'}), {len(args)} given")
        options.update(zip(names, args, strict=False))
        return run(source, settings, **options)

    call.__name__ = call.__qualname__ = f"{command}_{source}"
    call.__doc__ = f"``fieldhouse.{command}({source!r}, settings, ...)``, with positional options."
    return call
