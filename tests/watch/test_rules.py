"""The interval rules (docs/live.md, "Intervals"), and a game that turns final through a
patch getting one last full capture."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from fieldhouse.runs.watch import Rules
from fieldhouse.sources.mlb.watch import GameWatch
from fieldhouse.sources.watching import Polled

from ..mlb.helpers import LIVE_717209, feed


def test_the_server_wait_then_the_back_off_then_the_ceiling():
    rules = Rules(floor=5, jitter=0, idle_after=3, max_interval=300)
    polled = Polled("in_progress", changed=False, wait=10)
    assert [rules.next_interval(polled, quiet) for quiet in range(8)] == [10, 10, 10, 20, 40, 80, 160, 300]
    assert rules.next_interval(polled, 0, failures=2) == 40
    assert rules.next_interval(Polled("scheduled", True, wait=1), 0) == 5  # never below the floor
    assert rules.next_interval(None, 0) == 10  # no suggestion: the default wait
    assert Rules(fixed=0.5, floor=0, jitter=0).next_interval(polled, 0) == 0.5


@given(st.floats(0, 60), st.floats(0.1, 120), st.floats(0, 1), st.integers(0, 40), st.integers(0, 5),
       st.integers(0, 2**32))
def test_an_interval_is_never_below_the_floor_and_within_the_jitter(floor, wait, jitter, quiet, failures, seed):
    rules = Rules(floor=floor, jitter=jitter, idle_after=3, max_interval=300)
    got = rules.next_interval(Polled("in_progress", False, wait=wait), quiet, failures, random.Random(seed))
    plain = Rules(floor=0, jitter=0, idle_after=3, max_interval=300).next_interval(
        Polled("in_progress", False, wait=wait), quiet, failures)
    assert got >= floor
    assert got <= max(floor, plain * (1 + jitter)) + 1e-9
    assert got >= max(floor, plain * (1 - jitter)) - 1e-9


class _Client:
    """Answers a game's requests from a list, and records them."""

    def __init__(self, answers):
        self.answers, self.asked = list(answers), []

    def _next(self, what, data):
        from fieldhouse.sources.http.response import Response

        self.asked.append(what)
        return Response("mlb", what, {"gamePk": "717209"}, b"{}", data, __import__("datetime").datetime.now())

    def feed(self, pk):
        return self._next("feed/live", self.answers.pop(0))

    def diff_patch(self, pk, start):
        return self._next("feed/live/diffPatch", self.answers.pop(0))


def test_a_game_turned_final_by_a_patch_gets_one_last_full_capture():
    live = feed(LIVE_717209)
    to_final = [{"diff": [{"op": "replace", "path": "/gameData/status/abstractGameState", "value": "Final"},
                          {"op": "replace", "path": "/gameData/status/codedGameState", "value": "F"},
                          {"op": "replace", "path": "/gameData/status/detailedState", "value": "Final"},
                          {"op": "replace", "path": "/metaData/timeStamp", "value": "20230730_031531"}]}]
    final = feed(LIVE_717209)  # stands for the server's final capture (the test needs its time code only)
    final["gameData"]["status"].update(abstractGameState="Final", codedGameState="F", detailedState="Final")
    final["metaData"]["timeStamp"] = "20230730_031532"
    client = _Client([live, to_final, final])
    game = GameWatch(client, stores=None, game_pk=717209)  # type: ignore[arg-type]
    game.write = lambda store, poll: setattr(game, "_pending", poll.state) or poll  # no database here
    hows = []
    for _ in range(3):
        poll = game.fetch()
        hows.append(poll.how)
        game._pending = poll.state
        game.accept()
    assert hows == ["full", "patch", "full"]
    assert client.asked == ["feed/live", "feed/live/diffPatch", "feed/live"]
    assert game.state["metaData"]["timeStamp"] == "20230730_031532"
