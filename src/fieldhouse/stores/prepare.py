"""Turning a batch of row dicts into the rows a store writes (shared by every backend).

Each row is checked and cast column by column; a row that does not fit is rejected with
its reason and the rest go on.  Every accepted row gets a content hash, and copies of one
key inside the batch are resolved by the same order the database uses:

    a row wins over another copy of its key when (version, rank) is greater,

where ``rank`` is the row's number of non-NULL content values (four digits) followed by a
128-bit BLAKE2 hash of its canonical content, the version left out (it is compared first).
Equal (version, rank) means identical rows; equal rank alone means the same values at
another version (a *refreshed* row when the newer version is written).  Because the order is total and depends only on content, any set of batches
applied in any order ends in the same table.  A NULL value is left out of the hash, so
adding a nullable column to a table does not change the rank of existing rows.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from hashlib import blake2b
from operator import itemgetter
from typing import Any

from ..errors import CastError
from ..table import Table
from ..types import CastRow, canonical, caster, json_text
from .result import Rejected, UpsertResult


@dataclass
class Prepared:
    """Cast, deduplicated rows in :func:`write_columns` order, plus what was set aside."""

    table: Table
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rejects: list[Rejected] = field(default_factory=list)
    superseded_stale: int = 0  # lost to a newer copy of the key within the batch
    superseded_same: int = 0  # an identical copy of the key was already in the batch

    def result(self) -> UpsertResult:
        return UpsertResult(
            self.table.name,
            stale=self.superseded_stale,
            unchanged=self.superseded_same,
            rejects=list(self.rejects),
        )


def write_columns(table: Table) -> list[str]:
    """The columns a batch carries, in order: content columns, then the hash."""
    return table.content_columns


def prepare(
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    adapt: Mapping[str, Callable[[Any], Any]] | None = None,
    *,
    unique: bool = False,
) -> Prepared:
    """Check, cast, hash and deduplicate ``rows`` for ``table``.

    ``adapt`` maps a type name to a function turning a cast value into what the driver
    binds (e.g. dates to ISO text for SQLite); it is applied after hashing.  ``unique``:
    the caller knows that no two rows have the same key, so there is nothing to resolve
    (the result is the same, without the bookkeeping).

    Each row goes first through a converter generated for the table (see
    :func:`_fast_converter`), which handles rows whose values already have their
    canonical Python type; any other row takes the general path, which gives the same
    result for every row the fast one accepts, and the reason for a row it rejects.
    """
    columns = table.content_columns
    known = frozenset(table.columns)
    specs = [table.columns[c] for c in columns]
    casters = [caster(s.type) for s in specs]
    canon = [json_text if s.type.name == "json" else canonical for s in specs]
    required = [not s.nullable for s in specs]
    adapters = [(adapt or {}).get(s.type.name) for s in specs]
    key_idx = [columns.index(c) for c in table.primary_key]
    version_idx = columns.index(table.version)
    key_set = set(table.primary_key)
    prep = Prepared(table)
    best: dict[tuple[Any, ...], tuple[Any, str, tuple[Any, ...]]] = {}
    accepted: list[tuple[Any, ...]] = []  # with unique: the rows, in input order
    keep = accepted.append
    name = table.name
    fast = _fast_converter(table)
    typed = None  # the converter of CastRow rows, made when the first one comes
    is_known = known.issuperset

    def slow(raw: Mapping[str, Any]) -> tuple[Any, Any, str, tuple[Any, ...]] | str:
        """The general path: (key, version, rank, values + rank), or the reason to reject."""
        values: list[Any] = []
        parts: list[str] = []
        for i, col in enumerate(columns):
            value = raw.get(col)
            if value is None:
                if required[i]:
                    what = "primary key column" if col in key_set else (
                        "version column" if i == version_idx else "column")
                    return f"{what} {col!r} is missing or null"
                values.append(None)
                continue
            try:
                value = casters[i](value)
            except CastError as exc:
                return f"column {col!r}: {exc}"
            values.append(value)
            if i != version_idx:
                parts.append(col)
                parts.append(canon[i](value))
        digest = blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
        rank = f"{len(parts) // 2:04d}{digest}"
        values.append(rank)
        return tuple(values[i] for i in key_idx), values[version_idx], rank, tuple(values)

    # The generated converter and the general path must agree; and a set of dict keys is
    # checked in C (the common case), the reason is only worked out for a rejected row.
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a batch allocates millions of objects that all live on: skip the scans
    try:
        for raw in rows:
            if type(raw) is CastRow:  # cast and checked by a mapping already
                if typed is None:
                    typed = _fast_converter(table, cast_all=False)
                out = typed(raw)
            elif type(raw) is not dict and not isinstance(raw, Mapping):
                prep.rejects.append(Rejected(name, raw, f"a row must be a mapping, not {type(raw).__name__}"))
                continue
            elif not is_known(raw):
                extra = [k for k in raw if k not in known]
                shown = ", ".join(repr(k) for k in extra[:5])
                prep.rejects.append(Rejected(name, raw, f"unknown column(s) {shown}"))
                continue
            else:
                out = fast(raw)
            if out is None:
                out = slow(raw)
                if type(out) is str:
                    prep.rejects.append(Rejected(name, raw, out))
                    continue
            if unique:
                keep(out[3])
                continue
            key, version, rank, values = out
            seen = best.get(key)
            if seen is None:
                best[key] = (version, rank, values)
                continue
            if (version, rank) > (seen[0], seen[1]):
                best[key] = (version, rank, values)
                prep.superseded_stale += 1
            elif (version, rank) == (seen[0], seen[1]):
                prep.superseded_same += 1
            else:
                prep.superseded_stale += 1
    finally:
        if gc_was_enabled:
            gc.enable()

    winners = accepted if unique else [v[2] for v in best.values()]
    if any(adapters):
        adapted = []
        for values in winners:
            row = list(values)
            for i, fn in enumerate(adapters):
                if fn is not None and row[i] is not None:
                    row[i] = fn(row[i])
            adapted.append(tuple(row))
        prep.rows = adapted
    else:
        prep.rows = winners
    return prep


# ------------------------------------------------------------------ generated converter

# Per type: the test that a value needs no cast, and the expression of its canonical text,
# given that test passed.  Each must give exactly what caster() and canonical() give.
_FAST = {
    "int": ("type({v}) is int and -2147483648 <= {v} <= 2147483647", 'f"{{{v}}}"'),
    "bigint": ("type({v}) is int and -9223372036854775808 <= {v} <= 9223372036854775807", 'f"{{{v}}}"'),
    # v - v == 0.0 holds only for finite floats
    "float": ("type({v}) is float and {v} - {v} == 0.0", 'f"{{{v}!r}}"'),
    # text that is ASCII without NUL needs no check; other text goes through the cast
    "text": ("type({v}) is str and {v}.isascii() and '\\x00' not in {v}", "{v}"),
    "bool": ("type({v}) is bool", "'t' if {v} else 'f'"),
    "date": ("type({v}) is _date", "{v}.isoformat()"),
    # an aware UTC datetime is its own cast; isoformat equals timestamp_text from year 1000
    "timestamptz": (
        "type({v}) is _datetime and {v}.tzinfo is _UTC and {v}.year >= 1000",
        "{v}.isoformat(timespec='microseconds')",
    ),
}
# Types whose canonical text is worth remembering for the previous value of the column (a
# batch often carries one capture time, one game date): (value, text) in one tuple, so a
# concurrent reader never sees the text of another value.
_REMEMBER = ("timestamptz", "date")
_converters: dict[tuple[Any, ...], Callable[[Mapping[str, Any]], Any]] = {}


def _same(value: Any) -> Any:
    return value


def _fast_converter(table: Table, cast_all: bool = True) -> Callable[[Mapping[str, Any]], Any]:
    """A function of one row mapping returning ``(key, version, rank, values + (rank,))``
    exactly as the general path in :func:`prepare` would, or None to send the row there
    (a value that cannot be cast, a missing required value).

    It is generated once per table shape: straight-line code with no loop over columns,
    and no function call per value when a value already has its column's Python type
    (any other value goes through the column's caster, as in the general path).
    ``cast_all=False``: for a :class:`~fieldhouse.types.CastRow`, whose values were cast already;
    a decimal or json value is then taken as it is (types with a test above are still
    tested, and cast when the test fails).
    """
    columns = table.content_columns
    specs = [table.columns[c] for c in columns]
    shape = (tuple(columns), tuple((str(s.type), s.nullable) for s in specs),
             tuple(table.primary_key), table.version, cast_all)
    fn = _converters.get(shape)
    if fn is not None:
        return fn
    env: dict[str, Any] = {
        "_blake2b": blake2b, "_date": date, "_datetime": datetime, "_UTC": UTC,
        "_CastError": CastError, "_columns": tuple(columns),
        "_getter": itemgetter(*columns) if len(columns) > 1 else None,
    }
    vs = [f"v{i}" for i in range(len(columns))]
    ts = [f"t{i}" for i in range(len(columns))]
    unpack = ", ".join(vs) + ","
    body = ["def convert(raw):", "    try:"]
    if len(columns) > 1:
        body += ["        try:", f"            {unpack} = _getter(raw)", "        except KeyError:",
                 f"            {unpack} = [raw.get(c) for c in _columns]"]
    else:
        body.append("        v0 = raw.get(_columns[0])")
    nullable: list[int] = []
    env["_last"] = [(None, None)] * len(columns)
    for i, spec in enumerate(specs):
        v, t, kind = vs[i], ts[i], spec.type.name
        env[f"_cast{i}"] = caster(spec.type) if cast_all or kind in _FAST else _same
        env[f"_canon{i}"] = json_text if kind == "json" else canonical
        cast = [f"{v} = _cast{i}({v})", f"{t} = _canon{i}({v})"]
        if kind in _FAST:
            test, text = _FAST[kind]
            convert = [f"if {test.format(v=v)}:"]
            if kind == "float":
                convert.append(f"    {v} = {v} + 0.0")  # -0.0 becomes 0.0, as in _cast_float
            if kind in _REMEMBER:
                convert += [f"    last = _last[{i}]", f"    if {v} == last[0]:", f"        {t} = last[1]",
                            "    else:", f"        {t} = {text.format(v=v)}", f"        _last[{i}] = ({v}, {t})"]
            else:
                convert.append(f"    {t} = {text.format(v=v)}")
            convert += ["else:", *("    " + c for c in cast)]
        else:
            convert = cast
        if spec.nullable:
            body += [f"        if {v} is None:", f"            {t} = None", "        else:",
                     *("            " + c for c in convert)]
            nullable.append(i)
        else:
            body += [f"        if {v} is None:", "            return None", *("        " + c for c in convert)]
    # The hashed text joins column name and canonical text of each non-NULL value with \x1f.
    vi = columns.index(table.version)  # the version is compared first, never hashed
    hashed = [i for i in range(len(columns)) if i != vi]
    full = "".join(f"\x1f{columns[i]}\x1f{{{ts[i]}}}" for i in hashed)
    env["_seps"] = tuple(f"\x1f{columns[i]}\x1f" for i in hashed)
    key = ", ".join(vs[columns.index(k)] for k in table.primary_key) + ","
    body += ["    except _CastError:", "        return None"]
    if nullable:
        body += [
            f"    if {' and '.join(f'{ts[i]} is not None' for i in nullable)}:",
            f"        rank = f\"{len(hashed):04d}\"",
            f"        text = f\"{full}\"[1:]",
            "    else:",
            f"        present = [s + t for s, t in zip(_seps, ({', '.join(ts[i] for i in hashed)},)) if t is not None]",
            "        rank = f\"{len(present):04d}\"",
            "        text = ''.join(present)[1:]",
        ]
    else:
        body += [f"    rank = f\"{len(hashed):04d}\"", f"    text = f\"{full}\"[1:]"]
    body += [
        "    rank += _blake2b(text.encode(), digest_size=16).hexdigest()",
        f"    return ({key}), {vs[columns.index(table.version)]}, rank, ({unpack} rank)",
    ]
    code = "\n".join(body) + "\n"
    exec(compile(code, f"<fieldhouse converter for {table.name}>", "exec"), env)  # noqa: S102
    fn = env["convert"]
    _converters[shape] = fn
    return fn
