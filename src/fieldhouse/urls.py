"""Database URLs: parsing, and a form that is safe to show.

A password leaves this module only inside the connection parameters a store opens its
connection with (:meth:`DatabaseURL.postgres_conninfo`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit, urlunsplit

from .errors import ConfigError

_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<tail>@)")
_PASSWORD_IN_DSN = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|\S+)", re.I)

DIALECTS = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql", "delta": "delta"}
#: Object stores a Delta lake may live in (``delta+s3://bucket/prefix``), by delta-rs.
DELTA_OBJECT_STORES = ("s3", "s3a", "gs", "az", "abfs", "abfss")


def redact(text: str) -> str:
    """Replace every password in URLs and ``password=`` pairs inside ``text`` by ``***``."""
    text = _PASSWORD_IN_URL.sub(lambda m: m["head"] + "***" + m["tail"], text)
    return _PASSWORD_IN_DSN.sub(lambda m: m["head"] + "***", text)


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL whose ``str`` and ``repr`` never show the password."""

    _raw: str
    dialect: str

    @classmethod
    def parse(cls, url: str | DatabaseURL) -> DatabaseURL:
        if isinstance(url, DatabaseURL):
            return url
        if not isinstance(url, str) or "://" not in url:
            raise ConfigError(
                f"database URL {redact(str(url))!r} is malformed: write it as "
                "sqlite:///path/to/file.db or postgresql://user@host:5432/dbname"
            )
        scheme = url.split("://", 1)[0].lower().split("+", 1)[0]
        dialect = DIALECTS.get(scheme)
        if dialect is None:
            raise ConfigError(
                f"database URL scheme {scheme!r} is not supported: use sqlite:///, postgresql:// or delta:///"
            )
        if dialect == "delta":
            cls._check_delta(url)
        if dialect == "sqlite" and not url.split("://", 1)[1].startswith("/"):
            raise ConfigError(
                f"database URL {redact(url)!r} is malformed: a SQLite URL has three slashes, "
                "as in sqlite:///fieldhouse.db (relative) or sqlite:////abs/path.db"
            )
        if dialect == "sqlite" and not url.split("://", 1)[1][1:].split("?", 1)[0]:
            raise ConfigError(
                f"database URL {redact(url)!r} names no file: write sqlite:///fieldhouse.db "
                "(or sqlite:///:memory: for a database that is thrown away on exit)"
            )
        if dialect == "postgresql":
            try:
                parts = urlsplit(url)
                parts.port  # noqa: B018 - raises ValueError on a bad port
            except ValueError as exc:
                raise ConfigError(f"database URL {redact(url)!r} is malformed: {exc}") from None
            query = parse_qs(parts.query)
            if not (parts.hostname or "host" in query) and not (parts.path.strip("/") or "dbname" in query):
                raise ConfigError(
                    f"database URL {redact(url)!r} names neither a server nor a database: write it as "
                    "postgresql://user@host:5432/dbname"
                )
        return cls(url, dialect)

    @staticmethod
    def _check_delta(url: str) -> None:
        scheme, rest = url.split("://", 1)
        store = scheme.lower().split("+", 1)[1] if "+" in scheme else None
        if store is not None and store not in DELTA_OBJECT_STORES:
            raise ConfigError(f"database URL {redact(url)!r}: delta+{store} is not a known object store; "
                              f"use one of {', '.join('delta+' + s for s in DELTA_OBJECT_STORES)}")
        if not rest.strip("/").split("?", 1)[0]:
            raise ConfigError(f"database URL {redact(url)!r} names no lake folder: write delta:///path/to/lake "
                              "or delta+s3://bucket/prefix")

    @property
    def lake_uri(self) -> str:
        """The folder (or object-store URI) of a Delta lake: ``delta:///srv/lake`` is
        ``/srv/lake``, ``delta://lake`` the relative folder ``lake``, and
        ``delta+s3://bucket/prefix`` is ``s3://bucket/prefix``."""
        scheme, rest = self._raw.split("://", 1)
        rest = rest.split("?", 1)[0].rstrip("/")
        if "+" in scheme:
            return f"{scheme.split('+', 1)[1].lower()}://{rest}"
        return rest

    @property
    def redacted(self) -> str:
        return redact(self._raw)

    @property
    def password(self) -> str | None:
        if self.dialect != "postgresql":
            return None
        return urlsplit(self._raw).password

    @property
    def sqlite_path(self) -> str:
        """The file path of a SQLite URL (``:memory:`` for an in-memory database)."""
        path = self._raw.split("://", 1)[1][1:]
        return path.split("?", 1)[0] or ":memory:"

    def postgres_conninfo(self) -> str:
        parts = urlsplit(self._raw)
        return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))

    def __str__(self) -> str:
        return self.redacted

    def __repr__(self) -> str:
        return f"DatabaseURL({self.redacted!r})"

    def scrub(self, text: str) -> str:
        """Remove this URL's password from any text (e.g. a driver's error message)."""
        text = redact(text)
        pw = self.password
        if pw:
            text = text.replace(pw, "***")
        return text
