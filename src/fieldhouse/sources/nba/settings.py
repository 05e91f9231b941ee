"""The NBA source's settings: ``FIELDHOUSE_NBA__BASE_URL``, ``FIELDHOUSE_NBA__MIN_INTERVAL``,
``FIELDHOUSE_NBA__JITTER`` (the flat ``FIELDHOUSE_NBA_*`` names of the previous release are
still read, with a warning)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ...settings import SourceSettings


class NBASettings(SourceSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDHOUSE_NBA__")

    #: Where the endpoints live (tests point it at a fake server).
    base_url: str = "https://stats.nba.com/stats"
    #: Seconds between two requests to the host, and the ± random part of it.
    min_interval: float = Field(default=1.0, ge=0)
    jitter: float = Field(default=0.3, ge=0)
