"""Comparing a table declaration with the table the database holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..errors import SchemaError
from ..table import HASH_COLUMN, Table
from ..types import ColumnType


def columns_to_add(
    table: Table,
    existing: Mapping[str, str],
    existing_key: list[str],
    type_sql: Callable[[ColumnType], str],
) -> list[str]:
    """The declared columns missing from the database table.

    Raises SchemaError, before anything is changed, when the table cannot take the
    declaration: a different primary key, a column whose type changed, a missing NOT NULL
    column, or a table that fieldhouse did not create.
    """
    where = f"table {table.name}"
    if HASH_COLUMN not in existing:
        raise SchemaError(
            f"{where} exists but was not created by fieldhouse (no {HASH_COLUMN} column); "
            "choose another table name or drop it"
        )
    if list(existing_key) != list(table.primary_key):
        raise SchemaError(
            f"{where}: the primary key is ({', '.join(existing_key)}) in the database but "
            f"({', '.join(table.primary_key)}) in the declaration; a key cannot change in "
            "place: load into a new table, or drop this one"
        )
    problems = []
    missing = []
    for name, column in table.columns.items():
        declared = type_sql(column.type)
        if name not in existing:
            if not column.nullable:
                problems.append(f"new column {name} must be nullable to be added to an existing table")
            missing.append(name)
        elif existing[name].lower() != declared.lower():
            problems.append(f"column {name} is {existing[name]} in the database but {column.type} ({declared}) in the declaration")
    if problems:
        raise SchemaError(f"{where} cannot be changed in place: " + "; ".join(problems) + "; nothing was changed")
    return missing
