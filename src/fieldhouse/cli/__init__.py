"""The ``fieldhouse`` command line.  Each command lives in its own module in this package
and registers itself on :data:`app`; the Python API it calls is re-exported from
:mod:`fieldhouse`, so the CLI and the library always mirror each other."""

from __future__ import annotations

from .app import app, main
from . import archive, demo, load, replay, schema, sync  # noqa: F401,E402  (registers commands)

__all__ = ["app", "main"]
