"""A circuit breaker per host: after ``threshold`` consecutive failed attempts the host is
not called again (:class:`~fieldhouse.errors.CircuitOpenError`) until ``reset_after``
seconds have passed; then one trial request is let through, and its outcome closes or
re-opens the circuit.  ``reset_after=0`` keeps it open for the life of the fetcher."""

from __future__ import annotations

import threading

from ...errors import CircuitOpenError
from .clock import Clock


class CircuitBreaker:
    def __init__(self, host: str, threshold: int, reset_after: float, clock: Clock) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        self.host = host
        self.threshold = threshold
        self.reset_after = reset_after
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def before_call(self, endpoint: str | None = None) -> None:
        """Raise CircuitOpenError if the host must not be called now."""
        with self._lock:
            if self.opened_at is None:
                return
            waited = self.clock.monotonic() - self.opened_at
            if self.reset_after > 0 and waited >= self.reset_after:
                # Half-open: let this one request through; a failure re-opens at once.
                self.opened_at = None
                self.failures = self.threshold - 1
                return
            raise CircuitOpenError(
                f"stopped calling {self.host}: {self.failures} consecutive failed attempts "
                f"(the circuit breaker opened after {self.threshold}); this request was not sent: "
                "retry later (the next sync retries its dead letter)",
                endpoint=endpoint, attempts=0,
            )

    def record_success(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold and self.opened_at is None:
                self.opened_at = self.clock.monotonic()
