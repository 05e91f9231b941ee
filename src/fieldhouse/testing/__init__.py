"""Helpers for testing code that uses fieldhouse: a fake stats server, a fake clock, and the
contract kit a source runs against itself (:class:`SourceContract`, which needs pytest)."""

from ..sources.http.clock import FakeClock
from .fakeserver import FakeStatsServer, Fault, load_fixture_body


def __getattr__(name: str):
    if name in ("Sample", "SourceContract"):
        from . import contract

        return getattr(contract, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FakeClock", "FakeStatsServer", "Fault", "Sample", "SourceContract", "load_fixture_body"]
