"""The portable rank (docs/upsert.md, "The rank"): the shipped test vectors pass through
every way fieldhouse computes a rank (the generated converter, the reference encoder, both
stores' stored ranks, and PostgreSQL SQL)."""

from __future__ import annotations

import itertools
import json
from hashlib import sha256
from importlib import resources

import pytest

import fieldhouse
from fieldhouse.stores import postgresql_sql, rank
from fieldhouse.stores.prepare import prepare

from .helpers import stored_ranks

VECTORS = json.loads(resources.files("fieldhouse.stores").joinpath("rank_vectors.json").read_text("utf-8"))
_names = itertools.count(1)


def _table(decl, name=None):
    return fieldhouse.Table(
        name or f"rank_vector_{next(_names)}", columns={n: t for n, t in decl["columns"]},
        primary_key=decl["primary_key"], version=decl["version"], written_at=decl["written_at"],
        parent_key=tuple(decl["parent_key"]) if decl["parent_key"] else None,
    )


def _ids():
    return [v["name"] for v in VECTORS["vectors"]]


def test_the_vectors_cover_every_type_nulls_and_the_edges():
    kinds = {t.split("(")[0] for v in VECTORS["vectors"] for _, t in v["table"]["columns"]}
    assert kinds == {"int", "bigint", "float", "decimal", "text", "bool", "date", "timestamptz", "json"}
    rows = [v["row"] for v in VECTORS["vectors"]]
    assert any(None in r.values() for r in rows)
    texts = [x for r in rows for x in r.values() if isinstance(x, str)]
    assert "" in texts and any(any(ord(c) > 0xFFFF for c in t) for t in texts)
    assert VECTORS["rank_version"] == rank.RANK_VERSION


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=_ids())
def test_each_vector_through_prepare_and_the_reference_encoder(vector):
    table = _table(vector["table"])
    prepared = prepare(table, [vector["row"]])
    assert not prepared.rejects
    assert prepared.rows[0][-1] == vector["rank"]
    values = dict(zip(table.content_columns, prepared.rows[0], strict=False))
    count, data = rank.encoding(table, values)
    assert data.hex() == vector["encoding"]
    # the rank is the count, then 128 bits of the SHA-256 of the encoding: nothing else
    assert vector["rank"] == f"{count:04d}" + sha256(bytes.fromhex(vector["encoding"])).hexdigest()[:32]


def test_the_rank_does_not_depend_on_declaration_order_or_on_an_added_null_column():
    by_name = {v["name"]: v["rank"] for v in VECTORS["vectors"]}
    base = by_name["every type, every value present"]
    assert by_name["columns are encoded in name order, whatever the declaration order"] == base
    assert by_name["a nullable column added later, NULL: the rank is unchanged"] == base
    assert by_name["every type: the same row at another version has the same rank"] == base


def test_stored_ranks_are_the_vectors_on_every_store(db_url):
    with fieldhouse.connect(db_url) as store:
        for vector in VECTORS["vectors"]:
            table = _table(vector["table"])
            assert store.upsert(table, [vector["row"]]).inserted == 1
            stored = stored_ranks(store, table)[0]
            assert stored == vector["rank"], vector["name"]


def test_postgresql_computes_the_same_rank_in_sql(pg_url):
    """The rank can be computed inside the database (sha256 over the encoding built with
    SQL functions), which classify-first upserts and other engines can use: every vector
    without a json column, from the values PostgreSQL stored."""
    checked = 0
    with fieldhouse.connect(pg_url) as store:
        for vector in VECTORS["vectors"]:
            table = _table(vector["table"])
            if any(t == "json" for _, t in vector["table"]["columns"]):
                with pytest.raises(fieldhouse.SchemaError, match="json"):
                    postgresql_sql.rank_expression(table)
                continue
            store.upsert(table, [vector["row"]])
            in_sql = store.conn.execute(
                f"SELECT {postgresql_sql.rank_expression(table)} FROM {postgresql_sql.qualified(table)}"
            ).fetchone()[0]
            assert in_sql == vector["rank"], vector["name"]
            checked += 1
    assert checked >= 40
