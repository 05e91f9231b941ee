"""The feed's time codes: the fixed-width fast path reads what strptime reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldhouse.sources.mlb.functions import timecode


def _strptime(text: str) -> datetime:
    return datetime.strptime(text.replace("_", ""), "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(datetime(1000, 1, 1), datetime(9999, 12, 31)))
def test_a_valid_time_code_gives_the_strptime_instant(moment: datetime) -> None:
    text = moment.strftime("%Y%m%d_%H%M%S")
    assert timecode(text) == _strptime(text) == moment.replace(microsecond=0, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(st.text("0123456789", min_size=8, max_size=8), st.text("0123456789", min_size=6, max_size=6))
def test_any_digits_give_what_strptime_gives_or_its_error(day: str, clock: str) -> None:
    text = f"{day}_{clock}"
    try:
        expected = _strptime(text)
    except ValueError as exc:
        with pytest.raises(ValueError) as raised:
            timecode(text)
        assert str(raised.value) == str(exc)
    else:
        assert timecode(text) == expected
