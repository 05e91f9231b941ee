"""fieldhouse: land sports data in a database with runs you can retry, overlap, backfill or
kill, without a duplicate row and without older data ever overwriting newer data.

The public surface::

    import fieldhouse
    table = fieldhouse.Table("scores", columns={...}, primary_key=["game_id"], version="captured_at")
    with fieldhouse.connect("sqlite:///x.db") as store:
        store.ensure_table(table)
        result = store.upsert(table, rows)
"""

from ._version import __version__
from .errors import (
    ArchiveError,
    ArchiveMissError,
    BadResponseError,
    CastError,
    CircuitOpenError,
    ConfigError,
    FetchError,
    FieldhouseError,
    IdentifierError,
    MappingError,
    SchemaError,
    StoreConnectionError,
    StoreError,
)
from .mapping import (
    LoadResult,
    apply_mapping,
    load_mapping,
    load_records,
    register_function,
)
from .mapping import MappingSpec as Mapping  # the public name of a loaded mapping
from .sources.archive import ArchiveFetcher, export_archive, import_archive
from .sources.files import load_file, read_records
from .sources.http import Fetcher, FetchPolicy, Response
from .sources.raw import RawResponse, land
from .sources.replay import ingest, replay
from .sources.replay import register as register_handler
from .stores import Rejected, Store, UpsertResult, connect
from .table import Column, Table
from .types import ColumnType, cast
from .urls import DatabaseURL, redact

_LAZY = {  # heavier imports (nba_api, the run ledger), loaded on first use
    "sync_nba": "fieldhouse.sources.nba.run",
    "retry_nba": "fieldhouse.sources.nba.run",
    "execute_run": "fieldhouse.runs",
    "RunReport": "fieldhouse.runs",
    "Settings": "fieldhouse.settings",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fieldhouse' has no attribute {name!r}")

__all__ = [
    "RunReport",
    "Settings",
    "execute_run",
    "retry_nba",
    "sync_nba",
    "ArchiveError",
    "ArchiveFetcher",
    "ArchiveMissError",
    "BadResponseError",
    "CastError",
    "CircuitOpenError",
    "Column",
    "ColumnType",
    "ConfigError",
    "DatabaseURL",
    "FetchError",
    "FetchPolicy",
    "Fetcher",
    "FieldhouseError",
    "IdentifierError",
    "LoadResult",
    "Mapping",
    "MappingError",
    "RawResponse",
    "Rejected",
    "Response",
    "SchemaError",
    "Store",
    "StoreConnectionError",
    "StoreError",
    "Table",
    "UpsertResult",
    "__version__",
    "apply_mapping",
    "cast",
    "connect",
    "export_archive",
    "import_archive",
    "ingest",
    "land",
    "load_file",
    "load_mapping",
    "load_records",
    "read_records",
    "redact",
    "register_function",
    "register_handler",
    "replay",
]
