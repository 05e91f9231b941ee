"""The NBA stats source (stats.nba.com, through the ``nba_api`` package): see docs/nba.md.

The source object is :data:`fieldhouse.sources.nba.source.source` (entry point ``nba``);
``NBAClient`` calls ``nba_api`` endpoints over fieldhouse's HTTP layer."""

from __future__ import annotations


def __getattr__(name: str):
    if name in ("NBACall", "NBAClient", "nba_headers"):  # nba_api loads on first use
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["NBACall", "NBAClient", "nba_headers"]
