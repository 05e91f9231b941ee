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

    @field_validator("database_url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        DatabaseURL.parse(value)
        return value

    @cached_property
    def database(self) -> DatabaseURL:
        return DatabaseURL.parse(self.database_url)

    def __repr_args__(self):
        for name, value in super().__repr_args__():
            yield name, value
        yield "database_url", redact(self.database_url)


def get_settings(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
