"""Helpers for testing code that uses fieldhouse: a fake stats server and a fake clock."""

from ..sources.http.clock import FakeClock
from .fakeserver import FakeStatsServer, Fault, load_fixture_body

__all__ = ["FakeClock", "FakeStatsServer", "Fault", "load_fixture_body"]
