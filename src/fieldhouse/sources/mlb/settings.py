"""The MLB source's settings: ``FIELDHOUSE_MLB__BASE_URL``, ``FIELDHOUSE_MLB__MIN_INTERVAL``,
``FIELDHOUSE_MLB__JITTER`` (the flat ``FIELDHOUSE_MLB_*`` names are still read, with a
warning).  The default interval, 0.5 s with ±0.1 s of jitter, is about two requests a
second to statsapi.mlb.com."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ...settings import SourceSettings

DEFAULT_BASE_URL = "https://statsapi.mlb.com/api"


class MLBSettings(SourceSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDHOUSE_MLB__")

    #: Where the endpoints live (tests point it at a fake server).
    base_url: str = DEFAULT_BASE_URL
    #: Seconds between two requests to the host, and the ± random part of it.
    min_interval: float = Field(default=0.5, ge=0)
    jitter: float = Field(default=0.1, ge=0)
