"""A response body is parsed once: by the fetcher.  nba_api builds its data sets from that
parse, the landed RawResponse carries it to the handler, and landing content already held
does not decode the stored copy again."""

from __future__ import annotations

import json

import fieldhouse
from fieldhouse.sources.nba import NBAClient
from fieldhouse.sources.replay import ingest

from .helpers import fetch_log


def test_a_fetched_body_is_parsed_once_from_fetch_to_rows(make_fetcher, sqlite_url, monkeypatch):
    real = json.loads
    parsed = []

    def counting(text, *args, **kwargs):
        if len(text) > 10_000:  # a response body (parameters and ledger JSON are small)
            parsed.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting)
    client = NBAClient(make_fetcher())
    endpoint, arguments = _playoffs()
    call = client.call(endpoint, **arguments)
    assert len(call.endpoint.league_game_log.get_dict()["data"]) == 164  # nba_api's data sets
    assert len(parsed) == 1
    with fieldhouse.connect(sqlite_url) as store:
        first = ingest(store, call.response)
        assert first.results["nba.games"].inserted == 82
        again = ingest(store, fetch_log(client))  # the same content again: not decoded from the store
        assert not again.landed.stored and again.results["nba.games"].unchanged == 82
    assert len(parsed) == 2  # one per fetch, nothing more


def _playoffs():
    from nba_api.stats.endpoints import leaguegamelog

    return leaguegamelog.LeagueGameLog, {"season": "2018-19", "season_type_all_star": "Playoffs"}
