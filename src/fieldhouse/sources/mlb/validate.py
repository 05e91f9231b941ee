"""Is an MLB Stats API body acceptable data?  Each validator raises
:class:`~fieldhouse.errors.BadResponseError` (what is wrong, and where) or returns None.

``validate(endpoint, data, params=None)`` picks the validator by the endpoint's path
(``v1.1/game/717209/feed/live``, ``v1/schedule``, ...; the gamePk in the path is the one
the body must describe); its first two arguments are those of the fetcher's validators.
The checks are of shape and consistency only: a body that passes can still hold rows the
mapping rejects into the quarantine (a game without teams), but a body that fails is never
stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...errors import BadResponseError

_GAME = re.compile(r"(?:^|/)game/(?P<pk>\d+)/(?P<what>feed/live/diffPatch|feed/live|boxscore|linescore|playByPlay)$")
_TIMECODE = re.compile(r"^\d{8}_\d{6}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PATCH_OPS = frozenset({"add", "remove", "replace", "copy", "move", "test"})


def _bad(endpoint: str, why: str) -> BadResponseError:
    return BadResponseError(f"{endpoint}: unexpected response shape: {why}", endpoint=endpoint)


def _object(endpoint: str, data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _bad(endpoint, f"{where} is a {type(data).__name__}, not an object")
    return data


def _list(endpoint: str, data: Mapping[str, Any], key: str, where: str = "") -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        got = "missing" if value is None else f"a {type(value).__name__}"
        raise _bad(endpoint, f"{where}{key} is {got}, not a list")
    return value


def _dig(data: Any, dotted: str) -> Any:
    """The value at a dotted path, or None if any step is missing or not an object."""
    for key in dotted.split("."):
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def _int(endpoint: str, value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(endpoint, f"{where} is {value!r}, not an integer")
    return value


# ---------------------------------------------------------------------------- feeds

def feed(endpoint: str, data: Any, game_pk: int | None = None) -> None:
    """A live feed: gamePk (the one asked for), a metaData.timeStamp time code (the rows'
    version), gameData (game, status, teams, players) and liveData (plays, linescore,
    boxscore), with plays whose atBatIndex is their position and scoringPlays and
    playsByInning that point at plays that are there (a trimmed feed does not)."""
    body = _object(endpoint, data, "the body")
    for key in ("gameData", "liveData"):
        if not isinstance(body.get(key), Mapping):
            raise _bad(endpoint, f"a live feed without {key}")
    pk = _int(endpoint, body.get("gamePk"), "gamePk")
    if game_pk is not None and pk != game_pk:
        raise _bad(endpoint, f"asked for game {game_pk}, the feed is of game {pk}")
    stamp = _dig(body, "metaData.timeStamp")
    if not isinstance(stamp, str) or not _TIMECODE.match(stamp):
        raise _bad(endpoint, f"metaData.timeStamp is {stamp!r}, not a time code YYYYMMDD_HHMMSS")
    game = body["gameData"]
    inner = _dig(game, "game.pk")
    if inner is not None and inner != pk:
        raise _bad(endpoint, f"gamePk {pk} but gameData.game.pk {inner}")
    if not _dig(game, "status.abstractGameState"):
        raise _bad(endpoint, "gameData.status.abstractGameState is missing")
    teams = _object(endpoint, game.get("teams"), "gameData.teams")
    for side in ("home", "away"):
        _int(endpoint, _object(endpoint, teams.get(side), f"gameData.teams.{side}").get("id"), f"gameData.teams.{side}.id")
    _object(endpoint, game.get("players"), "gameData.players")
    live = body["liveData"]
    _object(endpoint, live.get("linescore"), "liveData.linescore")
    boxscore(endpoint, live.get("boxscore"), "liveData.boxscore.")
    _plays(endpoint, _object(endpoint, live.get("plays"), "liveData.plays"), "liveData.plays.")


def _plays(endpoint: str, plays: Mapping[str, Any], prefix: str = "") -> None:
    all_plays = _list(endpoint, plays, "allPlays", prefix)
    for i, play in enumerate(all_plays):
        where = f"{prefix}allPlays[{i}]"
        play = _object(endpoint, play, where)
        about = _object(endpoint, play.get("about"), f"{where}.about")
        if about.get("atBatIndex") != i:
            raise _bad(endpoint, f"{where}.about.atBatIndex is {about.get('atBatIndex')!r}, not its position {i}")
        _list(endpoint, play, "playEvents", f"{where}.")
        _list(endpoint, play, "runners", f"{where}.")
    n = len(all_plays)
    referenced = [("scoringPlays", i) for i in plays.get("scoringPlays") or []]
    for k, inning in enumerate(plays.get("playsByInning") or []):
        if isinstance(inning, Mapping):
            referenced += [(f"playsByInning[{k}]", i) for half in ("top", "bottom") for i in inning.get(half) or []]
    for where, index in referenced:
        if not isinstance(index, int) or not 0 <= index < n:
            raise _bad(endpoint, f"{prefix}{where} refers to play {index!r} but allPlays has {n} "
                                 "(a partial or trimmed feed)")


def diff_patch(endpoint: str, data: Any, game_pk: int | None = None) -> None:
    """feed/live/diffPatch: a list of ``{"diff": [operations]}`` (empty: nothing changed),
    or, when the server cannot make a patch, a whole feed."""
    if isinstance(data, Mapping):
        feed(endpoint, data, game_pk)
        return
    if not isinstance(data, list):
        raise _bad(endpoint, f"a {type(data).__name__}, neither a list of patches nor a feed")
    for i, patch in enumerate(data):
        ops = _list(endpoint, _object(endpoint, patch, f"patch [{i}]"), "diff", f"[{i}].")
        for j, op in enumerate(ops):
            op = _object(endpoint, op, f"[{i}].diff[{j}]")
            if op.get("op") not in PATCH_OPS or not isinstance(op.get("path"), str):
                raise _bad(endpoint, f"[{i}].diff[{j}] is not a patch operation (op {op.get('op')!r}, path {op.get('path')!r})")


# ------------------------------------------------------------------ other endpoints

def boxscore(endpoint: str, data: Any, where: str = "") -> None:
    """A box score: teams.home and teams.away, each with its team id, a players object and
    the batters, pitchers and battingOrder lists."""
    body = _object(endpoint, data, where.rstrip(".") or "the body")
    teams = _object(endpoint, body.get("teams"), f"{where}teams")
    for side in ("home", "away"):
        team = _object(endpoint, teams.get(side), f"{where}teams.{side}")
        _int(endpoint, _dig(team, "team.id"), f"{where}teams.{side}.team.id")
        _object(endpoint, team.get("players"), f"{where}teams.{side}.players")
        for key in ("batters", "pitchers", "battingOrder"):
            _list(endpoint, team, key, f"{where}teams.{side}.")


def linescore(endpoint: str, data: Any) -> None:
    """A line score: an innings list (each with its number) and a teams object."""
    body = _object(endpoint, data, "the body")
    for i, inning in enumerate(_list(endpoint, body, "innings")):
        _int(endpoint, _object(endpoint, inning, f"innings[{i}]").get("num"), f"innings[{i}].num")
    _object(endpoint, body.get("teams"), "teams")


def play_by_play(endpoint: str, data: Any) -> None:
    """playByPlay: the plays part of a feed (allPlays, scoringPlays, playsByInning)."""
    _plays(endpoint, _object(endpoint, data, "the body"))


def schedule(endpoint: str, data: Any, params: Mapping[str, Any] | None = None) -> None:
    """A schedule: dates, each with its date and games, each game with a gamePk and a
    status; with ``date`` or ``startDate``/``endDate`` asked, no date outside them."""
    body = _object(endpoint, data, "the body")
    low, high = _date_range(params or {})
    for i, day in enumerate(_list(endpoint, body, "dates")):
        day = _object(endpoint, day, f"dates[{i}]")
        date = day.get("date")
        if not isinstance(date, str) or not _DATE.match(date):
            raise _bad(endpoint, f"dates[{i}].date is {date!r}, not a date")
        if (low and date < low) or (high and date > high):
            raise _bad(endpoint, f"dates[{i}] is {date}, outside the dates asked for ({low}..{high})")
        for j, game in enumerate(_list(endpoint, day, "games", f"dates[{i}].")):
            game = _object(endpoint, game, f"dates[{i}].games[{j}]")
            _int(endpoint, game.get("gamePk"), f"dates[{i}].games[{j}].gamePk")
            _object(endpoint, game.get("status"), f"dates[{i}].games[{j}].status")


def _date_range(params: Mapping[str, Any]) -> tuple[str | None, str | None]:
    if params.get("date"):
        return str(params["date"]), str(params["date"])
    return (str(params["startDate"]) if params.get("startDate") else None,
            str(params["endDate"]) if params.get("endDate") else None)


def teams(endpoint: str, data: Any) -> None:
    """/teams: a teams list, each team with an id and a name."""
    body = _object(endpoint, data, "the body")
    for i, team in enumerate(_list(endpoint, body, "teams")):
        team = _object(endpoint, team, f"teams[{i}]")
        _int(endpoint, team.get("id"), f"teams[{i}].id")
        if not isinstance(team.get("name"), str):
            raise _bad(endpoint, f"teams[{i}] has no name")


def people(endpoint: str, data: Any, params: Mapping[str, Any] | None = None) -> None:
    """/people: a people list, each with an id and a full name; with ``personIds`` asked,
    nobody else."""
    body = _object(endpoint, data, "the body")
    asked = {int(p) for p in str((params or {}).get("personIds") or "").split(",") if p.strip().isdigit()}
    for i, person in enumerate(_list(endpoint, body, "people")):
        person = _object(endpoint, person, f"people[{i}]")
        pid = _int(endpoint, person.get("id"), f"people[{i}].id")
        if asked and pid not in asked:
            raise _bad(endpoint, f"people[{i}] is person {pid}, who was not asked for")
        if not isinstance(person.get("fullName"), str):
            raise _bad(endpoint, f"people[{i}] has no fullName")


#: The game endpoints by the names the client gives them (a path without a gamePk).
_GAME_NAMES = ("feed/live/diffPatch", "feed/live", "boxscore", "linescore", "playByPlay")


def validate(endpoint: str, data: Any, params: Mapping[str, Any] | None = None) -> None:
    """Check ``data`` as the body of ``endpoint``: its path (``v1.1/game/717209/feed/live``,
    the gamePk checked) or the endpoint name the client gives it (``feed/live``,
    ``schedule``, ...); query ``params`` if known."""
    path = endpoint.split("?", 1)[0].strip("/")
    match = _GAME.search(path)
    if match or path in _GAME_NAMES:
        pk, what = (int(match["pk"]), match["what"]) if match else (None, path)
        if what == "feed/live":
            feed(endpoint, data, pk)
        elif what == "feed/live/diffPatch":
            diff_patch(endpoint, data, pk)
        elif what == "boxscore":
            boxscore(endpoint, data)
        elif what == "linescore":
            linescore(endpoint, data)
        else:
            play_by_play(endpoint, data)
        return
    last = path.rsplit("/", 1)[-1]
    if last == "schedule":
        schedule(endpoint, data, params)
    elif last == "teams":
        teams(endpoint, data)
    elif last == "people" or re.search(r"(?:^|/)people/\d+$", path):
        people(endpoint, data, params)
    else:
        _object(endpoint, data, "the body")


def mlb_stats(endpoint: str, data: Any) -> None:
    """:func:`validate` without the query (the source's validator, ``MLBSource.validate``)."""
    validate(endpoint, data)


__all__ = ["boxscore", "diff_patch", "feed", "linescore", "mlb_stats", "people", "play_by_play", "schedule", "teams", "validate"]
