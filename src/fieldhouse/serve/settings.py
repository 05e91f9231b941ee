"""The service's settings (``FIELDHOUSE_API_TOKEN``, ``FIELDHOUSE_CORS_ORIGINS``, ...), apart
from the main :class:`~fieldhouse.settings.Settings` so that a sync never reads them."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


class ServeSettings(BaseSettings):
    """``FIELDHOUSE_API_TOKEN``: the bearer token every ``/api`` and ``/metrics`` request
    (and the dashboard) must give; required to bind anything but a loopback address.
    ``FIELDHOUSE_CORS_ORIGINS``: comma-separated origins allowed to call the API from a
    browser (none: CORS off).  ``FIELDHOUSE_SERVE_REFRESH``: seconds between two dashboard
    refreshes."""

    model_config = SettingsConfigDict(env_prefix="FIELDHOUSE_", env_file=".env", extra="ignore")

    api_token: SecretStr | None = Field(default=None, repr=False)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    serve_refresh: float = Field(default=10.0, ge=1.0)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("api_token", mode="after")
    @classmethod
    def _blank_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value() else None

    @property
    def token(self) -> str | None:
        return self.api_token.get_secret_value() if self.api_token else None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a bind address) is reachable from this machine only."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
