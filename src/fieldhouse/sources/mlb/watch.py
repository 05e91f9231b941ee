"""``fieldhouse watch mlb``: the day's games polled while they are played (docs/live.md).

:class:`GameWatch` is one game: its first poll is a full feed (or the newest capture the
raw zone holds, after a restart), then ``feed/live/diffPatch?startTimecode=T`` applied in
memory (:mod:`.patch`); a full feed again when the patch cannot be applied (nothing of it
is stored), every ``full_every`` polls, and once more when the game turns Final, Cancelled
or Postponed, after which it is done.  Every state lands in the raw zone as a full capture
and goes through the same handler as ``sync mlb`` (one poll: one unit, one transaction);
the raw zone keeps the newest ``keep_captures`` captures of the game.

:class:`MLBWatchPlan` gives the games: ``--games`` as given, else the day's schedule (read
again whenever the loop asks), each game not already final in the database.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ...errors import BadResponseError, error_text
from ...stores.counts import Counts
from ...stores.roles import Stores
from ..http.response import Response, canonical_params
from ..raw import RAW_TABLE, RawResponse, land
from ..watching import TERMINAL_STATES, Polled
from .client import MLBClient
from .functions import game_status
from .patch import PatchFailed, apply_diff_patch, is_whole_feed
from .units import DONE, SOURCE, listed_games, stored_status, write_response

log = logging.getLogger("fieldhouse.mlb")
FEED = "feed/live"
DIFF = "feed/live/diffPatch"


def stamp(state: dict[str, Any]) -> str:
    return str((state.get("metaData") or {}).get("timeStamp") or "")


def state_word(data: dict[str, Any]) -> str:
    status = (data.get("gameData") or {}).get("status") or {}
    return game_status(status.get("abstractGameState"), status.get("codedGameState"),
                       status.get("detailedState")) or "scheduled"


def shown(data: dict[str, Any]) -> dict[str, Any]:
    """What the live table shows of a feed: teams, score, inning, state."""
    teams = (data.get("gameData") or {}).get("teams") or {}
    line = (data.get("liveData") or {}).get("linescore") or {}
    runs = {side: ((line.get("teams") or {}).get(side) or {}).get("runs") for side in ("away", "home")}
    inning = f"{line.get('inningHalf') or ''} {line.get('currentInning') or ''}".strip()
    return {"game": "@".join(str((teams.get(s) or {}).get("abbreviation") or "?") for s in ("away", "home")),
            "score": f"{runs['away'] if runs['away'] is not None else 0}-{runs['home'] if runs['home'] is not None else 0}",
            "inning": inning, "detail": ((data.get("gameData") or {}).get("status") or {}).get("detailedState")}


@dataclass
class Poll:
    """What a game's fetch brings: the responses to land and map, and the state after them."""

    state: dict[str, Any] | None
    responses: list[Response]
    how: str
    full: bool


@dataclass
class GameWatch:
    """One game, polled again and again (a :class:`~fieldhouse.sources.watching.Watched`)."""

    client: MLBClient
    stores: Stores
    game_pk: int
    full_every: int = 20
    keep_captures: int = 20
    keep_diffs: bool = False
    kind: str = "watch"
    state: dict[str, Any] | None = None
    polls: int = 0
    last: Polled | None = None
    _pending: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{SOURCE}/game/{self.game_pk}"

    # -- state held ------------------------------------------------------------------
    def resume(self) -> None:
        """Take the newest capture of the game the raw zone holds as the state (a restart
        after SIGKILL goes on from there: its next poll asks only for what changed since)."""
        if not self.stores.control.table_exists(RAW_TABLE):
            return
        rows = self.stores.control.rows(RAW_TABLE, where=self._request())
        best: dict[str, Any] | None = None
        for row in rows:
            data = RawResponse.from_row(row).data
            if isinstance(data, dict) and (best is None or stamp(data) > stamp(best)):
                best = data
        if best is not None:
            self.state = best
            log.info("game %s: resuming from the stored capture of %s", self.game_pk, stamp(best))

    def _request(self) -> dict[str, Any]:
        params = json.dumps(canonical_params({"gamePk": self.game_pk}), sort_keys=True, separators=(",", ":"))
        return {"source": SOURCE, "endpoint": FEED, "params": params}

    # -- one poll --------------------------------------------------------------------
    def fetch(self) -> Poll:
        self.polls += 1
        held = self.state
        if held is None or self.polls % self.full_every == 0 or state_word(held) in TERMINAL_STATES:
            return self._full("full")
        try:
            answer = self.client.diff_patch(self.game_pk, stamp(held))
        except BadResponseError as exc:  # refused by the validator: never stored
            return self._full(f"fallback: {error_text(exc)}")
        diffs = [answer] if self.keep_diffs and not is_whole_feed(answer.data) else []
        if answer.data == []:
            return Poll(held, diffs, "unchanged", False)
        try:
            new = apply_diff_patch(held, answer.data, self.game_pk)
        except PatchFailed as exc:
            log.warning("game %s: the patch from %s cannot be applied (%s): fetching the whole feed",
                        self.game_pk, stamp(held), exc)
            return self._full(f"fallback: {exc}")
        if is_whole_feed(answer.data):
            return Poll(*self._newest(held, replace(answer, endpoint=FEED, params=self._params())), "whole game", True)
        body = json.dumps(new, separators=(",", ":"), ensure_ascii=False).encode()
        applied = replace(answer, endpoint=FEED, params=self._params(), body=body, data=new)
        return Poll(new, [*diffs, applied], "patch", False)

    def _params(self) -> dict[str, str]:
        return canonical_params({"gamePk": self.game_pk})

    def _full(self, how: str) -> Poll:
        response = self.client.feed(self.game_pk)
        state, responses = self._newest(self.state, response)
        return Poll(state, responses, how, True)

    def _newest(self, held: dict[str, Any] | None, response: Response) -> tuple[dict[str, Any], list[Response]]:
        """The state after a whole feed: the feed, unless the state held is newer (a late,
        older capture is landed, its rows stale, but never becomes the state)."""
        if held is not None and stamp(held) > stamp(response.data):
            log.info("game %s: the feed of %s is older than the state held (%s): kept as a capture only",
                     self.game_pk, stamp(response.data), stamp(held))
            return held, [response]
        return response.data, [response]

    def write(self, store: Any, fetched: Poll) -> Counts:
        results = Counts.of(*(write_response(self.stores, r) if r.endpoint == FEED
                              else {} for r in fetched.responses))
        for response in fetched.responses:
            if response.endpoint == DIFF:
                land(self.stores.control, response)
        before = self.state
        self._pending = fetched.state
        state = fetched.state or {}
        word = state_word(state)
        changed = before is None or stamp(state) != stamp(before)
        wait = (state.get("metaData") or {}).get("wait")
        self.last = Polled(word, changed, float(wait) if isinstance(wait, int | float) else None,
                           done=word in TERMINAL_STATES and fetched.full, how=fetched.how,
                           version=stamp(state), shown=shown(state))
        self.prune()
        return results

    def accept(self) -> None:
        """The poll committed: its state is the state held."""
        if self._pending is not None:
            self.state = self._pending

    def prune(self) -> int:
        """Keep the newest ``keep_captures`` full captures of the game in the raw zone."""
        control = self.stores.control
        if not control.table_exists(RAW_TABLE):
            return 0
        request = self._request()
        rows = control.rows(RAW_TABLE, where=request, columns=["content_hash", "captured_at"],
                            order_by=["captured_at"])
        gone = 0
        for row in rows[: max(0, len(rows) - self.keep_captures)]:
            gone += control.delete_rows(RAW_TABLE, {**request, "content_hash": row["content_hash"]})
        return gone


@dataclass
class MLBWatchPlan:
    """The games of ``day`` (or ``games``) to watch; see the module docstring."""

    client: MLBClient
    stores: Stores
    day: date
    games: list[int] | None = None
    knobs: dict[str, Any] = field(default_factory=dict)
    watched: dict[int, GameWatch] = field(default_factory=dict)

    @property
    def scope(self) -> str:
        return self.day.isoformat()

    def targets(self) -> list[GameWatch]:
        if self.games:
            wanted = list(self.games)
        else:
            response = self.client.schedule(self.day, self.day)
            write_response(self.stores, response)
            wanted = list(dict.fromkeys(int(g["gamePk"]) for g in listed_games(response.data)))
        for pk in wanted:
            if pk not in self.watched:
                if stored_status(self.stores.data, pk) in DONE:
                    continue
                game = GameWatch(self.client, self.stores, pk, **self.knobs)
                game.resume()
                self.watched[pk] = game
        return list(self.watched.values())


__all__ = ["GameWatch", "MLBWatchPlan", "Poll"]
