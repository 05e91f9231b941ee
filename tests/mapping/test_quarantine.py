"""Property: every reject a load counts is in the quarantine, whatever the bad data looks
like (issue 9, item 1).

Precisely: a reject's key is a hash of its target, location, reason and raw element, so the
same bad data found twice (in one load or in two) is one quarantine row.  After a load, the
quarantine holds exactly the keys it held before plus the keys of the load's rejects; the
quarantine write accepts every reject (its counts add up to the rejects reported) and
inserts one row per key it did not hold yet.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import fieldhouse
from fieldhouse.cli import app
from fieldhouse.mapping import QUARANTINE, load_mapping
from fieldhouse.mapping.quarantine import reject_id
from fieldhouse.sources.files import load_file

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "payments"
MAPPING = load_mapping(EXAMPLE / "payments.yaml")
STAMP = datetime(2024, 5, 1, tzinfo=UTC)

text = st.text(st.characters(exclude_characters="\n\r", exclude_categories=("Cs",)) | st.sampled_from("\x00\xe9\U0001f600{}[]\":,"), max_size=20)
field = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), text,
    st.sampled_from(["C-01", "12.50", "usd", "settled", "2024-03-01", "2024-03-01T10:00:00Z", "1e400"]),
)
payment = st.fixed_dictionaries({}, optional={
    name: field for name in ("payment_id", "customer_id", "customer_name", "amount", "currency", "paid_on", "status", "updated_at")
})
good = st.builds(lambda i, c: json.dumps({
    "payment_id": i, "customer_id": c, "customer_name": "Ada", "amount": "10.00", "currency": "usd",
    "paid_on": "2024-03-01", "status": "settled", "updated_at": "2024-03-01T10:00:00Z"}), st.integers(1, 5), st.sampled_from(["C-1", "C-2"]))
line = st.one_of(
    good,
    payment.map(lambda p: json.dumps(p, ensure_ascii=False)),  # NaN and Infinity appear as Python writes them
    text,  # not JSON at all (NUL bytes included)
    st.sampled_from(['{"payment_id": NaN}', '{oops', "[1, 2", '"just text"', "123", "null",
                     '{"customer_id": "\\u0000", "customer_name": "\\ud800"}', "[" * 3000 + "]" * 3000]),
)


def _keys(store) -> set[str]:
    return {r["reject_id"] for r in store.rows(QUARANTINE)} if store.table_exists(QUARANTINE) else set()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(line, min_size=1, max_size=10))
def test_every_counted_reject_is_in_the_quarantine(db_url: str, tmp_path_factory, lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("q") / "input.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # a file holds no lone surrogate; JSON escapes can
    with fieldhouse.connect(db_url) as store:  # one database for all examples: rows pile up
        before = _keys(store)
        done = load_file(store, path, MAPPING, captured_at=STAMP)
        after = _keys(store)
        stored = {r["reject_id"]: r for r in store.rows(QUARANTINE)} if after else {}
    reported = sum(t.rejected for t in done.result.tables.values())
    rejects = done.result.rejects
    assert reported == len(rejects)
    keys = {reject_id(r) for r in rejects}
    assert after == before | keys
    q = done.result.quarantine
    assert q.rejected == 0 and q.total == reported
    assert q.inserted == len(keys - before)
    for r in rejects:
        assert stored[reject_id(r)]["target"] == r.target


def test_a_line_that_is_not_json_and_a_nan_are_quarantined(db_url: str, tmp_path: Path) -> None:
    """The issue's reproduction: line 3 is not JSON, line 2 holds NaN; 'rejected: 2' and
    'see table fieldhouse_rejects' must find them there."""
    good = {"payment_id": 1, "customer_id": "C-1", "customer_name": "Ada", "amount": "10.00", "currency": "usd",
            "paid_on": "2024-03-01", "status": "settled", "updated_at": "2024-03-01T10:00:00Z"}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "payment_id": 2, "amount": float("nan")})
                    + "\n{not json at all\n")
    result = CliRunner().invoke(app, ["load", str(path), "--mapping", str(EXAMPLE / "payments.yaml"), "--db", db_url, "--json"])
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["tables"]["payments"]["rejected"] == 2
    assert report["tables"]["customers"]["rejected"] == 1
    with fieldhouse.connect(db_url) as store:
        rows = {(r["target"], r["origin"]): r for r in store.rows(QUARANTINE)}
    assert set(rows) == {("payments", "bad.jsonl line 2"), ("payments", "bad.jsonl line 3"), ("customers", "bad.jsonl line 3")}
    assert rows[("payments", "bad.jsonl line 3")]["record"] == "{not json at all"  # the line, as a JSON string
    assert rows[("payments", "bad.jsonl line 2")]["record"]["amount"] == "NaN"
    assert "not a finite number" in rows[("payments", "bad.jsonl line 2")]["reason"]
