"""The conflict sample of a run (property): whatever the units' stale rows and the cap, a
table keeps the first ``cap`` conflicts in the order met, numbered 1..n, and the rest are
only counted."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from fieldhouse.runs.conflicts import ConflictSampler
from fieldhouse.stores.result import Conflict, UpsertResult

AT = datetime(2024, 1, 1, tzinfo=UTC)


@given(cap=st.integers(0, 12), units=st.lists(st.dictionaries(st.sampled_from(["a.t", "b.t"]), st.integers(0, 8)),
                                              max_size=6))
def test_the_sample_keeps_the_first_cap_conflicts_per_table(cap, units):
    sampler = ConflictSampler("run-1", cap)
    kept: list[dict] = []
    totals: dict[str, int] = {}
    for u, per_table in enumerate(units):
        results = {}
        for table, n in per_table.items():
            result = UpsertResult(table, stale=n)
            result.conflicts = [Conflict({"k": f"{u}-{i}"}, i, i + 1) for i in range(n)]
            results[table] = result
            totals[table] = totals.get(table, 0) + n
        rows = sampler.rows(f"unit-{u}", results, AT)
        sampler.taken(rows)
        kept.extend(rows)
    for table, total in totals.items():
        mine = [r for r in kept if r["table_name"] == table]
        assert [r["seq"] for r in mine] == list(range(1, min(cap, total) + 1))
        expected = [f"{u}-{i}" for u, per in enumerate(units) for i in range(per.get(table, 0))][:cap]
        assert [r["key"]["k"] for r in mine] == expected
        assert all(r["incoming_version"] == str(int(r["stored_version"]) - 1) for r in mine)
