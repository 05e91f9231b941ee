"""The HTTP layer every source uses (see :mod:`.fetcher`)."""

from .breaker import CircuitBreaker
from .clock import Clock, FakeClock, SystemClock
from .fetcher import Fetcher, FetcherLike, FetchPolicy
from .ratelimit import RateLimiter
from .response import Response, canonical_params, content_hash, params_text
from .validate import Validator, any_json, bad_shape, parse_json

__all__ = [
    "CircuitBreaker", "Clock", "FakeClock", "FetchPolicy", "Fetcher", "FetcherLike",
    "RateLimiter", "Response", "SystemClock", "Validator", "any_json", "bad_shape",
    "canonical_params", "content_hash", "params_text", "parse_json",
]
