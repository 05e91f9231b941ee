"""The heartbeat of a run: its ledger row rewritten every few seconds from a thread with a
connection of its own, so a long fetch still shows the run alive."""

from __future__ import annotations

import logging
import threading

from ..errors import error_text
from ..stores import Store, connect
from . import ledger
from .logs import run_context

log = logging.getLogger("fieldhouse.runs")


class Heartbeat:
    """Rewrites the run's ledger row (in the control store) every ``interval`` seconds."""

    def __init__(self, control: Store, record: ledger.RunRecord, interval: float) -> None:
        self.record = record
        self.interval = interval
        self.url = control.url
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.own_connection = not (control.dialect == "sqlite" and control.url.sqlite_path == ":memory:")

    def start(self) -> None:
        if self.own_connection:
            self._thread = threading.Thread(target=self._beat, name="fieldhouse-heartbeat", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        with run_context(self.record.run_id):
            try:
                store = connect(self.url)
            except Exception as exc:
                log.warning("heartbeat: cannot connect (%s); the run beats between units only", exc)
                return
            try:
                while not self._stop.wait(self.interval):
                    try:
                        self.record.save(store)
                    except Exception as exc:
                        log.warning("heartbeat not written: %s", error_text(exc))
            finally:
                store.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
