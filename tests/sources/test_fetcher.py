"""The HTTP layer against the fake server: retries, Retry-After, caps, breaker, rate limit,
validation and logging.  The clock is fake: asserted waits were never really slept."""

from __future__ import annotations

import dataclasses
import logging
import random
from datetime import timedelta
from email.utils import format_datetime

import pytest

from fieldhouse.errors import BadResponseError, CircuitOpenError, FetchError
from fieldhouse.sources.http import Fetcher, FetchPolicy

from .conftest import EXACT, PLAYOFFS

PATH = "/stats/leaguegamelog"


def policy(**changes) -> FetchPolicy:
    return dataclasses.replace(EXACT, **changes)


def test_a_good_response_is_accepted_on_the_first_attempt(make_fetcher, server, clock):
    response = make_fetcher().get("leaguegamelog", {**PLAYOFFS, "Counter": 0, "DateFrom": None})
    assert response.attempts == 1
    assert len(response.data["resultSets"][0]["rowSet"]) == 164
    assert response.params == {"Counter": "0", "Season": "2018-19", "SeasonType": "Playoffs"}
    assert server.requests[0].query == {"Counter": "0", "Season": "2018-19", "SeasonType": "Playoffs"}
    assert response.captured_at == clock.utcnow()
    assert clock.sleeps == []


def test_5xx_is_retried_with_exponential_backoff(make_fetcher, server, clock):
    server.fail("status", status=500, times=2)
    server.fail("status", status=503)
    response = make_fetcher().get("leaguegamelog", PLAYOFFS)
    assert response.attempts == 4
    assert server.hits(PATH) == 4
    assert clock.sleeps == [2.0, 4.0, 8.0]


def test_backoff_is_capped_and_jittered_within_bounds(make_fetcher, server, clock):
    server.fail("status", status=502, times=5)
    fetcher = make_fetcher(policy(max_attempts=6, backoff_max=5.0, backoff_jitter=1.0,
                                  max_total_wait=1000), rng=random.Random(1))
    fetcher.get("leaguegamelog", PLAYOFFS)
    bases = [2.0, 4.0, 5.0, 5.0, 5.0]
    assert len(clock.sleeps) == 5
    assert all(b <= s <= b + 1.0 for b, s in zip(bases, clock.sleeps, strict=True))
    assert len({round(s - b, 6) for b, s in zip(bases, clock.sleeps, strict=True)}) > 1  # jitter


def test_429_waits_exactly_the_retry_after_seconds(make_fetcher, server, clock):
    server.fail("status", status=429, retry_after="7")
    response = make_fetcher().get("leaguegamelog", PLAYOFFS)
    assert response.attempts == 2
    assert clock.sleeps == [7.0]


def test_retry_after_as_an_http_date_is_honoured(make_fetcher, server, clock):
    when = clock.utcnow() + timedelta(seconds=12)
    server.fail("status", status=503, retry_after=format_datetime(when, usegmt=True))
    make_fetcher().get("leaguegamelog", PLAYOFFS)
    assert clock.sleeps == [12.0]


def test_a_retry_after_beyond_the_wait_cap_gives_up_without_waiting(make_fetcher, server, clock):
    server.fail("status", status=429, retry_after="3600")
    with pytest.raises(FetchError, match="cap on waiting") as info:
        make_fetcher().get("leaguegamelog", PLAYOFFS)
    assert info.value.status == 429 and info.value.attempts == 1
    assert clock.sleeps == []
    assert server.hits(PATH) == 1


def test_attempts_are_capped(make_fetcher, server, clock):
    server.fail("status", status=500, times=10)
    with pytest.raises(FetchError, match="gave up after 3 attempts") as info:
        make_fetcher(policy(max_attempts=3)).get("leaguegamelog", PLAYOFFS)
    assert info.value.attempts == 3 and info.value.status == 500
    assert server.hits(PATH) == 3
    assert clock.sleeps == [2.0, 4.0]


def test_total_wait_per_request_is_capped(make_fetcher, server, clock):
    server.fail("status", status=500, times=10)
    with pytest.raises(FetchError, match="cap on waiting"):
        make_fetcher(policy(max_total_wait=10.0)).get("leaguegamelog", PLAYOFFS)
    assert clock.sleeps == [2.0, 4.0]  # the next wait (8 s) would make 14 s > 10 s
    assert server.hits(PATH) == 3


@pytest.mark.parametrize("status", [400, 404, 403])
def test_other_4xx_is_not_retried(make_fetcher, server, clock, status):
    server.fail("status", status=status)
    with pytest.raises(FetchError, match=f"HTTP {status}") as info:
        make_fetcher().get("leaguegamelog", PLAYOFFS)
    assert info.value.status == status
    assert server.hits(PATH) == 1 and clock.sleeps == []


@pytest.mark.parametrize("kind, options", [
    ("reset", {}),
    ("cut", {}),
    ("truncate", {"keep": 0.6}),
    ("empty", {}),
    ("body", {"body": b"<html>Access Denied</html>"}),
    ("body", {"body": b'{"resource": "leaguegamelog", "parameters": {}}'}),
    ("status", {"status": 500}),
])
def test_each_fault_is_a_failed_attempt_that_is_retried(make_fetcher, server, clock, kind, options):
    server.fail(kind, **options)
    response = make_fetcher().get("leaguegamelog", PLAYOFFS)
    assert response.attempts == 2
    assert [r.fault for r in server.requests] == [kind, None]
    assert len(response.data["resultSets"][0]["rowSet"]) == 164


def test_a_read_timeout_is_retried(make_fetcher, server, clock):
    server.fail("delay", seconds=2.0)
    response = make_fetcher(policy(read_timeout=0.05)).get("leaguegamelog", PLAYOFFS)
    assert response.attempts == 2
    assert clock.sleeps == [2.0]


def test_a_connection_refused_is_retried_then_reported(clock):
    fetcher = Fetcher("nba", "http://127.0.0.1:9/stats", policy(max_attempts=2), clock=clock)
    with pytest.raises(FetchError, match="connection failed"):
        fetcher.get("leaguegamelog", PLAYOFFS)
    assert clock.sleeps == [2.0]


def test_a_bad_body_every_time_is_reported_as_bad_response(make_fetcher, server):
    server.fail("empty", times=3)
    with pytest.raises(BadResponseError, match="empty"):
        make_fetcher(policy(max_attempts=3)).get("leaguegamelog", PLAYOFFS)


def test_the_circuit_breaker_stops_calling_the_host(make_fetcher, server, clock):
    server.fail("status", status=500, times=100)
    fetcher = make_fetcher(policy(max_attempts=2, breaker_threshold=3, breaker_reset_after=60.0))
    with pytest.raises(FetchError):
        fetcher.get("leaguegamelog", PLAYOFFS)  # failures 1 and 2
    with pytest.raises(CircuitOpenError, match="stopped calling 127.0.0.1"):
        fetcher.get("leaguegamelog", PLAYOFFS)  # failure 3 opens the circuit
    assert server.hits(PATH) == 3
    with pytest.raises(CircuitOpenError):
        fetcher.get("leaguegamelog", PLAYOFFS)
    assert server.hits(PATH) == 3  # not called while open

    server.faults.clear()
    clock.advance(61.0)  # after reset_after, one trial request goes through
    assert fetcher.get("leaguegamelog", PLAYOFFS).attempts == 1
    assert not fetcher.breaker.is_open and fetcher.breaker.failures == 0


def test_a_failed_trial_reopens_the_circuit_at_once(make_fetcher, server, clock):
    server.fail("status", status=500, times=100)
    fetcher = make_fetcher(policy(max_attempts=1, breaker_threshold=2, breaker_reset_after=60.0))
    for _ in range(2):
        with pytest.raises(FetchError):
            fetcher.get("leaguegamelog", PLAYOFFS)
    clock.advance(61.0)
    with pytest.raises(FetchError):
        fetcher.get("leaguegamelog", PLAYOFFS)  # the trial fails
    with pytest.raises(CircuitOpenError):
        fetcher.get("leaguegamelog", PLAYOFFS)
    assert server.hits(PATH) == 3


def test_success_resets_the_consecutive_failure_count(make_fetcher, server):
    fetcher = make_fetcher(policy(breaker_threshold=3))
    for _ in range(3):
        server.fail("status", status=500, times=2)
        fetcher.get("leaguegamelog", PLAYOFFS)  # two failures, then success
    assert not fetcher.breaker.is_open


def test_rate_limit_spaces_requests_by_interval_plus_jitter(make_fetcher, server, clock):
    fetcher = make_fetcher(policy(min_interval=1.0, jitter=0.3), rng=random.Random(3))
    for _ in range(6):
        fetcher.get("leaguegamelog", PLAYOFFS)
    assert len(clock.sleeps) == 5  # nothing before the first request
    assert all(0.7 <= s <= 1.3 for s in clock.sleeps)
    assert len(set(clock.sleeps)) > 1


def test_rate_limit_also_spaces_retries(make_fetcher, server, clock):
    server.fail("status", status=500)
    make_fetcher(policy(min_interval=5.0)).get("leaguegamelog", PLAYOFFS)
    # backoff 2 s, then the limiter tops the gap up to 5 s
    assert clock.sleeps == [2.0, 3.0]


def test_a_source_settings_override_the_http_policy():
    from fieldhouse.settings import Settings
    from fieldhouse.sources.nba.settings import NBASettings

    settings = Settings()
    p = FetchPolicy.from_settings(settings, settings.for_source("nba", NBASettings))
    assert (p.min_interval, p.jitter) == (1.0, 0.3)
    settings = Settings(nba={"min_interval": 2.5}, http_max_attempts=2)
    custom = FetchPolicy.from_settings(settings, settings.for_source("nba", NBASettings))
    assert (custom.min_interval, custom.max_attempts) == (2.5, 2)


def test_every_attempt_is_logged_without_secrets(make_fetcher, server, caplog):
    server.fail("status", status=503)
    caplog.set_level(logging.INFO, logger="fieldhouse.http")
    make_fetcher().get("leaguegamelog", {**PLAYOFFS, "api_key": "hunter2"},
                       headers={"Authorization": "Bearer sesame"})
    records = [r for r in caplog.records if r.name == "fieldhouse.http"]
    assert [(r.attempt, r.status) for r in records] == [(1, 503), (2, 200)]
    assert all(r.endpoint == "leaguegamelog" for r in records)
    text = caplog.text
    assert "Season" in text and "duration=" in text
    assert "hunter2" not in text and "sesame" not in text


def test_the_same_layer_serves_mlb_with_its_validator(server, clock, fixtures_dir):
    from fieldhouse.sources.mlb.validate import mlb_stats

    envelope = fixtures_dir / "mlb/schedule/schedule_date-2024-10-25_sportId-1.pymlb_envelope.json.gz"
    server.add_file("/api/v1/schedule", envelope, match={"date": "2024-10-25"})
    fetcher = Fetcher("mlb", server.url("/api"), policy(), validator=mlb_stats, clock=clock)
    server.fail("body", body=b'{"copyright": "x"}')  # no "dates": a failed attempt
    response = fetcher.get("v1/schedule", {"sportId": 1, "date": "2024-10-25"})
    assert response.attempts == 2
    assert response.data["dates"][0]["games"][0]["gamePk"] == 775300
