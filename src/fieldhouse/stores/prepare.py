"""Turning a batch of row dicts into the rows a store writes (shared by every backend).

Each row is checked and cast column by column; a row that does not fit is rejected with
its reason and the rest go on.  Every accepted row gets a rank, and copies of one key
inside the batch are resolved by the same order the database uses:

    a row wins over another copy of its key when (version, rank) is greater,

where ``rank`` is the portable rank of :mod:`fieldhouse.stores.rank`: the row's number of
non-NULL content values (four digits) followed by 128 bits of the SHA-256 of its canonical
encoding, the version left out (it is compared first).  Equal (version, rank) means
identical rows; equal rank alone means the same values at another version (a *refreshed*
row when the newer version is written).  Because the order is total and depends only on
content, any set of batches applied in any order ends in the same table.  A NULL value is
left out of the encoding, so adding a nullable column to a table does not change the rank
of existing rows.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from hashlib import sha256
from operator import itemgetter
from typing import Any

from ..errors import CastError
from ..table import Table
from ..types import INT_RANGE, CastRow, caster, json_text
from . import rank as rank_mod
from .result import CONFLICT_LIMIT, Conflict, Rejected, UpsertResult


@dataclass
class Prepared:
    """Cast, deduplicated rows (the table's content columns in order, then the rank), plus
    what was set aside."""

    table: Table
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rejects: list[Rejected] = field(default_factory=list)
    superseded_stale: int = 0  # lost to a newer copy of the key within the batch
    superseded_same: int = 0  # an identical copy of the key was already in the batch
    #: the stale copies sampled (at most ``conflict_limit``), each with the winning copy's
    #: version; the store samples its own stale rows up to the same limit
    conflicts: list[Conflict] = field(default_factory=list)
    conflict_limit: int = CONFLICT_LIMIT

    def result(self) -> UpsertResult:
        result = UpsertResult(
            self.table.name,
            stale=self.superseded_stale,
            unchanged=self.superseded_same,
            rejects=list(self.rejects),
            conflict_limit=self.conflict_limit,
        )
        result.add_conflicts(self.conflicts)
        return result


def prepare(
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    adapt: Mapping[str, Callable[[Any], Any]] | None = None,
    *,
    unique: bool = False,
    conflict_limit: int = CONFLICT_LIMIT,
) -> Prepared:
    """Check, cast, hash and deduplicate ``rows`` for ``table``.

    ``adapt`` maps a type name to a function turning a cast value into what the driver
    binds (e.g. dates to ISO text for SQLite); it is applied after hashing.  ``unique``:
    the caller knows that no two rows have the same key, so there is nothing to resolve
    (the result is the same, without the bookkeeping).  ``conflict_limit``: how many
    copies beaten by a newer copy of their key are kept in ``Prepared.conflicts``.

    Each row goes first through a converter generated for the table (see
    :func:`_fast_converter`), which handles rows whose values already have their
    canonical Python type; any other row takes the general path, which gives the same
    result for every row the fast one accepts, and the reason for a row it rejects.
    """
    columns = table.content_columns
    known = frozenset(table.columns)
    specs = [table.columns[c] for c in columns]
    casters = [caster(s.type) for s in specs]
    required = [not s.nullable for s in specs]
    key_idx = [columns.index(c) for c in table.primary_key]
    version_idx = columns.index(table.version)
    key_set = set(table.primary_key)
    prep = Prepared(table, conflict_limit=max(0, conflict_limit))
    losers: list[tuple[tuple[Any, ...], Any]] = []  # (key, version) of sampled stale copies
    room = prep.conflict_limit
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
        try:
            rank = rank_mod.rank_of_row(table, values)
        except CastError as exc:
            return str(exc)
        values.append(rank)
        return tuple(values[i] for i in key_idx), values[version_idx], rank, tuple(values)

    # The generated converter and the general path must agree; and a set of dict keys is
    # checked in C (the common case), the reason is only worked out for a rejected row.
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
            if len(losers) < room:
                losers.append((key, seen[0]))
        elif (version, rank) == (seen[0], seen[1]):
            prep.superseded_same += 1
        else:
            prep.superseded_stale += 1
            if len(losers) < room:
                losers.append((key, version))

    if losers:
        names = table.primary_key
        prep.conflicts = [Conflict(dict(zip(names, key, strict=True)), version, best[key][0])
                          for key, version in losers]
    winners = accepted if unique else [v[2] for v in best.values()]
    prep.rows = adapt_rows(table, winners, adapt)
    return prep


def adapt_rows(table: Table, rows: list[tuple[Any, ...]], adapt: Mapping[str, Callable[[Any], Any]] | None
               ) -> list[tuple[Any, ...]]:
    """``rows`` (cast values in content-column order, then the rank) with each value turned
    into what the driver binds, by ``adapt`` (type name -> function)."""
    adapters = [(adapt or {}).get(table.columns[c].type.name) for c in table.content_columns]
    if not any(adapters):
        return rows
    kinds = [table.columns[c].type.name for c in table.content_columns]
    if sum(fn is not None for fn in adapters) == 1:
        i = next(j for j, fn in enumerate(adapters) if fn is not None)
        return _adapt_one(rows, i, adapters[i], kinds[i] in _REMEMBER)
    adapted = []
    for values in rows:
        row = list(values)
        for i, fn in enumerate(adapters):
            if fn is not None and row[i] is not None:
                row[i] = fn(row[i])
        adapted.append(tuple(row))
    return adapted


def _adapt_one(rows: list[tuple[Any, ...]], i: int, fn: Callable[[Any], Any], remember: bool
               ) -> list[tuple[Any, ...]]:
    """``adapt_rows`` when one column has an adapter.  ``remember``: a date or timestamp,
    whose previous value's adapted form is reused when the next row has the same value
    (a batch often carries one capture time for many rows); equal values of these types
    adapt to the same text."""
    out = []
    add = out.append
    last: Any = None
    text: Any = None
    for values in rows:
        value = values[i]
        if value is None:
            add(values)
            continue
        if not remember or value != last or type(value) is not type(last):
            text = fn(value)
            last = value
        add((*values[:i], text, *values[i + 1:]))
    return out


# ------------------------------------------------------------------ generated converter

# Per type: the test that a value needs no cast (it already is what caster() returns), and
# the expression of its encoding input ("x": a number packed by struct for the fixed-width
# types, bytes for the others), given that test passed.  Each must give exactly what
# caster() and rank.value_bytes() give.
_INT_TEST = "type({{v}}) is int and {0} <= {{v}} <= {1}"
_FAST = {
    "int": (_INT_TEST.format(*INT_RANGE["int"]), "{v}"),
    "bigint": (_INT_TEST.format(*INT_RANGE["bigint"]), "{v}"),
    # v - v == 0.0 holds only for finite floats; v + 0.0 turns -0.0 into 0.0, as the cast does
    "float": ("type({v}) is float and {v} - {v} == 0.0", "{v}"),
    # text that is ASCII without NUL needs no check; other text goes through the cast
    "text": ("type({v}) is str and {v}.isascii() and '\\x00' not in {v}", "{v}.encode()"),
    "bool": ("type({v}) is bool", "{v}"),
    "date": ("type({v}) is _date", "{v}.toordinal() - _EPOCH_ORDINAL"),
    # an aware UTC datetime is its own cast
    "timestamptz": ("type({v}) is _datetime and {v}.tzinfo is _UTC", "({v} - _EPOCH) // _US"),
}
#: The encoding input of a cast value, per type (the general form of the above).
_ENCODE_INPUT: dict[str, Callable[..., Any]] = {
    "int": lambda v: v, "bigint": lambda v: v, "float": lambda v: v + 0.0, "bool": lambda v: v,
    "date": rank_mod.days, "timestamptz": rank_mod.micros,
    "text": lambda v: v.encode(), "json": lambda v: json_text(v).encode(),
}
#: struct codes of the fixed-width types (the variable ones carry bytes).
_CODE = {"int": "q", "bigint": "q", "float": "d", "bool": "?", "date": "q", "timestamptz": "q"}
# Types whose encoding input is worth remembering for the previous value of the column (a
# batch often carries one capture time, one game date): (value, x) in one tuple, so a
# concurrent reader never sees the input of another value.
_REMEMBER = ("timestamptz", "date")
_LENGTHS = tuple(struct.pack(">I", n) for n in range(4096))
_converters: dict[tuple[Any, ...], Callable[[Mapping[str, Any]], Any]] = {}


def _u32(n: int) -> bytes:
    return _LENGTHS[n] if n < 4096 else struct.pack(">I", n)


def _same(value: Any) -> Any:
    return value


def _fast_converter(table: Table, cast_all: bool = True) -> Callable[[Mapping[str, Any]], Any]:
    """A function of one row mapping returning ``(key, version, rank, values + (rank,))``
    exactly as the general path in :func:`prepare` would, or None to send the row there
    (a value that cannot be cast, a missing required value, text that is not Unicode).

    It is generated once per table shape: straight-line code with no loop over columns,
    and no function call per value when a value already has its column's Python type
    (any other value goes through the column's caster, as in the general path).  The rank
    encoding (:mod:`fieldhouse.stores.rank`) is built with one ``struct`` call for each run
    of fixed-width columns (in name order) when none of them is NULL.
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
        "_sha256": sha256, "_date": date, "_datetime": datetime, "_UTC": UTC,
        "_EPOCH": rank_mod.EPOCH, "_EPOCH_ORDINAL": rank_mod.EPOCH_ORDINAL, "_US": rank_mod.MICROSECOND,
        "_CastError": CastError, "_columns": tuple(columns), "_u32": _u32,
        "_getter": itemgetter(*columns) if len(columns) > 1 else None,
    }
    vs = [f"v{i}" for i in range(len(columns))]
    xs = [f"x{i}" for i in range(len(columns))]
    vi = columns.index(table.version)  # the version is compared first, never encoded
    unpack = ", ".join(vs) + ","
    body = ["def convert(raw):", "    try:"]
    if len(columns) > 1:
        body += ["        try:", f"            {unpack} = _getter(raw)", "        except KeyError:",
                 f"            {unpack} = [raw.get(c) for c in _columns]"]
    else:
        body.append("        v0 = raw.get(_columns[0])")
    env["_last"] = [(None, None)] * len(columns)
    for i, spec in enumerate(specs):
        v, x, kind = vs[i], xs[i], spec.type.name
        env[f"_cast{i}"] = caster(spec.type) if cast_all or kind in _FAST else _same
        if kind == "decimal":
            scale = spec.type.scale or 0
            env[f"_enc{i}"] = lambda value, scale=scale: rank_mod.decimal_text(value, scale).encode("ascii")
        else:
            env[f"_enc{i}"] = _ENCODE_INPUT[kind]
        cast = [f"{v} = _cast{i}({v})"] + ([f"{x} = _enc{i}({v})"] if i != vi else [])
        if kind in _FAST:
            test, expr = _FAST[kind]
            convert = [f"if {test.format(v=v)}:"]
            if kind == "float":
                convert.append(f"    {v} = {v} + 0.0")
            if i == vi:
                convert.append("    pass")
            elif kind in _REMEMBER:
                convert += [f"    last = _last[{i}]", f"    if {v} == last[0]:", f"        {x} = last[1]",
                            "    else:", f"        {x} = {expr.format(v=v)}", f"        _last[{i}] = ({v}, {x})"]
            else:
                convert.append(f"    {x} = {expr.format(v=v)}")
            convert += ["else:", *("    " + c for c in cast)]
        else:
            convert = cast
        if spec.nullable:
            body += [f"        if {v} is None:", f"            {x} = None", "        else:",
                     *("            " + c for c in convert)]
        else:
            body += [f"        if {v} is None:", "            return None", *("        " + c for c in convert)]
    body += ["    except (_CastError, UnicodeEncodeError):", "        return None"]

    # The encoding, in name order: runs of fixed-width columns packed by one struct call.
    order = sorted((i for i in range(len(columns)) if i != vi), key=lambda i: columns[i])
    groups: list[list[int]] = []
    for i in order:
        if specs[i].type.name in _CODE and groups and specs[groups[-1][0]].type.name in _CODE:
            groups[-1].append(i)
        else:
            groups.append([i])
    for i in order:
        name = columns[i].encode()
        kind = specs[i].type.name
        env[f"_p{i}"] = _u32(len(name)) + name + (_u32(rank_mod.FIXED_WIDTH[kind]) if kind in _CODE else b"")
        if kind in _CODE:
            env[f"_pack{i}"] = struct.Struct(f">{len(env[f'_p{i}'])}s{_CODE[kind]}").pack
    for g, group in enumerate(groups):
        if specs[group[0]].type.name in _CODE:
            fmt = ">" + "".join(f"{len(env[f'_p{i}'])}s{_CODE[specs[i].type.name]}" for i in group)
            env[f"_run{g}"] = struct.Struct(fmt).pack

    def part(g: int, group: list[int]) -> list[str]:
        """Expressions of the pieces of one group, given that none of its values is NULL."""
        if specs[group[0]].type.name in _CODE:
            return [f"_run{g}(" + ", ".join(f"_p{i}, {xs[i]}" for i in group) + ")"]
        i = group[0]
        return [f"_p{i}", f"_u32(len({xs[i]}))", xs[i]]

    nullable = [i for i in order if specs[i].nullable]
    every = [piece for g, group in enumerate(groups) for piece in part(g, group)]
    body += [
        f"    if {' and '.join(f'{xs[i]} is not None' for i in nullable) or 'True'}:",
        f"        rank = \"{len(order):04d}\" + _sha256(b\"\".join(({', '.join(every)},))).hexdigest()[:32]",
        "    else:",
        "        parts = []",
        "        add = parts.append",
    ]
    for g, group in enumerate(groups):
        maybe = [i for i in group if specs[i].nullable]
        if not maybe:
            body += [f"        add({p})" for p in part(g, group)]
            continue
        if len(group) > 1:
            body += [f"        if {' and '.join(f'{xs[i]} is not None' for i in maybe)}:",
                     f"            add({part(g, group)[0]})", "        else:"]
            indent = "            "
            for i in group:
                if specs[i].nullable:
                    body += [f"{indent}if {xs[i]} is not None:", f"{indent}    add(_pack{i}(_p{i}, {xs[i]}))"]
                else:
                    body.append(f"{indent}add(_pack{i}(_p{i}, {xs[i]}))")
        else:
            i = group[0]
            body.append(f"        if {xs[i]} is not None:")
            body += [f"            add({p})" for p in part(g, group)]
    fixed = len(order) - len(nullable)
    count = " + ".join([str(fixed), *(f"({xs[i]} is not None)" for i in nullable)])
    body += [
        f"        rank = f\"{{{count}:04d}}\" + _sha256(b\"\".join(parts)).hexdigest()[:32]",
        f"    return ({', '.join(vs[columns.index(k)] for k in table.primary_key)},), {vs[vi]}, rank, ({unpack} rank)",
    ]
    code = "\n".join(body) + "\n"
    exec(compile(code, f"<fieldhouse converter for {table.name}>", "exec"), env)  # noqa: S102
    fn = env["convert"]
    _converters[shape] = fn
    return fn
