"""Property: for any records valid under a mapping, a second load changes nothing, and
loading them in any order, in one batch or one record at a time, gives the same tables."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fieldhouse
from fieldhouse.mapping import QUARANTINE, load_records, parse_mapping

MAPPING = parse_mapping("""\
targets:
  lines:
    rows: players
    primary_key: [game_id, player_id]
    version: rev
    foreign_keys: [{columns: game_id, references: games}]
    columns:
      game_id:   {type: int, path: ^.game_id}
      player_id: {type: int, path: pid}
      slot:      {type: int, path: "#"}
      pts:       {type: int, path: pts}
      minutes:   {type: "decimal(6,2)", path: min}
      starter:   {type: bool, path: starter}
      rev:       {type: int, path: ^.rev}
    checks: ["pts between 0 and 100"]
  games:
    primary_key: game_id
    version: rev
    written_at: seen_at
    columns:
      game_id:   {type: int, path: game_id}
      rev:       {type: int, path: rev}
      game_date: {type: date, path: date}
      venue:     {type: text, path: venue}
      players:   {type: int, expr: "length(path('players'))"}
      extra:     {type: json, path: extra}
      seen_at:   {type: timestamptz}
""", "property.yaml")

STORABLE = st.characters(exclude_characters="\x00")  # no store can hold a NUL character
player = st.fixed_dictionaries({
    "pid": st.integers(1, 4) | st.integers(1, 4).map(str),
    "pts": st.integers(0, 100) | st.integers(0, 100).map(str),
    "min": st.sampled_from(["36:12", "PT12M30.00S", "0:00", "12.5", 7]),
    "starter": st.sampled_from([True, False, "W", "L", "1", "0", None]),
})
game = st.fixed_dictionaries({
    "game_id": st.integers(1, 4),
    "rev": st.integers(1, 3),
    "date": st.dates(date(2018, 1, 1), date(2025, 12, 31)).map(date.isoformat),
    "venue": st.none() | st.text(STORABLE, max_size=6),
    "extra": st.none() | st.dictionaries(st.text(STORABLE, max_size=3), st.integers(-5, 5), max_size=2),
    "players": st.lists(player, max_size=4),
})


def _tables(store) -> dict[str, list[dict]]:
    out = {}
    for table in MAPPING.tables():
        out[table.name] = [{k: v for k, v in row.items() if k != table.written_at} for row in store.rows(table)]
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(game, min_size=1, max_size=8), order=st.randoms(use_true_random=False))
def test_reload_changes_nothing_and_order_does_not_matter(records: list[dict], order) -> None:
    with fieldhouse.connect("sqlite:///:memory:") as a:
        first = load_records(a, MAPPING, records)
        assert first.rejects == []  # every record is valid under the mapping
        tables = _tables(a)
        second = load_records(a, MAPPING, records)
        for name, result in second.tables.items():
            before = first.tables[name]
            assert result.counts() == {
                "inserted": 0, "updated": 0, "unchanged": before.inserted + before.unchanged,
                "stale": before.stale, "rejected": 0, "deleted": 0}, name
        assert _tables(a) == tables
        assert not a.table_exists(QUARANTINE) or a.count(QUARANTINE) == 0

    shuffled = list(records)
    order.shuffle(shuffled)
    with fieldhouse.connect("sqlite:///:memory:") as b:
        for record in shuffled:  # one load per record, in another order
            load_records(b, MAPPING, [record])
        assert _tables(b) == tables
    with fieldhouse.connect("sqlite:///:memory:") as c:
        load_records(c, MAPPING, shuffled[::-1])  # one batch, reversed
        assert _tables(c) == tables
