"""fieldhouse: land sports data in a database with runs you can retry, overlap, backfill or
kill, without a duplicate row and without older data ever overwriting newer data.

The public surface (everything in ``__all__``; other modules are internal)::

    import fieldhouse
    table = fieldhouse.Table("scores", columns={...}, primary_key=["game_id"], version="captured_at")
    with fieldhouse.connect("sqlite:///x.db") as store:
        store.ensure_table(table)
        result = store.upsert(table, rows)

    report = fieldhouse.sync(name, fieldhouse.Settings(), **options)   # fieldhouse sync NAME --options

Names load on first use, so ``import fieldhouse`` (and ``fieldhouse --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    # errors
    "ArchiveError": "errors", "ArchiveMissError": "errors", "BadResponseError": "errors",
    "CastError": "errors", "CircuitOpenError": "errors", "ConfigError": "errors", "FetchError": "errors",
    "FieldhouseError": "errors", "IdentifierError": "errors", "LockBusyError": "errors",
    "MappingError": "errors", "SchemaError": "errors", "StoreConnectionError": "errors",
    "StoreError": "errors",
    # tables, types, stores
    "Column": "table", "Table": "table", "ColumnType": "types", "cast": "types",
    "DatabaseURL": "urls", "redact": "urls",
    "Rejected": "stores", "Store": "stores", "UpsertResult": "stores", "connect": "stores",
    "Counts": "stores.counts",
    # settings
    "Settings": "settings", "SourceSettings": "settings", "DeprecatedSettingWarning": "settings",
    # mappings and files
    "LoadResult": "mapping", "apply_mapping": "mapping", "load_mapping": "mapping",
    "load_records": "mapping", "register_function": "mapping",
    "load_file": "sources.files", "read_records": "sources.files",
    # fetching, the raw zone, replay, archives
    "Fetcher": "sources.http", "FetchPolicy": "sources.http", "Response": "sources.http",
    "RawResponse": "sources.raw", "land": "sources.raw",
    "ingest": "sources.replay", "replay": "runs.executors.replay",
    "ArchiveFetcher": "sources.archive", "export_archive": "sources.archive",
    "import_archive": "sources.archive",
    # writing a source
    "AuditResult": "sources.audits", "verdict": "sources.audits",
    "BaseSource": "sources.protocol", "Demo": "sources.protocol", "Shown": "sources.protocol",
    "Source": "sources.protocol", "SourceContext": "sources.protocol", "SourceOptions": "sources.protocol",
    "Unit": "sources.units", "UnitResult": "sources.units",
    # runs
    "RunReport": "runs.report", "execute_run": "runs.execute",
    "audit": "runs.commands", "backfill": "runs.commands", "bundled_archive": "runs.commands",
    "demo": "runs.commands", "doctor": "runs.commands", "retry": "runs.commands", "sync": "runs.commands",
    "watch": "runs.watch",
}
_RENAMED = {"Mapping": ("mapping", "MappingSpec"), "register_handler": ("sources.replay", "register"), "get_source": ("sources.registry", "get"),
            "source_names": ("sources.registry", "names")}
# ``<command>_<source>(settings, *positional, **options)`` is ``<command>(source, settings, ...)``
# for any installed source; these two are kept from the previous release.
_ALIASES = ("retry_nba", "sync_nba")
_ALIAS_COMMANDS = ("sync", "backfill", "retry")

# Modules of the public surface: ``fieldhouse.query`` (what every face reads).
_MODULES = ("query",)

__all__ = sorted(["__version__", *_PUBLIC, *_RENAMED, *_ALIASES, *_MODULES])


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from ._version import __version__

        return __version__
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _PUBLIC:
        return getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    if name in _RENAMED:
        module, attr = _RENAMED[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    command, _, source = name.partition("_")
    if command in _ALIAS_COMMANDS and source:
        from .sources.registry import names

        if source in names():
            from .runs.commands import alias

            return alias(command, source)
    raise AttributeError(f"module 'fieldhouse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
