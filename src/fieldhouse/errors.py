"""Every error fieldhouse raises on purpose derives from :class:`FieldhouseError`.

Messages are one sentence for a person: what is wrong, where, and how to fix it.
They never contain secrets (see :mod:`fieldhouse.urls`).
"""

from __future__ import annotations


class FieldhouseError(Exception):
    """Base class of the errors fieldhouse raises on purpose."""


def error_text(exc: BaseException) -> str:
    """An exception as one line of text for a person: our own errors by their message (it
    already says what and where), anything else prefixed with its type."""
    return str(exc) if isinstance(exc, FieldhouseError) else f"{type(exc).__name__}: {exc}"


class ConfigError(FieldhouseError):
    """A setting, URL or argument is malformed."""


class SchemaError(FieldhouseError):
    """A table declaration is invalid, or incompatible with the table in the database."""


class IdentifierError(SchemaError):
    """A table, schema or column name is not a safe SQL identifier."""


class CastError(FieldhouseError):
    """A value cannot be converted to a column type."""


class StoreError(FieldhouseError):
    """The database refused or lost a write; nothing of the batch was written."""


class StoreConnectionError(StoreError):
    """The database cannot be reached."""


class MappingError(FieldhouseError):
    """A mapping file is invalid; the message names the file, the line and what is wrong.

    A file with several mistakes raises one MappingError listing all of them, one line
    each (``file, line N: ...``) in the order of the file; ``file``, ``line`` and
    ``detail`` are those of the first, ``problems`` holds each mistake as a MappingError."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.detail = message
        self.problems: tuple[MappingError, ...] = (self,)
        super().__init__(self._where() + message)

    def _where(self) -> str:
        return f"{self.file or '<mapping>'}" + (f", line {self.line}" if self.line else "") + ": "

    @classmethod
    def of(cls, problems: list[MappingError]) -> MappingError:
        """One error for all of ``problems`` (sorted by line, the first one's place)."""
        ordered = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        if len(ordered) == 1:
            return ordered[0]
        first = ordered[0]
        error = cls(first.detail, first.file, first.line)
        error.problems = tuple(ordered)
        error.args = ("\n".join(str(p) for p in ordered),)
        return error


class FetchError(FieldhouseError):
    """A request to a source's API failed for good (after the retries it was allowed).

    ``endpoint``, ``attempts`` and ``status`` (the last HTTP status, if any) say what
    failed; the run that raised it should end as partial, never as success.
    """

    def __init__(self, message: str, *, endpoint: str | None = None, attempts: int = 0,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.attempts = attempts
        self.status = status


class BadResponseError(FetchError):
    """A response arrived but is not acceptable data (not JSON, truncated, ``{}``, wrong shape)."""


class CircuitOpenError(FetchError):
    """Too many consecutive failures from one host: fieldhouse stops calling it for now."""


class ArchiveError(FieldhouseError):
    """An archive directory is missing, malformed, or does not hold a requested response."""


class ArchiveMissError(ArchiveError, FetchError):
    """An archive was asked for a request it does not hold."""


class LockBusyError(FieldhouseError):
    """A named lock (e.g. the one that keeps two syncs of a source apart) is held elsewhere."""
