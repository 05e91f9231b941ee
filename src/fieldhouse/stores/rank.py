"""The portable rank: the content tie-break every engine computes the same way.

A row's rank is its number of non-NULL content values as four decimal digits, followed by
the first 128 bits (32 lowercase hex digits) of the SHA-256 of its *canonical encoding*.
The content columns are all columns but the version column and ``written_at``.  The
encoding (rank version 2; the full specification is in docs/upsert.md, and
``rank_vectors.json`` beside this module holds test vectors) concatenates, for each content
column whose value is not NULL, in the order of the column names (code points):

    u32(len(name)) name u32(len(value)) value

``u32`` is an unsigned 32-bit big-endian length in bytes, ``name`` the column name in
UTF-8, and ``value`` the value's bytes for its column type:

============  =================================================================
int, bigint   signed 64-bit big-endian two's complement
float         IEEE 754 binary64, big-endian; -0.0 as 0.0, any NaN as 7ff8000000000000
decimal(p,s)  ASCII decimal text with exactly s digits after the point, no exponent,
              no plus sign, ``-`` only for a value below zero (``12.50``, ``-0.05``)
text          UTF-8
bool          one byte, 01 (true) or 00 (false)
date          days since 1970-01-01, signed 64-bit big-endian
timestamptz   microseconds since 1970-01-01T00:00:00Z, signed 64-bit big-endian
json          the UTF-8 of :func:`fieldhouse.types.json_text` (keys sorted, no spaces,
              non-ASCII as is)
============  =================================================================

A NULL is left out (name and value), so adding a nullable column to a table does not
change the rank of the rows it already holds.  This module is the reference
implementation; ``prepare`` has a generated fast path that must agree with it (tested).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from hashlib import sha256
from typing import Any

from ..errors import CastError
from ..table import Table
from ..types import json_text

#: Bumped whenever the rank of some row changes; ``ensure_table`` recomputes the stored
#: ranks of a table whose catalog entry records an older version (1: BLAKE2b over
#: Python's text form of the values, before the catalog existed).
RANK_VERSION = 2

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
MICROSECOND = timedelta(microseconds=1)
NAN = bytes.fromhex("7ff8000000000000")
_WIDE = Context(prec=2100, rounding=ROUND_HALF_EVEN)  # decimal(p,s) has p <= 1000

_u32 = struct.Struct(">I").pack
_i64 = struct.Struct(">q").pack
_f64 = struct.Struct(">d").pack

#: The byte width of each fixed-width type's value (the others are variable).
FIXED_WIDTH = {"int": 8, "bigint": 8, "float": 8, "bool": 1, "date": 8, "timestamptz": 8}


def rank_columns(table: Table) -> list[str]:
    """The columns whose values make up the rank, in encoding order (by name)."""
    return sorted(c for c in table.content_columns if c != table.version)


def micros(stamp: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (a naive one is taken as UTC)."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return (stamp - EPOCH) // MICROSECOND


def days(day: date) -> int:
    return day.toordinal() - EPOCH_ORDINAL


def decimal_text(value: Decimal, scale: int) -> str:
    """Fixed-point text with exactly ``scale`` digits after the point (a cast value is at
    that scale already); zero is never negative.  Exact at any declared precision."""
    if value.as_tuple().exponent != -scale:
        value = _WIDE.quantize(value, Decimal(1).scaleb(-scale))
    if value.is_zero():
        value = value.copy_abs()
    return format(value, "f")


def value_bytes(kind: str, value: Any, scale: int | None = None) -> bytes:
    """The canonical bytes of one cast, non-NULL value of a column of type ``kind``.

    Raises CastError for a value that has no encoding (text that is not valid Unicode,
    e.g. a lone surrogate)."""
    if kind in ("int", "bigint"):
        return _i64(value)
    if kind == "float":
        if math.isnan(value):
            return NAN
        return _f64(value + 0.0)
    if kind == "bool":
        return b"\x01" if value else b"\x00"
    if kind == "date":
        return _i64(days(value.date() if isinstance(value, datetime) else value))
    if kind == "timestamptz":
        return _i64(micros(value))
    if kind == "decimal":
        return decimal_text(value, scale or 0).encode("ascii")
    try:
        if kind == "text":
            return value.encode("utf-8")
        return json_text(value).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CastError(f"{kind} value is not valid Unicode ({exc.reason} at position {exc.start})") from None


def segment(name: str, kind: str, value: Any, scale: int | None = None) -> bytes:
    """One column's part of the encoding: ``u32(len(name)) name u32(len(value)) value``."""
    encoded = name.encode("utf-8")
    data = value_bytes(kind, value, scale)
    return _u32(len(encoded)) + encoded + _u32(len(data)) + data


def encoding(table: Table, values: Mapping[str, Any]) -> tuple[int, bytes]:
    """The number of non-NULL content values and the canonical encoding of a row of cast
    values (a mapping of column name to value; missing columns are NULL)."""
    parts = []
    for name in rank_columns(table):
        value = values.get(name)
        if value is None:
            continue
        ctype = table.columns[name].type
        try:
            parts.append(segment(name, ctype.name, value, ctype.scale))
        except CastError as exc:
            raise CastError(f"column {name!r}: {exc}") from None
    return len(parts), b"".join(parts)


def digest(data: bytes) -> str:
    return sha256(data).hexdigest()[:32]


def rank(table: Table, values: Mapping[str, Any]) -> str:
    """The rank of a row of cast values: ``NNNN`` + 32 hex digits."""
    count, data = encoding(table, values)
    return f"{count:04d}{digest(data)}"


def rank_of_row(table: Table, values: Sequence[Any]) -> str:
    """The rank of a row given as a tuple in ``table.content_columns`` order."""
    return rank(table, dict(zip(table.content_columns, values, strict=False)))
