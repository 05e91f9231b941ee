"""The ``fieldhouse`` command line.  Each command lives in its own module in this package
and registers itself on :data:`app`; the Python API it calls is re-exported from
:mod:`fieldhouse`, so the CLI and the library always mirror each other."""

from __future__ import annotations

from . import (  # noqa: F401  (registers commands)
    archive,
    audit,
    deadletters,
    demo,
    doctor,
    lake,
    load,
    replay,
    runs,
    schema,
    serve,
    status,
    sync,
    watch,
)
from .app import app, main

__all__ = ["app", "main"]
