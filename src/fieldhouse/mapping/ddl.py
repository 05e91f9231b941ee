"""The DDL a mapping implies (``fieldhouse schema``), taken from the stores' own SQL modules
so it is exactly what a load would create."""

from __future__ import annotations

from ..errors import ConfigError
from .quarantine import QUARANTINE
from .spec import MappingSpec

DIALECTS = ("sqlite", "postgresql")


def schema_sql(mapping: MappingSpec, dialect: str = "sqlite", quarantine: bool = True) -> str:
    """``CREATE`` statements for every target in load order (and the quarantine table)."""
    if dialect not in DIALECTS:
        raise ConfigError(f"unknown dialect {dialect!r}: use sqlite or postgresql")
    if dialect == "sqlite":
        from ..stores import sqlite_sql as sql
    else:
        from ..stores import postgresql_sql as sql  # type: ignore[no-redef]
    tables = mapping.tables() + ([QUARANTINE] if quarantine else [])
    statements: list[str] = []
    for table in tables:
        if dialect == "postgresql" and table.schema:
            schema = sql.create_schema(table)
            if schema not in statements:
                statements.append(schema)
        statements.append(sql.create_table(table))
    return "".join(s + ";\n" for s in statements)
