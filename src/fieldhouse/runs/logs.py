"""Logging: readable lines on the console (stderr), JSON lines in a rotating file.

Every record made while a run is in progress carries that run's id (a context variable set
by :func:`run_context`, copied into each record by :class:`RunIdFilter`), and every message
passes through :func:`fieldhouse.urls.redact` so no password reaches a handler.
:func:`setup_logging` is called by the command line; library users may call it too.
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.handlers
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from ..urls import redact

current_run_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("fieldhouse_run_id", default=None)

_MARK = "_fieldhouse_handler"


@contextmanager
def run_context(run_id: str) -> Iterator[None]:
    """Tag every log record made inside the block (in this thread or context) with ``run_id``."""
    token = current_run_id.set(run_id)
    try:
        yield
    finally:
        current_run_id.reset(token)


class RunIdFilter(logging.Filter):
    """Adds ``record.run_id`` (None outside a run) and redacts secrets from the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "run_id") or record.run_id is None:
            record.run_id = current_run_id.get()
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what we can
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        run = f" [{record.run_id}]" if getattr(record, "run_id", None) else ""
        line = f"{when} {record.levelname:<7}{run} {record.getMessage()}"
        if record.exc_text:
            line += "\n" + record.exc_text
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "run_id": getattr(record, "run_id", None),
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def setup_logging(level: str = "INFO", file: str | None = "logs/fieldhouse.log", *,
                  max_bytes: int = 10_000_000, backups: int = 5) -> None:
    """(Re)configure the ``fieldhouse`` logger: console at ``level``, and every record from
    DEBUG up as JSON lines in ``file`` (rotated at ``max_bytes``; None for no file).
    Calling it again replaces the handlers it added before."""
    root = logging.getLogger("fieldhouse")
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG)
    root.propagate = False
    console = _StderrHandler()
    console.setLevel(getattr(logging, str(level).upper(), logging.INFO))
    console.setFormatter(ConsoleFormatter())
    console.addFilter(RunIdFilter())
    setattr(console, _MARK, True)
    root.addHandler(console)
    if file:
        try:
            folder = os.path.dirname(os.path.abspath(file))
            os.makedirs(folder, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(file, maxBytes=max_bytes, backupCount=backups,
                                                           encoding="utf-8", delay=True)
        except OSError as exc:
            root.warning("cannot write the log file %s (%s); logging to the console only", file, exc)
            return
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RunIdFilter())
        setattr(handler, _MARK, True)
        root.addHandler(handler)
