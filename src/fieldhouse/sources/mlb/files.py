"""Folders of recorded MLB responses (what ``fieldhouse sync mlb --from-files DIR`` reads).

Files may have any names, be plain JSON or gzipped (recognised by the magic bytes), with
or without a UTF-8 byte order mark, and be a bare API body or the pymlb_statsapi envelope
``{endpoint, method, path_params, query_params, url, status_code, response}``.  Each file is
recognised by the shape of its body, checked by the endpoint's validator, and yielded as a
:class:`Recorded` (kind, params, body, capture time); a file that cannot be read, is not a
response fieldhouse knows, or fails its validator is yielded as an :class:`Unusable` with
its path and the reason: nothing is skipped silently.

Capture time: a feed's ``metaData.timeStamp`` (its last update, UTC); a diffPatch's newest
``/metaData/timeStamp``; anything else the file's modification time (an envelope records
no time).  Files are read one at a time, so a season of feeds streams.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...errors import BadResponseError
from . import validate
from .functions import timecode

#: Every kind of response a folder may hold.
KINDS = ("feed", "diff_patch", "schedule", "teams", "people", "boxscore", "linescore",
         "play_by_play", "roster", "seasons")
ENVELOPE_KEYS = frozenset({"endpoint", "method", "path_params", "query_params", "url", "status_code", "response"})
#: How a kind is named in messages (the end of its API path).
LABELS = {"feed": "feed/live", "diff_patch": "feed/live/diffPatch", "play_by_play": "playByPlay"}
FILE_TIME = "file modification time"
FEED_TIME = "metaData.timeStamp"


@dataclass(frozen=True)
class Recorded:
    """One recognised response: what it is, the request's parameters as far as the file
    tells them (``gamePk``, ``date`` / ``startDate`` / ``endDate``, ``season``, ``personIds``,
    an envelope's query), the parsed body, and when it was captured (and from what)."""

    path: Path
    kind: str
    params: dict[str, Any]
    data: Any = field(repr=False)
    captured_at: datetime
    captured_at_from: str
    envelope: bool = False


@dataclass(frozen=True)
class Unusable:
    """A file that is not a usable response, and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class _Unusable(Exception):
    pass


def scan(folder: str | Path) -> Iterator[Recorded | Unusable]:
    """Every file under ``folder`` (recursively, in name order) as Recorded or Unusable."""
    root = Path(folder)
    if root.is_file():
        yield read_file(root)
        return
    if not root.is_dir():
        yield Unusable(root, "no such folder")
        return
    for path in paths(root):
        yield read_file(path)


def paths(folder: str | Path) -> Iterator[Path]:
    """Every file under ``folder``, recursively, in name order (folders by name too)."""
    for directory, subdirs, names in os.walk(folder):
        subdirs.sort()
        for name in sorted(names):
            yield Path(directory) / name


def read_file(path: str | Path) -> Recorded | Unusable:
    """One file as a Recorded response, or Unusable with the reason."""
    path = Path(path)
    try:
        return _read(path)
    except _Unusable as exc:
        return Unusable(path, str(exc))


def _read(path: Path) -> Recorded:
    raw = _load(path)
    envelope = isinstance(raw, dict) and ENVELOPE_KEYS <= set(raw)
    body = raw["response"] if envelope else raw
    if envelope and raw.get("status_code") not in (200, None):
        raise _Unusable(f"the recorded response has HTTP status {raw.get('status_code')}")
    kind = recognise(body)
    if kind is None:
        shown = ", ".join(sorted(map(str, body))[:6]) if isinstance(body, dict) else type(body).__name__
        raise _Unusable(f"not an MLB Stats API response fieldhouse knows (keys: {shown})")
    params = _params(kind, body, raw if envelope else None)
    try:
        _VALIDATORS[kind](LABELS.get(kind, kind), body, params)
    except BadResponseError as exc:
        raise _Unusable(str(exc)) from None
    captured, source = _captured_at(kind, body, path)
    return Recorded(path, kind, params, body, captured, source, envelope)


def _load(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Unusable(f"cannot read: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise _Unusable(f"looks gzipped but cannot be decompressed: {exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unusable(f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise _Unusable("empty file")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _Unusable(f"not JSON (truncated?): {exc}") from None


def recognise(body: Any) -> str | None:
    """The kind of response ``body`` is, by its shape (None: not one fieldhouse knows)."""
    if isinstance(body, list):
        return "diff_patch" if all(isinstance(p, dict) and "diff" in p for p in body) else None
    if not isinstance(body, dict):
        return None
    if "gameData" in body or "liveData" in body:
        return "feed"  # a feed missing one of the two fails its validator, with the reason
    teams = body.get("teams")
    for kind, test in (
        ("schedule", isinstance(body.get("dates"), list)),
        ("people", isinstance(body.get("people"), list)),
        ("teams", isinstance(teams, list)),
        ("boxscore", isinstance(teams, dict) and any(isinstance(t, dict) and "players" in t for t in teams.values())),
        ("linescore", isinstance(body.get("innings"), list)),
        ("play_by_play", isinstance(body.get("allPlays"), list)),
        ("roster", isinstance(body.get("roster"), list)),
        ("seasons", isinstance(body.get("seasons"), list)),
    ):
        if test:
            return kind
    return None


def _params(kind: str, body: Any, envelope: dict[str, Any] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if envelope:
        params.update({str(k): v for k, v in (envelope.get("query_params") or {}).items()})
        for key, value in (envelope.get("path_params") or {}).items():
            params["gamePk" if key in ("game_pk", "gamePk") else str(key)] = value
        if "gamePk" in params:
            params["gamePk"] = _pk(params["gamePk"])
    if kind == "feed" and "gamePk" not in params and isinstance(body.get("gamePk"), int):
        params["gamePk"] = body["gamePk"]  # an envelope's gamePk is the one asked for: the validator compares
    elif kind == "schedule" and not any(k in params for k in ("date", "startDate", "endDate")):
        dates = sorted(d["date"] for d in body["dates"] if isinstance(d, dict) and isinstance(d.get("date"), str))
        if len(dates) == 1:
            params["date"] = dates[0]
        elif dates:
            params["startDate"], params["endDate"] = dates[0], dates[-1]
    elif kind == "people" and "personIds" not in params:
        ids = [str(p["id"]) for p in body["people"] if isinstance(p, dict) and "id" in p]
        params["personIds"] = ",".join(ids)
    elif kind == "teams" and "season" not in params:
        seasons = {t.get("season") for t in body["teams"] if isinstance(t, dict)} - {None}
        if len(seasons) == 1:
            params["season"] = str(seasons.pop())
    return params


_VALIDATORS = {
    "feed": lambda name, body, params: validate.feed(name, body, params.get("gamePk")),
    "diff_patch": lambda name, body, params: validate.diff_patch(name, body, params.get("gamePk")),
    "schedule": validate.schedule,
    "people": validate.people,
    "teams": lambda name, body, params: validate.teams(name, body),
    "boxscore": lambda name, body, params: validate.boxscore(name, body),
    "linescore": lambda name, body, params: validate.linescore(name, body),
    "play_by_play": lambda name, body, params: validate.play_by_play(name, body),
    "roster": lambda name, body, params: None,
    "seasons": lambda name, body, params: None,
}


def _pk(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _Unusable(f"the envelope's game_pk {value!r} is not a number") from None


def _captured_at(kind: str, body: Any, path: Path) -> tuple[datetime, str]:
    if kind == "feed":
        return timecode(body["metaData"]["timeStamp"]), FEED_TIME  # the validator checked it
    if kind == "diff_patch":
        stamps = [op.get("value") for patch in body for op in patch["diff"]
                  if op.get("path") == "/metaData/timeStamp" and op.get("op") in ("add", "replace")]
        stamps = [s for s in stamps if isinstance(s, str)]
        if stamps:
            try:
                return timecode(max(stamps)), FEED_TIME
            except ValueError:
                raise _Unusable(f"the patch sets metaData.timeStamp to {max(stamps)!r}, not a time code") from None
    return datetime.fromtimestamp(path.stat().st_mtime, UTC), FILE_TIME


__all__ = ["KINDS", "Recorded", "Unusable", "paths", "read_file", "recognise", "scan"]
