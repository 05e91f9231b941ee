"""One settings object, read from ``FIELDHOUSE_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from functools import cached_property

import annotated_types
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError
from .urls import DatabaseURL, redact

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


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
    mlb_min_interval: float = Field(default=0.25, ge=0)
    mlb_jitter: float = Field(default=0.1, ge=0)
    archive_dir: str | None = None
    shrink_min_fraction: float = Field(default=0.5, ge=0, le=1)

    # -- runs (see docs/runs.md) ---------------------------------------------------------
    run_lock_wait: float = Field(default=10.0, ge=0)
    run_heartbeat_interval: float = Field(default=15.0, gt=0)
    run_stale_after: float = Field(default=120.0, gt=0)

    @field_validator("log_level")
    @classmethod
    def _valid_level(cls, value: str) -> str:
        if str(value).upper() not in LOG_LEVELS:
            raise ValueError(f"not a log level: use one of {', '.join(LOG_LEVELS)}")
        return str(value).upper()

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
    """The settings, ``overrides`` (e.g. ``--db``) winning over the environment; a
    ConfigError naming the variable and what it accepts if one is invalid."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise _config_error(exc, given) from None


def _accepts(name: str) -> str:
    """What a setting accepts, in words: ``a whole number of 1 or more``."""
    info = Settings.model_fields[name]
    if name == "log_level":
        return f"one of {', '.join(LOG_LEVELS)}"
    kind = {int: "a whole number", float: "a number"}.get(info.annotation, "text")
    bounds = []
    for rule in info.metadata:
        if isinstance(rule, annotated_types.Gt):
            bounds.append(f"greater than {rule.gt:g}")
        elif isinstance(rule, annotated_types.Ge):
            bounds.append(f"of {rule.ge:g} or more")
        elif isinstance(rule, annotated_types.Le):
            bounds.append(f"up to {rule.le:g}")
    return " ".join([kind, *bounds])


def _config_error(exc: ValidationError, given: dict[str, object]) -> ConfigError:
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error.get("loc") else ""
    if name not in Settings.model_fields:
        return ConfigError(f"invalid settings: {error['msg']}")
    where = f"the {name} setting" if name in given else f"FIELDHOUSE_{name.upper()}"
    value = redact(str(error.get("input", "")))
    return ConfigError(f"{where}={value!r} is not valid: it accepts {_accepts(name)}")
