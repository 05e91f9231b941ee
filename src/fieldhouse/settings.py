"""One settings object, read from ``FIELDHOUSE_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from functools import cached_property

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .urls import DatabaseURL, redact


class Settings(BaseSettings):
    """Settings of a fieldhouse process.

    ``database_url`` is kept as text (so it can be overridden by ``--db``) but its
    ``repr`` never shows a password; use :attr:`database` to get the parsed URL.
    """

    model_config = SettingsConfigDict(env_prefix="FIELDHOUSE_", env_file=".env", extra="ignore")

    database_url: str = Field(default="sqlite:///fieldhouse.db", repr=False)
    log_file: str = "logs/fieldhouse.log"
    log_level: str = "INFO"

    # -- fetching (see docs/fetching.md) -------------------------------------------------
    http_connect_timeout: float = Field(default=5.0, gt=0)
    http_read_timeout: float = Field(default=30.0, gt=0)
    http_max_attempts: int = Field(default=5, ge=1)
    http_max_total_wait: float = Field(default=120.0, ge=0)
    http_backoff_initial: float = Field(default=2.0, ge=0)
    http_backoff_max: float = Field(default=60.0, ge=0)
    http_backoff_jitter: float = Field(default=1.0, ge=0)
    http_breaker_threshold: int = Field(default=8, ge=1)
    http_breaker_reset_after: float = Field(default=300.0, ge=0)
    nba_base_url: str = "https://stats.nba.com/stats"
    nba_min_interval: float = Field(default=1.0, ge=0)
    nba_jitter: float = Field(default=0.3, ge=0)
    mlb_base_url: str = "https://statsapi.mlb.com/api"
    mlb_min_interval: float = Field(default=0.5, ge=0)
    mlb_jitter: float = Field(default=0.1, ge=0)
    archive_dir: str | None = None

    # -- runs (see docs/runs.md) ---------------------------------------------------------
    run_lock_wait: float = Field(default=10.0, ge=0)
    run_heartbeat_interval: float = Field(default=15.0, gt=0)
    run_stale_after: float = Field(default=120.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        DatabaseURL.parse(value)
        return value

    @cached_property
    def database(self) -> DatabaseURL:
        return DatabaseURL.parse(self.database_url)

    def __repr_args__(self):
        yield from super().__repr_args__()
        yield "database_url", redact(self.database_url)


def get_settings(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
