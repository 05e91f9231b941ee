"""Finding sources: the ``fieldhouse.sources`` entry-point group.

A package makes a source available by naming it there (its ``pyproject.toml``)::

    [project.entry-points."fieldhouse.sources"]
    example = "example_source:source"     # a Source object, a class, or a factory

:func:`get` loads a source by name the first time it is asked for (so ``fieldhouse --help``
loads none), :func:`names` lists the installed ones without loading any.
"""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint, entry_points

from ..errors import ConfigError, FieldhouseError, error_text
from .protocol import Source

log = logging.getLogger("fieldhouse.sources")

GROUP = "fieldhouse.sources"

_loaded: dict[tuple[str, str], Source] = {}


class UnknownSourceError(ConfigError):
    """A source name that no installed package registers."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name, self.known = name, known
        if known:
            super().__init__(f"unknown source {name!r}: the known sources are {', '.join(known)}")
        else:
            super().__init__(f"unknown source {name!r}: no source is installed (from a source checkout, "
                             "install it with `pip install -e .` so that its entry points are registered)")


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def names() -> list[str]:
    """The names of the installed sources, sorted (nothing is imported)."""
    return sorted(_entry_points())


def get(name: str) -> Source:
    """The source called ``name``; :class:`UnknownSourceError` (bad usage) if none is."""
    ep = _entry_points().get(name)
    if ep is None:
        raise UnknownSourceError(name, names())
    key = (ep.name, ep.value)
    if key not in _loaded:
        try:
            target = ep.load()
            source = target() if isinstance(target, type) or not hasattr(target, "name") else target
        except Exception as exc:
            raise FieldhouseError(f"source {name!r} ({ep.value}) cannot be loaded: {error_text(exc)}") from exc
        if not isinstance(source, Source):
            raise FieldhouseError(f"source {name!r} ({ep.value}) is not a fieldhouse source: it lacks "
                                  "members of fieldhouse.sources.protocol.Source")
        if source.name != name:
            raise FieldhouseError(f"the entry point {name!r} ({ep.value}) gives a source named {source.name!r}")
        _loaded[key] = source
    return _loaded[key]


def resolve(name: str | None) -> list[Source]:
    """``[get(name)]``, or every installed source when ``name`` is None (one that cannot
    be loaded is left out, with a warning)."""
    if name is not None:
        return [get(name)]
    found = []
    for each in names():
        try:
            found.append(get(each))
        except FieldhouseError as exc:
            log.warning("%s", exc)
    return found


def only(name: str | None) -> Source:
    """The source a command is about: ``name``, or the only installed source when None."""
    if name is not None:
        return get(name)
    known = names()
    if len(known) == 1:
        return get(known[0])
    raise ConfigError(f"give --source: the known sources are {', '.join(known) or 'none'}")
