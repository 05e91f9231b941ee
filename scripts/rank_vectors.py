"""Write src/fieldhouse/stores/rank_vectors.json: test vectors of the portable rank.

    .venv/bin/python scripts/rank_vectors.py

Run it only when the rank's specification changes (with a RANK_VERSION bump): the vectors
are the contract that every engine (Python, PostgreSQL SQL, Delta/Spark, ...) must meet, and
tests/stores/test_rank.py checks the implementation against the file, not the reverse.
Each vector is a table declaration, a row of input values (JSON; cast by the column types
as every store casts them), the canonical encoding (hex) and the expected rank.
"""

from __future__ import annotations

import json
from pathlib import Path

import fieldhouse
from fieldhouse.stores import rank
from fieldhouse.stores.prepare import prepare

OUT = Path(__file__).resolve().parents[1] / "src" / "fieldhouse" / "stores" / "rank_vectors.json"

EVERY_TYPE = [["k", "bigint"], ["i", "int"], ["f", "float"], ["d", "decimal(10,2)"], ["t", "text"],
              ["b", "bool"], ["day", "date"], ["at", "timestamptz"], ["j", "json"], ["v", "bigint"]]


def table(columns, key=("k",), version="v", written_at=None, parent_key=None):
    return {"columns": columns, "primary_key": list(key), "version": version, "written_at": written_at,
            "parent_key": parent_key}


def one(kind, extra=()):
    """A table with key k (bigint), version v (bigint) and one column x of ``kind``."""
    return table([["k", "bigint"], ["x", kind], *extra, ["v", "bigint"]])


CASES = [
    ("every type, every value present", table(EVERY_TYPE),
     {"k": 1, "i": 7, "f": 36.25, "d": "12.5", "t": "héllo", "b": True, "day": "2024-04-14",
      "at": "2024-04-14T20:30:00Z", "j": {"b": [1, 2], "a": None}, "v": 3}),
    ("every type: the same row at another version has the same rank", table(EVERY_TYPE),
     {"k": 1, "i": 7, "f": 36.25, "d": "12.5", "t": "héllo", "b": True, "day": "2024-04-14",
      "at": "2024-04-14T20:30:00Z", "j": {"b": [1, 2], "a": None}, "v": 99}),
    ("every type: NULLs are left out (name and value)", table(EVERY_TYPE),
     {"k": 1, "i": None, "f": None, "d": None, "t": None, "b": None, "day": None, "at": None, "j": None, "v": 3}),
    ("every type: some NULLs", table(EVERY_TYPE),
     {"k": 2, "i": None, "f": 0.5, "d": None, "t": "", "b": False, "day": None, "at": None, "j": [], "v": 3}),
    ("columns are encoded in name order, whatever the declaration order",
     table(list(reversed(EVERY_TYPE))),
     {"k": 1, "i": 7, "f": 36.25, "d": "12.5", "t": "héllo", "b": True, "day": "2024-04-14",
      "at": "2024-04-14T20:30:00Z", "j": {"b": [1, 2], "a": None}, "v": 3}),
    ("a nullable column added later, NULL: the rank is unchanged",
     table([*EVERY_TYPE, ["added", "text"]]),
     {"k": 1, "i": 7, "f": 36.25, "d": "12.5", "t": "héllo", "b": True, "day": "2024-04-14",
      "at": "2024-04-14T20:30:00Z", "j": {"b": [1, 2], "a": None}, "v": 3, "added": None}),
    ("written_at is not content",
     table([["k", "bigint"], ["x", "text"], ["v", "bigint"], ["w", "timestamptz"]], written_at="w"),
     {"k": 1, "x": "a", "v": 1, "w": "2030-01-01T00:00:00Z"}),
    ("a text key and a text version", table([["game_id", "text"], ["pts", "int"], ["captured", "text"]],
                                            key=("game_id",), version="captured"),
     {"game_id": "0021800001", "pts": 101, "captured": "20240612_041248"}),
    ("a two-column key with a parent key", table([["game_pk", "int"], ["at_bat_index", "int"], ["event", "text"],
                                                  ["captured_at", "timestamptz"]],
                                                 key=("game_pk", "at_bat_index"), version="captured_at",
                                                 parent_key=["game_pk"]),
     {"game_pk": 746139, "at_bat_index": 0, "event": "Strikeout", "captured_at": "2024-06-12T04:12:48Z"}),
    ("int: least", one("int"), {"k": 1, "x": -2147483648, "v": 1}),
    ("int: greatest", one("int"), {"k": 1, "x": 2147483647, "v": 1}),
    ("int: zero", one("int"), {"k": 1, "x": 0, "v": 1}),
    ("int: minus one", one("int"), {"k": 1, "x": -1, "v": 1}),
    ("bigint: least (given as text: not every JSON reader holds 64-bit integers)", one("bigint"),
     {"k": 1, "x": "-9223372036854775808", "v": 1}),
    ("bigint: greatest", one("bigint"), {"k": 1, "x": "9223372036854775807", "v": 1}),
    ("int and bigint encode alike (8 bytes)", one("bigint"), {"k": 1, "x": 0, "v": 1}),
    ("float: zero", one("float"), {"k": 1, "x": 0.0, "v": 1}),
    ("float: negative zero is zero", one("float"), {"k": 1, "x": -0.0, "v": 1}),
    ("float: least subnormal", one("float"), {"k": 1, "x": 5e-324, "v": 1}),
    ("float: least normal", one("float"), {"k": 1, "x": 2.2250738585072014e-308, "v": 1}),
    ("float: greatest", one("float"), {"k": 1, "x": 1.7976931348623157e308, "v": 1}),
    ("float: most negative", one("float"), {"k": 1, "x": -1.7976931348623157e308, "v": 1}),
    ("float: 0.1 (not exact in binary)", one("float"), {"k": 1, "x": 0.1, "v": 1}),
    ("float: 1e16", one("float"), {"k": 1, "x": 1e16, "v": 1}),
    ("float: a whole number", one("float"), {"k": 1, "x": 3.0, "v": 1}),
    ("decimal: at the column's scale", one("decimal(10,2)"), {"k": 1, "x": "12.5", "v": 1}),
    ("decimal: written at the scale already, same rank", one("decimal(10,2)"), {"k": 1, "x": "12.50", "v": 1}),
    ("decimal: below one", one("decimal(10,2)"), {"k": 1, "x": "-0.05", "v": 1}),
    ("decimal: zero", one("decimal(10,2)"), {"k": 1, "x": "0", "v": 1}),
    ("decimal: negative zero is zero", one("decimal(10,2)"), {"k": 1, "x": "-0.00", "v": 1}),
    ("decimal: rounded half to even at the scale", one("decimal(10,2)"), {"k": 1, "x": "2.345", "v": 1}),
    ("decimal: greatest of decimal(10,2)", one("decimal(10,2)"), {"k": 1, "x": "99999999.99", "v": 1}),
    ("decimal: scale 0", one("decimal(5,0)"), {"k": 1, "x": "-12345", "v": 1}),
    ("decimal: 28 digits", one("decimal(28,10)"), {"k": 1, "x": "-123456789012345678.0123456789", "v": 1}),
    ("decimal: a tiny value, no exponent", one("decimal(12,10)"), {"k": 1, "x": "0.0000000001", "v": 1}),
    ("text: empty", one("text"), {"k": 1, "x": "", "v": 1}),
    ("text: precomposed é", one("text"), {"k": 1, "x": "\u00e9", "v": 1}),
    ("text: e and a combining accent (not normalised: another value)", one("text"), {"k": 1, "x": "e\u0301", "v": 1}),
    ("text: outside the BMP (4 bytes in UTF-8)", one("text"), {"k": 1, "x": "\U0001d11e clef", "v": 1}),
    ("text: emoji with a skin-tone modifier and a zero-width joiner", one("text"),
     {"k": 1, "x": "\U0001f44d\U0001f3fd\u200d\U0001f525", "v": 1}),
    ("text: CJK and right-to-left", one("text"), {"k": 1, "x": "東京 القاهرة", "v": 1}),
    ("text: quotes, backslash, tab, newline", one("text"), {"k": 1, "x": "a\"b'c\\d\te\nf", "v": 1}),
    ("text: spaces are kept", one("text"), {"k": 1, "x": "  padded  ", "v": 1}),
    ("bool: true", one("bool"), {"k": 1, "x": True, "v": 1}),
    ("bool: false", one("bool"), {"k": 1, "x": False, "v": 1}),
    ("date: the epoch", one("date"), {"k": 1, "x": "1970-01-01", "v": 1}),
    ("date: the day before the epoch", one("date"), {"k": 1, "x": "1969-12-31", "v": 1}),
    ("date: least", one("date"), {"k": 1, "x": "0001-01-01", "v": 1}),
    ("date: greatest", one("date"), {"k": 1, "x": "9999-12-31", "v": 1}),
    ("timestamptz: the epoch", one("timestamptz"), {"k": 1, "x": "1970-01-01T00:00:00Z", "v": 1}),
    ("timestamptz: a microsecond before the epoch", one("timestamptz"),
     {"k": 1, "x": "1969-12-31T23:59:59.999999Z", "v": 1}),
    ("timestamptz: least", one("timestamptz"), {"k": 1, "x": "0001-01-01T00:00:00Z", "v": 1}),
    ("timestamptz: greatest", one("timestamptz"), {"k": 1, "x": "9999-12-31T23:59:59.999999Z", "v": 1}),
    ("timestamptz: with an offset", one("timestamptz"), {"k": 1, "x": "2024-04-14T16:30:00-04:00", "v": 1}),
    ("timestamptz: the same instant in UTC, same rank", one("timestamptz"),
     {"k": 1, "x": "2024-04-14T20:30:00+00:00", "v": 1}),
    ("timestamptz: naive input is taken as UTC, same rank", one("timestamptz"),
     {"k": 1, "x": "2024-04-14T20:30:00", "v": 1}),
    ("json: keys are sorted", one("json"), {"k": 1, "x": {"b": 1, "a": [True, None, 1.5]}, "v": 1}),
    ("json: the same object written in another key order, same rank", one("json"),
     {"k": 1, "x": {"a": [True, None, 1.5], "b": 1}, "v": 1}),
    ("json: nested, with unicode keys and values", one("json"),
     {"k": 1, "x": {"zé": {"y": [[], {}, [{"ä": "\U0001d11e"}]]}, "a": "line\nbreak \"q\""}, "v": 1}),
    ("json: numbers (an integer and a float differ)", one("json"), {"k": 1, "x": [1, 1.0, -0.5, 1e16, 12345678901234567890], "v": 1}),
    ("json: an empty object", one("json"), {"k": 1, "x": {}, "v": 1}),
    ("json: a string (a JSON document in the row, as the json cast reads text)", one("json"),
     {"k": 1, "x": "\"just text\"", "v": 1}),
    ("json: false is a value, not NULL", one("json"), {"k": 1, "x": False, "v": 1}),
]


def build() -> dict:
    vectors = []
    for i, (name, decl, row) in enumerate(CASES):
        tbl = fieldhouse.Table(f"vector_{i}", columns={n: t for n, t in decl["columns"]},
                               primary_key=decl["primary_key"], version=decl["version"],
                               written_at=decl["written_at"],
                               parent_key=tuple(decl["parent_key"]) if decl["parent_key"] else None)
        prepared = prepare(tbl, [row])
        if prepared.rejects:
            raise SystemExit(f"vector {name!r}: {prepared.rejects[0].reason}")
        values = dict(zip(tbl.content_columns, prepared.rows[0], strict=False))
        count, data = rank.encoding(tbl, values)
        expected = f"{count:04d}{rank.digest(data)}"
        assert expected == prepared.rows[0][-1], name
        vectors.append({"name": name, "table": decl, "row": row, "encoding": data.hex(), "rank": expected})
    return {
        "about": "Test vectors of fieldhouse's portable rank (docs/upsert.md, 'The rank'). For each vector, "
                 "cast 'row' by the column types of 'table' (as fieldhouse's stores do: text for dates, "
                 "timestamps, decimals and big integers; a naive timestamp is UTC; text in a json column is a "
                 "JSON document), build the canonical encoding (its hex is 'encoding') and the rank: the number "
                 "of non-NULL content values as four digits, then the first 32 hex digits of its SHA-256.",
        "rank_version": rank.RANK_VERSION,
        "vectors": vectors,
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} vectors to {OUT}")
