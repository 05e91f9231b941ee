"""Declarative mappings: records in, typed rows per target table out (see docs/mappings.md).

    mapping = load_mapping("payments.yaml")
    applied = apply_mapping(mapping, records, captured_at=now)
    with fieldhouse.connect(url) as store:
        result = load_records(store, mapping, records, captured_at=now)
"""

from __future__ import annotations

from ..stores.result import Rejected
from .apply import Applied, Record, Snapshot, apply_mapping
from .ddl import schema_sql
from .expressions import parse_expression
from .functions import register_function, unregister_function
from .load import load_records
from .loader import load_mapping, parse_mapping
from .paths import parse_path
from .quarantine import QUARANTINE
from .spec import ColumnSpec, ForeignKey, MappingSpec, RowLevel, SnapshotSpec, Target
from .write import LoadResult, write_applied

__all__ = [
    "QUARANTINE",
    "Applied",
    "ColumnSpec",
    "ForeignKey",
    "LoadResult",
    "MappingSpec",
    "Record",
    "Rejected",
    "RowLevel",
    "Snapshot",
    "SnapshotSpec",
    "Target",
    "apply_mapping",
    "load_mapping",
    "load_records",
    "parse_expression",
    "parse_mapping",
    "parse_path",
    "register_function",
    "schema_sql",
    "unregister_function",
    "write_applied",
]
