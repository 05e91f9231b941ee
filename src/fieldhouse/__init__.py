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
    CastError,
    ConfigError,
    FieldhouseError,
    IdentifierError,
    MappingError,
    SchemaError,
    StoreConnectionError,
    StoreError,
)
from .mapping import (
    LoadResult,
    Mapping,
    apply_mapping,
    load_mapping,
    load_records,
    register_function,
)
from .sources.files import load_file, read_records
from .stores import Rejected, Store, UpsertResult, connect
from .table import Column, Table
from .types import ColumnType, cast
from .urls import DatabaseURL, redact

__all__ = [
    "CastError",
    "Column",
    "ColumnType",
    "ConfigError",
    "DatabaseURL",
    "FieldhouseError",
    "IdentifierError",
    "LoadResult",
    "Mapping",
    "MappingError",
    "Rejected",
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
    "load_file",
    "load_mapping",
    "load_records",
    "read_records",
    "redact",
    "register_function",
]
