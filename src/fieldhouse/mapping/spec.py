"""The parsed form of a mapping: targets, their columns, row sources and keys.

Built only by :func:`fieldhouse.mapping.load_mapping` (or :func:`parse_mapping`), which
checks everything; code that applies a mapping can trust these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..table import Table
from ..types import ColumnType
from .expressions import Expression
from .paths import Path


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its type, whether it may be null, and exactly one source."""

    name: str
    type: ColumnType
    nullable: bool = True
    path: Path | None = None
    expr: Expression | None = None
    value: Any = None
    has_value: bool = False
    line: int = 0

    @property
    def source_text(self) -> str:
        if self.path is not None:
            return f"path {self.path.text!r}"
        if self.expr is not None:
            return f"expr {self.expr.text!r}"
        if self.has_value:
            return f"value {self.value!r}"
        return "the store (written_at)"


@dataclass(frozen=True)
class RowLevel:
    """One level of a row source: ``each`` (an array or object) or ``result_set`` (a table
    of ``headers`` and ``rowSet``), optionally grouping its elements by a key."""

    kind: str  # "each" | "result_set"
    path: Path | None = None  # each: what to iterate; result_set: where the sets are (None: default)
    name: str | int | None = None  # result_set: its name or position
    line: int = 0
    group_by: Path | None = None  # elements with the same value here form a group (paths @ and &)

    def describe(self) -> str:
        if self.kind == "each":
            return f"each {self.path.text if self.path else '.'}"
        return f"result_set {self.name!r}"


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    target: str
    ref_columns: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class SnapshotSpec:
    """A target whose rows arrive as whole snapshots of a parent (see docs/mappings.md):
    each record names one parent, by the values of ``parent`` (parent-key column -> a path
    or expression read on the record), at ``version`` (None: the load's capture time)."""

    parent: tuple[tuple[str, Path | Expression], ...]
    version: Path | Expression | None = None
    line: int = 0

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.parent)


@dataclass
class Target:
    """One target table and how its rows are made."""

    name: str
    table: Table
    columns: dict[str, ColumnSpec]
    rows: tuple[RowLevel, ...] = ()
    filter: Expression | None = None
    checks: tuple[Expression, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    order: tuple[str, ...] = ()  # the columns in evaluation order (written_at excluded)
    line: int = 0
    snapshot: SnapshotSpec | None = None
    # the compiled row builder (mapping.compiled), made on first use, and its source
    compiled: Any = field(default=None, repr=False, compare=False)
    compiled_source: str = field(default="", repr=False, compare=False)


@dataclass
class MappingSpec:
    """A whole mapping file: targets in load order (referenced targets first)."""

    targets: dict[str, Target]
    order: tuple[str, ...]
    file: str = "<mapping>"
    description: str | None = None
    uses_captured_at: bool = False

    def tables(self) -> list[Table]:
        return [self.targets[name].table for name in self.order]
