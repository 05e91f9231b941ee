"""The NBA stats source (stats.nba.com, through the ``nba_api`` package): see docs/nba.md."""

from .client import NBACall, NBAClient, nba_headers
from .run import retry_nba, sync_nba

__all__ = ["NBACall", "NBAClient", "nba_headers", "retry_nba", "sync_nba"]
