"""Ctrl-C and SIGTERM: both stop a run the same way (docs/runs.md, "Interrupted runs").

Python turns Ctrl-C (SIGINT) into :class:`KeyboardInterrupt`; :func:`terminate_raises`
makes SIGTERM raise :class:`Terminated`, a subclass, so the code that records an
interrupted unit and run handles both.  :func:`reason` is the text recorded in the ledger
and :func:`exit_code` the process's exit code (128 + the signal's number).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


def reason(exc: BaseException) -> str:
    return "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted (Ctrl-C)"


def exit_code(exc: BaseException) -> int:
    return 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def terminate_raises() -> Iterator[None]:
    """Inside the block, SIGTERM raises :class:`Terminated` in the main thread (elsewhere,
    e.g. a worker thread, the handler is left as it is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
