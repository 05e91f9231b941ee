"""The service's security rules (docs/service.md): a bearer token, compared in constant time,
on every ``/api`` and ``/metrics`` request and on the dashboard when ``FIELDHOUSE_API_TOKEN``
is set (``/healthz`` and ``/readyz`` stay open); and no secret (the database URL, its
password, the token) in any response body."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable

from ..settings import Settings
from ..urls import redact
from .settings import ServeSettings

OPEN_PATHS = ("/healthz", "/readyz", "/login", "/static/")
COOKIE = "fieldhouse_token"


def needs_token(path: str) -> bool:
    return not any(path == p or (p.endswith("/") and path.startswith(p)) for p in OPEN_PATHS)


def token_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison of the token a request gave with the configured one."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


class Scrubber:
    """Removes the database URL, its password and the API token from any text."""

    def __init__(self, settings: Settings, serve: ServeSettings) -> None:
        raw = settings.database_url
        secrets: list[str] = [raw, settings.database.postgres_conninfo() if settings.database.dialect != "sqlite"
                              else raw, settings.database.redacted]
        if settings.database.password:
            secrets.append(settings.database.password)
        if serve.token:
            secrets.append(serve.token)
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(s) for s in self._secrets)) if self._secrets else None

    def __call__(self, text: str) -> str:
        text = redact(text)
        return self._pattern.sub("***", text) if self._pattern else text

    @property
    def secrets(self) -> Iterable[str]:
        return tuple(self._secrets)
