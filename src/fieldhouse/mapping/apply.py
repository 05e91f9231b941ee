"""Applying a mapping to records: rows per target, and the rejects with their reasons.

For each record and target, every element of the row source becomes a row: columns are
read and cast in order (plain ones first, then computed ones), the filter decides whether
the row is wanted, then NOT NULL and the checks are tested.  A row that fails anywhere is
a :class:`~fieldhouse.stores.result.Rejected` (its target, reason, the raw element and where
it was); nothing is dropped or nulled silently.  Rows the filter leaves out are counted in
``filtered``.

A target with a ``snapshot`` also gets one :class:`Snapshot` per record (its parent and
version), even when the record gives none of its rows; a snapshot is complete or not at
all: when one of its rows is rejected, the record's other rows of that target are too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from ..errors import CastError, ConfigError
from ..stores.result import Rejected
from ..types import CastRow, caster
from .compiled import ColumnFailed, Columns, compile_columns
from .expressions import Env, EvalError, Expression
from .paths import Frame, Path
from .rowsources import elements
from .spec import ColumnSpec, MappingSpec, Target


class Record(NamedTuple):
    """One input record; ``origin`` says where it came from (e.g. ``payments.csv line 7``),
    ``problem`` is set when the reader could not read it properly (it is then rejected)."""

    data: Any
    origin: str | None = None
    problem: str | None = None


class Snapshot(NamedTuple):
    """One record's snapshot of a parent for a target: the parent-key values (cast to their
    columns' types) and its version (cast to the version column's type)."""

    parent: tuple[Any, ...]
    version: Any


@dataclass
class Applied:
    """What a mapping made of a batch of records: per target, its rows (cast, checked:
    :class:`~fieldhouse.types.CastRow`), its rejects, how many rows its filter left out,
    and for a target with a ``snapshot``, one :class:`Snapshot` per record that named its
    parent (in record order; ``spans`` gives the slice of ``rows`` each one holds)."""

    mapping: MappingSpec
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rejects: dict[str, list[Rejected]] = field(default_factory=dict)
    filtered: dict[str, int] = field(default_factory=dict)
    snapshots: dict[str, list[Snapshot]] = field(default_factory=dict)
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def all_rejects(self) -> list[Rejected]:
        return [r for name in self.mapping.order for r in self.rejects[name]]

    def extend(self, other: Applied) -> None:
        """Add what the mapping made of later records (``other``, of the same mapping)."""
        for name in self.mapping.order:
            offset = len(self.rows[name])
            self.rows[name].extend(other.rows[name])
            self.rejects[name].extend(other.rejects[name])
            self.filtered[name] += other.filtered[name]
            if name in self.snapshots:
                self.snapshots[name].extend(other.snapshots[name])
                self.spans[name].extend((a + offset, b + offset) for a, b in other.spans[name])

    @property
    def size(self) -> int:
        """Rows and rejects held."""
        return sum(len(self.rows[n]) + len(self.rejects[n]) for n in self.mapping.order)


def apply_mapping(mapping: MappingSpec, records: Iterable[Any], captured_at: datetime | None = None,
                  *, compiled: bool = True) -> Applied:
    """Turn ``records`` (raw values, or :class:`Record`) into rows per target plus rejects.
    ``compiled=False`` reads every column with the interpreter instead of the compiled
    builder (the same result, slower: what the differential tests compare against)."""
    if mapping.uses_captured_at and captured_at is None:
        raise ConfigError(f"{mapping.file} uses captured_at(): give the time the data was captured")
    applied = Applied(mapping, {n: [] for n in mapping.order}, {n: [] for n in mapping.order}, {n: 0 for n in mapping.order})
    for name in mapping.order:
        if mapping.targets[name].snapshot is not None:
            applied.snapshots[name], applied.spans[name] = [], []
    builders = {name: _RowBuilder(mapping.targets[name], captured_at, compiled) for name in mapping.order}
    for item in records:
        record = item if isinstance(item, Record) else Record(item)
        for name in mapping.order:
            target = mapping.targets[name]
            if record.problem is not None:
                applied.rejects[name].append(Rejected(target.table.name, record.data, record.problem, name, "", record.origin))
                continue
            builders[name].add(record, applied)
    return applied


class _RowBuilder:
    def __init__(self, target: Target, captured_at: datetime | None, compiled: bool = True) -> None:
        self.target = target
        self.captured_at = captured_at
        self.compiled = compiled
        self.build = compile_columns(target) if compiled else self._interpret
        self.casts = {c: caster(spec.type) for c, spec in target.columns.items()}
        self.required = [c for c in target.order if not target.table.columns[c].nullable]

    def add(self, record: Record, applied: Applied) -> None:
        target = self.target
        if target.snapshot is None:
            self._rows(record, applied, None)
            return
        rows, rejects = applied.rows[target.name], applied.rejects[target.name]
        try:
            snapshot = self._snapshot(record)
        except (CastError, EvalError) as exc:
            rejects.append(Rejected(target.table.name, record.data, f"snapshot: {exc}", target.name, "", record.origin))
            return
        start, rejected = len(rows), len(rejects)
        made = self._rows(record, applied, snapshot.parent)
        if len(rejects) > rejected:  # incomplete: none of it is written, nothing of it deleted
            why = (f"the snapshot of parent {snapshot.parent!r} is not written: {len(rejects) - rejected} "
                   f"of its rows were rejected")
            rejects.extend(Rejected(target.table.name, raw, why, target.name, location, record.origin)
                           for raw, location in made)
            del rows[start:]
            return
        applied.snapshots[target.name].append(snapshot)
        applied.spans[target.name].append((start, len(rows)))

    def _snapshot(self, record: Record) -> Snapshot:
        spec, table = self.target.snapshot, self.target.table
        assert spec is not None
        env = Env(_no_columns, (Frame(record.data),), self.captured_at)
        parent = []
        for column, source in spec.parent:
            value = _read(source, env)
            if value is None or value == "":
                raise CastError(f"parent {column!r} ({source}) is null")
            try:
                parent.append(self.casts[column](value))
            except CastError as exc:
                raise CastError(f"parent {column!r}: {exc}") from None
        version = self.captured_at if spec.version is None else _read(spec.version, env)
        if version is None or version == "":
            raise CastError(f"version ({spec.version}) is null")
        try:
            return Snapshot(tuple(parent), self.casts[table.version](version))
        except CastError as exc:
            raise CastError(f"version: {exc}") from None

    def _rows(self, record: Record, applied: Applied, parent: tuple[Any, ...] | None) -> list[tuple[Any, str]]:
        """Make the record's rows; with a snapshot ``parent``, also say where each row that
        was made came from (raw element, location)."""
        target = self.target
        parent_columns = target.snapshot.columns if target.snapshot is not None else ()
        made: list[tuple[Any, str]] = []
        rows, build, captured_at = applied.rows[target.name], self.build, self.captured_at
        # a filter that reads no column decides before the columns are made (the same outcome:
        # nothing it reads can fail, and a row it leaves out is never looked at)
        # (the interpreter keeps the plain order: the differential tests compare the two)
        early = self.compiled and target.filter is not None and not target.filter.names
        first = target.filter if early else None
        after = target.filter if first is None else None
        needs_env = after is not None or bool(target.checks)
        for element in elements(target.rows, record.data):
            if element.problem is not None:
                self._reject(applied, record, element, element.problem)
                continue
            if first is not None:
                try:
                    if _test(first, Env(_no_columns, element.frames, captured_at)) is not True:
                        applied.filtered[target.name] += 1
                        continue
                except EvalError as exc:
                    self._reject(applied, record, element, f"filter {first.text!r} failed: {exc}")
                    continue
            values, failures, env = build(element.frames, captured_at)
            if env is None and needs_env:
                env = Env(Columns(values, failures), element.frames, captured_at)
            try:
                if after is not None and _test(after, env) is not True:
                    applied.filtered[target.name] += 1
                    continue
            except ColumnFailed as exc:
                self._reject(applied, record, element, exc.reason)
                continue
            except EvalError as exc:
                self._reject(applied, record, element, f"filter {after.text!r} failed: {exc}")
                continue
            if failures:
                self._reject(applied, record, element, "; ".join(dict.fromkeys(failures.values())))
                continue
            for c in self.required:
                if values.get(c) is None:
                    spec = target.columns[c]
                    self._reject(applied, record, element, f"column {c!r} is null but may not be (from {spec.source_text})")
                    break
            else:
                reason = self._checks(env) if target.checks else None
                if reason:
                    self._reject(applied, record, element, reason)
                    continue
                if parent is not None:
                    own = tuple(values[c] for c in parent_columns)
                    if own != parent:
                        self._reject(applied, record, element,
                                     f"its parent {own!r} is not the parent {parent!r} of its record's snapshot")
                        continue
                    made.append((element.frames[-1].value, element.location))
                rows.append(values)
        return made

    def _reject(self, applied: Applied, record: Record, element: Any, reason: str) -> None:
        target = self.target
        applied.rejects[target.name].append(Rejected(
            target.table.name, element.frames[-1].value, reason, target.name, element.location, record.origin))

    def _interpret(self, frames: Any, captured_at: Any) -> tuple[CastRow, dict[str, str], Env]:
        """The columns of one row, read by walking each path and cast: the plain path the
        compiled builder (:mod:`.compiled`) is tested against."""
        target = self.target
        values = CastRow()  # cast and checked here, once: the store takes it as it is
        failures: dict[str, str] = {}
        env = Env(Columns(values, failures), frames, captured_at)
        for name in target.order:
            try:
                values[name] = self._value(target.columns[name], env)
            except ColumnFailed as exc:
                failures[name] = exc.reason
            except (CastError, EvalError) as exc:
                failures[name] = f"column {name!r}: {exc}"
        return values, failures, env

    def _value(self, spec: ColumnSpec, env: Env) -> Any:
        if spec.path is not None:
            value = spec.path.resolve(env.frames)
        elif spec.expr is not None:
            value = spec.expr.evaluate(env)
        else:
            value = spec.value
        if isinstance(value, str) and value == "" and spec.type.name != "text":
            value = None  # an empty field is a missing value for every type but text
        return None if value is None else self.casts[spec.name](value)

    def _checks(self, env: Env) -> str | None:
        for check in self.target.checks:
            try:
                if _test(check, env) is False:
                    return f"check failed: {check.text}"
            except ColumnFailed as exc:
                return exc.reason
            except EvalError as exc:
                return f"check {check.text!r} failed: {exc}"
        return None


def _no_columns(name: str) -> Any:
    raise EvalError(f"{name!r} is not something the record has")  # the loader refuses it


def _read(source: Path | Expression, env: Env) -> Any:
    return source.resolve(env.frames) if isinstance(source, Path) else source.evaluate(env)


def _test(expr: Expression, env: Env) -> Any:
    value = expr.evaluate(env)
    if value is not None and not isinstance(value, bool):
        raise EvalError(f"gave {value!r}, not true or false")
    return value
