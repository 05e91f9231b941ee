"""Functions the MLB mappings call by name (registered with the mapping layer).

Each is a plain function of values the mapping reads with ``path(...)``: what the mapping
language cannot say itself (the count before a pitch is in the *previous* event; the feed's
``YYYYMMDD_HHMMSS`` time codes; membership in a list).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ...mapping import register_function

_TIMECODE = re.compile(r"^(\d{8})_(\d{6})$")
_STOPPED = {"D": "postponed", "C": "cancelled", "T": "suspended", "U": "suspended"}  # codedGameState
_HEIGHT = re.compile(r"""^\s*(\d+)\s*'\s*(\d+)?\s*"?\s*$""")


def timecode(text: Any) -> datetime | None:
    """``"20230730_031531"`` (the feed's ``metaData.timeStamp``, UTC) -> an aware datetime."""
    if text is None:
        return None
    match = _TIMECODE.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a time code (YYYYMMDD_HHMMSS)")
    day, clock = match[1], match[2]
    if day.isascii() and clock.isascii():  # fixed widths: what strptime reads, 20 times faster
        try:
            return datetime(int(day[:4]), int(day[4:6]), int(day[6:]), int(clock[:2]), int(clock[2:4]),
                            int(clock[4:]), tzinfo=UTC)
        except ValueError:
            pass  # strptime decides (and words the reason)
    return datetime.strptime(day + clock, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def count_before(events: Any, index: Any, field: str) -> int | None:
    """Balls, strikes or outs just BEFORE event ``index`` of a play: the count the previous
    event left (``playEvents[].count`` is the count after each event: automatic balls and
    strikes, pickoffs and steals carry it too), 0 for the first event."""
    if not isinstance(events, Sequence) or index is None:
        return None
    i = int(index)
    if i == 0:
        return 0
    previous = events[i - 1]
    count = previous.get("count") if isinstance(previous, Mapping) else None
    if not isinstance(count, Mapping) or count.get(field) is None:
        raise ValueError(f"playEvents[{i - 1}] has no count.{field}")
    return int(count[field])


def play_started(play: Any) -> bool:
    """Whether an ``allPlays[]`` entry is a plate appearance yet.  Before the first pitch of
    a game the feed holds a placeholder at-bat whose only events are game advisories
    ("Status Change - Warmup"); it becomes a play once anything else happens.  A complete
    play, or a batter at the plate with no events yet, is a play."""
    if not isinstance(play, Mapping):
        return False
    if (play.get("about") or {}).get("isComplete"):
        return True
    events = play.get("playEvents") or []
    return not events or any(((e.get("details") or {}).get("eventType") != "game_advisory") for e in events)


def game_status(abstract: Any, coded: Any, detailed: Any) -> str | None:
    """One word for a game's state from the API's three: ``scheduled`` (Preview, and the
    pre-game states Warmup / Delayed Start, coded P), ``in_progress``, ``final`` (Final,
    Game Over), ``postponed``, ``cancelled``, ``suspended``."""
    if abstract is None:
        return None
    text = str(detailed or "").lower()
    for word in ("postponed", "cancelled", "suspended"):
        if word in text:
            return word
    if coded in _STOPPED:
        return _STOPPED[coded]
    if abstract == "Final":
        return "final"
    if abstract == "Live":
        return "scheduled" if coded in ("P", "S") else "in_progress"
    return "scheduled"


def count_true(items: Any, dotted: str) -> int | None:
    """How many items of a list have a true value at ``dotted`` (``details.isScoringEvent``)."""
    if items is None:
        return None
    keys = dotted.split(".")
    total = 0
    for item in items:
        value: Any = item
        for key in keys:
            value = value.get(key) if isinstance(value, Mapping) else None
        total += value is True
    return total


def contains(items: Any, value: Any) -> bool | None:
    if items is None or value is None:
        return None
    return value in items


def index_of(items: Any, value: Any) -> int | None:
    """Position of ``value`` in a list (null if it is not there)."""
    if not isinstance(items, Sequence) or value is None:
        return None
    try:
        return list(items).index(value)
    except ValueError:
        return None


def height_inches(text: Any) -> int | None:
    """``6' 2"`` -> 74."""
    if text is None or text == "":
        return None
    match = _HEIGHT.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a height like 6' 2\"")
    return int(match[1]) * 12 + int(match[2] or 0)


def positions(items: Any) -> str | None:
    """``allPositions`` -> ``"2B-SS"`` (the order a box score prints them)."""
    if not items:
        return None
    return "-".join(str(p.get("abbreviation")) for p in items if isinstance(p, Mapping))


FUNCTIONS = {
    "mlb_timecode": timecode,
    "mlb_count_before": count_before,
    "mlb_play_started": play_started,
    "mlb_game_status": game_status,
    "mlb_count_true": count_true,
    "mlb_contains": contains,
    "mlb_index_of": index_of,
    "mlb_height_inches": height_inches,
    "mlb_positions": positions,
}


def register() -> None:
    for name, fn in FUNCTIONS.items():
        register_function(name, fn)
