"""Bounded reads: what ``rows``, ``iter_rows``, ``count`` and ``max_value`` accept, checked
once for every store (the SQL itself is in the dialect modules).

``where`` maps a column to a condition:

* a value: equality, ``None`` matching NULL (``{"source": "demo"}``, ``{"note": None}``);
* a pair ``(op, operand)`` with ``op`` one of ``=  !=  <  <=  >  >=`` (``!=`` is NULL-safe:
  a NULL differs from every value), ``in`` / ``not in`` (a collection of values; ``None``
  in it matches NULL), or ``startswith`` (text columns: the value begins with the operand);
* a list of such pairs, all of which must hold (``{"captured_at": [(">=", a), ("<", b)]}``).

Operands are cast by the column's type (so ``"2024-01-01"`` works for a timestamptz
column) and bound as parameters; text is compared by code point on every store.

``order_by`` is a column name or a list of them, each optionally prefixed with ``-`` for
descending order; the primary key columns not named are appended, so the order is total
and the same on every store.  NULL sorts before every value (first ascending, last
descending).  ``json`` columns cannot be ordered or compared with ``<``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CastError, SchemaError, StoreError
from ..table import Table
from ..types import caster

OPS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "startswith")
_RANGE_OPS = ("<", "<=", ">", ">=")


@dataclass(frozen=True)
class Condition:
    """One checked condition: ``value`` is cast (a list of cast values for in / not in)."""

    column: str
    op: str
    value: Any


@dataclass(frozen=True)
class Select:
    """A checked read: the columns to return, the conditions (all must hold), the order
    as (column, descending) pairs, and the row limit."""

    columns: list[str]
    conditions: list[Condition]
    order: list[tuple[str, bool]]
    limit: int | None

    def params(self) -> list[tuple[str, Any]]:
        """(column, cast value) of each bound parameter, in placeholder order, for
        the dialect's ``where`` (see :func:`placeholders`)."""
        return [p for c in self.conditions for p in placeholders(c)]


def placeholders(cond: Condition) -> list[tuple[str, Any]]:
    """The parameters one condition binds: none for a comparison with NULL, the prefix
    length and the prefix for startswith, each non-NULL member for in / not in."""
    if cond.op in ("=", "!=") and cond.value is None:
        return []
    if cond.op in ("in", "not in"):
        return [(cond.column, v) for v in cond.value if v is not None]
    if cond.op == "startswith":
        return [("", len(cond.value)), (cond.column, cond.value)]
    return [(cond.column, cond.value)]


def _where(table: Table, where: Mapping[str, Any] | None) -> list[Condition]:
    if where is None:
        return []
    if not isinstance(where, Mapping):
        raise SchemaError(f"where for table {table.name} must be a mapping of column to condition")
    out = []
    for column, spec in where.items():
        _column(table, column, "where")
        if isinstance(spec, tuple):
            pairs = [spec]
        elif isinstance(spec, list) and spec and all(isinstance(p, tuple) for p in spec):
            pairs = spec
        else:
            pairs = [("=", spec)]
        for pair in pairs:
            out.append(_condition(table, column, pair))
    return out


def _condition(table: Table, column: str, pair: tuple[Any, ...]) -> Condition:
    where = f"where {column!r} of table {table.name}"
    if len(pair) != 2 or not isinstance(pair[0], str) or pair[0].lower() not in OPS:
        raise SchemaError(f"{where}: a condition is (op, value) with op one of {', '.join(OPS)}; got {pair!r}")
    op, operand = pair[0].lower(), pair[1]
    kind = table.columns[column].type.name
    cast = caster(table.columns[column].type)

    def value(v: Any) -> Any:
        if v is None:
            return None
        try:
            return cast(v)
        except CastError as exc:
            raise CastError(f"{where}: {exc}") from None

    if op in ("in", "not in"):
        if isinstance(operand, str | bytes) or not isinstance(operand, Iterable):
            raise SchemaError(f"{where}: {op} takes a collection of values, not {type(operand).__name__}")
        return Condition(column, op, [value(v) for v in operand])
    if op == "startswith":
        if kind != "text" or not isinstance(operand, str):
            raise SchemaError(f"{where}: startswith takes text, on a text column")
        return Condition(column, op, operand)
    if op in _RANGE_OPS:
        if operand is None:
            raise SchemaError(f"{where}: {op} cannot compare with NULL (use = None or != None)")
        if kind == "json":
            raise SchemaError(f"{where}: json values have no order")
    return Condition(column, op, value(operand))


def _column(table: Table, column: Any, what: str) -> str:
    if column not in table.columns:
        raise SchemaError(f"{what}: table {table.name} has no column {column!r}")
    return column


def _order(table: Table, order_by: str | Sequence[str] | None) -> list[tuple[str, bool]]:
    names = [order_by] if isinstance(order_by, str) else list(order_by or [])
    out: list[tuple[str, bool]] = []
    for item in names:
        if not isinstance(item, str) or not item:
            raise SchemaError(f"order_by for table {table.name}: {item!r} is not a column name")
        desc = item.startswith("-")
        column = _column(table, item[1:] if desc else item, "order_by")
        if table.columns[column].type.name == "json":
            raise SchemaError(f"order_by for table {table.name}: json column {column!r} has no order")
        out.append((column, desc))
    named = {c for c, _ in out}
    out += [(k, False) for k in table.primary_key if k not in named]
    return out


def build(
    table: Table,
    where: Mapping[str, Any] | None = None,
    columns: Sequence[str] | None = None,
    order_by: str | Sequence[str] | None = None,
    limit: int | None = None,
) -> Select:
    """Check a read of ``table``; raises SchemaError (or CastError for an operand) saying
    what is wrong."""
    if columns is None:
        chosen = table.column_names
    else:
        if isinstance(columns, str):
            columns = [columns]
        chosen = [_column(table, c, "columns") for c in columns]
        if not chosen:
            raise SchemaError(f"columns for table {table.name}: name at least one column")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise SchemaError(f"limit for table {table.name} must be a whole number >= 0, not {limit!r}")
    return Select(chosen, _where(table, where), _order(table, order_by), limit)


class Reads:
    """The read methods of every store (mixed into :class:`~fieldhouse.stores.base.BaseStore`);
    the backend gives ``_decoder`` and ``_stream``, and ``sql``, ``adapt`` and ``conn``."""

    conn: Any
    sql: Any
    adapt: Mapping[str, Callable[[Any], Any]]
    url: Any
    in_transaction: bool

    def rows(
        self,
        table: Table,
        where: Mapping[str, Any] | None = None,
        columns: Sequence[str] | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The rows of ``table`` that meet ``where``, as dicts of Python values (only
        ``columns`` if given), in ``order_by`` order (default: the primary key), at most
        ``limit``.  For a large result use :meth:`iter_rows`."""
        sel = build(table, where, columns, order_by, limit)
        decode = self._decoder(table, sel.columns)
        try:
            records = self._fetch(table, sel)
        except Exception as exc:
            raise self._read_error(exc, table) from None
        return [decode(r) for r in records]

    def iter_rows(
        self,
        table: Table,
        where: Mapping[str, Any] | None = None,
        columns: Sequence[str] | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int | None = None,
        batch_size: int = 1000,
    ) -> Iterator[dict[str, Any]]:
        """Like :meth:`rows`, streamed: at most ``batch_size`` rows are held at a time (a
        server-side cursor on PostgreSQL).  The arguments are checked at once.

        Begun outside a transaction, the iteration reads one consistent snapshot and the
        loop may run transactions of its own (commit or roll back) as it goes; begun inside
        one, it must end before that transaction does."""
        sel = build(table, where, columns, order_by, limit)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise SchemaError(f"batch_size must be a whole number >= 1, not {batch_size!r}")
        return self._iterate(table, sel, batch_size)

    def _iterate(self, table: Table, sel: Select, batch_size: int) -> Iterator[dict[str, Any]]:
        decode = self._decoder(table, sel.columns)
        records = self._stream(table, sel, batch_size)
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except Exception as exc:
                raise self._read_error(exc, table) from None
            yield decode(record)

    def count(self, table: Table, where: Mapping[str, Any] | None = None) -> int:
        """The number of rows of ``table`` that meet ``where``."""
        sel = build(table, where)
        try:
            return int(self._scalar(table, "count", sel))
        except Exception as exc:
            raise self._read_error(exc, table) from None

    def max_value(self, table: Table, column: str, where: Mapping[str, Any] | None = None) -> Any:
        """The greatest value of ``column`` among the rows that meet ``where`` (None when
        there is none), as a Python value."""
        sel = build(table, where, [column])
        try:
            value = self._scalar(table, "max", sel)
        except Exception as exc:
            raise self._read_error(exc, table) from None
        return None if value is None else self._decoder(table, [column])((value,))[column]

    def _read_error(self, exc: BaseException, table: Table) -> StoreError:
        if isinstance(exc, StoreError):
            return exc
        text = self.url.scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        return StoreError(f"reading table {table} failed: {text}")

    @abstractmethod
    def _decoder(self, table: Table, columns: list[str]) -> Callable[[Sequence[Any]], dict[str, Any]]:
        """A function turning one database record of ``columns`` into a dict of Python values."""

    def _bind(self, table: Table, sel: Select) -> list[Any]:
        """The parameters of ``sel``, as the driver binds them."""
        params = []
        for column, value in sel.params():
            adapt = self.adapt.get(table.columns[column].type.name) if column else None
            params.append(adapt(value) if adapt is not None else value)
        if sel.limit is not None:
            params.append(sel.limit)
        return params

    def _fetch(self, table: Table, sel: Select) -> Iterable[Sequence[Any]]:
        return self.conn.execute(self.sql.select(table, sel), self._bind(table, sel)).fetchall()

    @abstractmethod
    def _stream(self, table: Table, sel: Select, batch_size: int) -> Iterator[Sequence[Any]]: ...

    def _scalar(self, table: Table, what: str, sel: Select) -> Any:
        """``count`` (of rows) or ``max`` (of ``sel.columns[0]``) over the rows meeting ``sel``."""
        if what == "count":
            query = self.sql.count_rows(table, sel.conditions)
        else:
            query = self.sql.max_value(table, sel.columns[0], sel.conditions)
        return self.conn.execute(query, self._bind(table, sel)).fetchone()[0]

