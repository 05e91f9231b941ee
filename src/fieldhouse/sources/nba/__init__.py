"""The NBA stats source (stats.nba.com, through the ``nba_api`` package)."""

from .client import NBACall, NBAClient, nba_headers

__all__ = ["NBACall", "NBAClient", "nba_headers"]
