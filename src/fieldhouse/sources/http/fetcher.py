"""The one HTTP layer every source uses: one :class:`Fetcher` per host.

Each request goes through, in order: the circuit breaker (refuse at once if the host has
failed too often), the rate limit (sleep until the next slot), the HTTP call with connect
and read timeouts, then JSON parsing and the endpoint's validator.  A connection error, a
timeout, a 429, a 5xx or a body that fails validation is a failed attempt: it is retried
with exponential backoff and jitter (or exactly the ``Retry-After`` the server asked for),
until ``max_attempts`` attempts or until the next wait would take the sleeping for this
request past ``max_total_wait``.  Any other 4xx is not retried.  Retrying is tenacity's
(:class:`tenacity.Retrying`); waiting goes through an injectable :class:`Clock`.

Every attempt is logged on ``fieldhouse.http``: endpoint, parameters (values of names that
look secret are masked), status, attempt number and duration.  Headers are never logged.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
import tenacity

from ..._version import __version__
from ...errors import BadResponseError, CircuitOpenError, FetchError
from .breaker import CircuitBreaker
from .clock import Clock, SystemClock
from .ratelimit import RateLimiter
from .response import Params, Response, canonical_params
from .validate import Validator, any_json, parse_json

log = logging.getLogger("fieldhouse.http")

USER_AGENT = f"fieldhouse/{__version__} (+https://github.com/fieldhouse)"
_SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "auth", "signature")


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how persistently to call one host.  See docs/fetching.md."""

    min_interval: float = 1.0
    jitter: float = 0.3
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 5
    max_total_wait: float = 120.0
    backoff_initial: float = 2.0
    backoff_max: float = 60.0
    backoff_jitter: float = 1.0
    breaker_threshold: int = 8
    breaker_reset_after: float = 300.0
    #: False: a connection that cannot be made at all (refused, no route, name unknown:
    #: offline) fails at once instead of being retried (the pre-flight's check).
    retry_refused: bool = True

    @classmethod
    def from_settings(cls, settings: Any, source_settings: Any = None, **overrides: Any) -> FetchPolicy:
        """The policy from ``FIELDHOUSE_HTTP_*`` settings, with what ``source_settings`` (a
        source's own settings, e.g. its ``min_interval`` and ``jitter``) says for the fields
        it has, then ``overrides``."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if hasattr(settings, f"http_{f.name}"):
                values[f.name] = getattr(settings, f"http_{f.name}")
            if source_settings is not None and hasattr(source_settings, f.name):
                values[f.name] = getattr(source_settings, f.name)
        values.update(overrides)
        return cls(**values)


class FetcherLike(Protocol):
    """What a source needs: the live :class:`Fetcher` and the
    :class:`~fieldhouse.sources.archive.ArchiveFetcher` both offer it."""

    source: str

    def get(self, endpoint: str, params: Params | None = None, *, url: str | None = None,
            headers: Mapping[str, str] | None = None) -> Response: ...


class _Retryable(Exception):
    """One failed attempt that may be retried."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def _no_connection(exc: BaseException) -> bool:
    """The connection could not be made at all (refused, unreachable, unknown host)."""
    from urllib3.exceptions import NewConnectionError

    stack, looked = [exc], 0
    while stack and looked < 12:
        seen = stack.pop()
        looked += 1
        if isinstance(seen, NewConnectionError | ConnectionRefusedError):
            return True
        stack.extend(x for x in (getattr(seen, "reason", None), *seen.args, seen.__cause__, seen.__context__)
                     if isinstance(x, BaseException))
    return False


def _masked(params: Mapping[str, str]) -> dict[str, str]:
    return {k: ("***" if any(w in k.lower() for w in _SECRET_WORDS) else v) for k, v in params.items()}


class Fetcher:
    """GET JSON from one host, politely and persistently; see the module docstring.

    ``base_url`` is the prefix endpoints are appended to (``{base_url}/{endpoint}``), e.g.
    ``https://api.example.com/v1``.  ``validator(endpoint, data)`` raises
    BadResponseError for a body that is not acceptable data.  ``get`` returns an accepted
    :class:`Response` or raises :class:`FetchError` (:class:`BadResponseError` if the last
    attempt's body was bad, :class:`CircuitOpenError` if the breaker is open).
    """

    def __init__(
        self,
        source: str,
        base_url: str,
        policy: FetchPolicy | None = None,
        *,
        validator: Validator = any_json,
        clock: Clock | None = None,
        session: requests.Session | None = None,
        headers: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        empty_ok: Callable[[str], bool] | None = None,
    ) -> None:
        self.source = source
        #: Endpoints whose empty ``{}`` / ``[]`` answer is data (e.g. "nothing changed").
        self.empty_ok = empty_ok or (lambda endpoint: False)
        self.base_url = base_url.rstrip("/")
        self.policy = policy or FetchPolicy()
        self.validator = validator
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.session = session or requests.Session()
        self.headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        p = self.policy
        self.limiter = RateLimiter(p.min_interval, p.jitter, self.clock, self.rng)
        self.breaker = CircuitBreaker(self.host, p.breaker_threshold, p.breaker_reset_after, self.clock)
        #: HTTP requests actually sent (every attempt counts), for a run's report.
        self.requests_sent = 0

    @property
    def http_calls(self) -> int:
        """Requests sent so far (what a run reports as its HTTP calls)."""
        return self.requests_sent

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    @contextmanager
    def policy_changed(self, **changes: Any) -> Iterator[FetchPolicy]:
        """Inside the block, requests use the policy with ``changes`` (e.g. the pre-flight's
        ``retry_refused=False``)."""
        saved = self.policy
        self.policy = replace(saved, **changes)
        try:
            yield self.policy
        finally:
            self.policy = saved

    def url_for(self, endpoint: str) -> str:
        return f"{self.base_url}/{endpoint.lstrip('/')}"

    # -- the request -------------------------------------------------------------------
    def get(self, endpoint: str, params: Params | None = None, *, url: str | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
        query = canonical_params(params)
        target = url or self.url_for(endpoint)
        sent_headers = dict(self.headers if headers is None else headers)
        p = self.policy

        def stop(rs: tenacity.RetryCallState) -> bool:
            return (rs.attempt_number >= p.max_attempts
                    or rs.idle_for + rs.upcoming_sleep > p.max_total_wait)

        def retryable(exc: BaseException) -> bool:
            return isinstance(exc, _Retryable | BadResponseError) and not isinstance(exc, CircuitOpenError)

        retrying = tenacity.Retrying(
            stop=stop, wait=self._wait, retry=tenacity.retry_if_exception(retryable),
            sleep=self.clock.sleep, reraise=True,
        )
        state: tenacity.RetryCallState | None = None
        try:
            for attempt in retrying:
                state = attempt.retry_state
                with attempt:
                    return self._attempt(endpoint, target, query, sent_headers, state.attempt_number)
        except (_Retryable, BadResponseError) as exc:
            assert state is not None
            n = state.attempt_number
            why = (f"gave up after {n} attempt{'s' if n > 1 else ''}" if n >= p.max_attempts else
                   f"gave up after {n} attempt{'s' if n > 1 else ''}: the next wait "
                   f"({state.upcoming_sleep:.1f} s) would pass the {p.max_total_wait:g} s cap on waiting")
            reason = exc.reason if isinstance(exc, _Retryable) else str(exc)
            status = exc.status if isinstance(exc, _Retryable) else 200
            cls = BadResponseError if isinstance(exc, BadResponseError) else FetchError
            raise cls(f"{self.source} {endpoint}: {why}; last error: {reason}",
                      endpoint=endpoint, attempts=n, status=status) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, rs: tenacity.RetryCallState) -> float:
        exc = rs.outcome.exception() if rs.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return max(0.0, retry_after)
        p = self.policy
        backoff = min(p.backoff_max, p.backoff_initial * 2 ** (rs.attempt_number - 1))
        return backoff + (self.rng.uniform(0, p.backoff_jitter) if p.backoff_jitter else 0.0)

    def _attempt(self, endpoint: str, url: str, query: dict[str, str],
                 headers: dict[str, str], attempt: int) -> Response:
        try:
            self.breaker.before_call(endpoint)
        except CircuitOpenError:
            log.warning("%s %s params=%s attempt=%d refused: circuit open for %s",
                        self.source, endpoint, _masked(query), attempt, self.host)
            raise
        self.limiter.wait()
        started = time.perf_counter()
        self.requests_sent += 1
        status: int | None = None
        try:
            try:
                reply = self.session.get(
                    url, params=list(query.items()), headers=headers,
                    timeout=(self.policy.connect_timeout, self.policy.read_timeout),
                )
                status = reply.status_code
                body = reply.content  # reads the body: a cut connection fails here
            except requests.Timeout as exc:
                raise _Retryable(f"timed out ({type(exc).__name__})", status) from None
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                if not self.policy.retry_refused and _no_connection(exc):
                    self._log(logging.WARNING, endpoint, query, status, attempt, started, "cannot connect: not retried")
                    raise FetchError(f"{self.source} {endpoint}: cannot connect to {self.host} (refused or "
                                     "offline); not retried", endpoint=endpoint, attempts=attempt) from None
                raise _Retryable(f"connection failed ({type(exc).__name__})", status) from None
            if status == 429 or status >= 500:
                raise _Retryable(f"HTTP {status}", status, self._retry_after(reply))
            if status >= 400:
                if status in (401, 403):  # blocked: counts towards the breaker
                    self.breaker.record_failure()
                self._log(logging.WARNING, endpoint, query, status, attempt, started, "not retried")
                raise FetchError(
                    f"{self.source} {endpoint}: HTTP {status} (a client error; not retried)",
                    endpoint=endpoint, attempts=attempt, status=status,
                )
            data = parse_json(body, endpoint, self.empty_ok(endpoint))
            self.validator(endpoint, data)
        except (_Retryable, BadResponseError) as exc:
            self.breaker.record_failure()
            self._log(logging.WARNING, endpoint, query, status, attempt, started, f"failed: {exc}")
            raise
        self.breaker.record_success()
        self._log(logging.INFO, endpoint, query, status, attempt, started, "ok")
        return Response(
            source=self.source, endpoint=endpoint, params=query, body=body, data=data,
            captured_at=self.clock.utcnow(), url=reply.url, status=status, attempts=attempt,
        )

    def _retry_after(self, reply: requests.Response) -> float | None:
        value = reply.headers.get("Retry-After")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self.clock.utcnow()).total_seconds())

    def _log(self, level: int, endpoint: str, query: Mapping[str, str], status: int | None,
             attempt: int, started: float, outcome: str) -> None:
        log.log(level, "%s %s params=%s status=%s attempt=%d duration=%.3fs %s",
                self.source, endpoint, _masked(query), status if status is not None else "-",
                attempt, time.perf_counter() - started, outcome,
                extra={"source": self.source, "endpoint": endpoint, "params": _masked(query),
                       "status": status, "attempt": attempt})
