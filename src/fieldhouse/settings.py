"""Settings, read from ``FIELDHOUSE_*`` environment variables (and ``.env``).

:class:`Settings` holds what every part of fieldhouse shares (database, logs, HTTP, runs).
A source declares its own settings as a :class:`SourceSettings` subclass read from
``FIELDHOUSE_<SOURCE>__<FIELD>`` (e.g. ``FIELDHOUSE_NBA__BASE_URL``); values given in
Python win over the environment: ``Settings(<source>={"base_url": ...})``.

The flat names of the previous release (``FIELDHOUSE_<SOURCE>_<FIELD>``, and
``Settings(<source>_<field>=...)``) are still read, with a :class:`DeprecatedSettingWarning`,
until the next release.
"""

from __future__ import annotations

import warnings
from functools import cached_property
from typing import Annotated, Any, TypeVar

import annotated_types
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .errors import ConfigError
from .urls import DatabaseURL, redact

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

S = TypeVar("S", bound="SourceSettings")


class DeprecatedSettingWarning(FutureWarning):
    """A setting was given under a name that the next release will no longer read."""


class AlertSettings(BaseSettings):
    """The thresholds of the alert rules (``fieldhouse.query.alerts``; docs/service.md#alerts),
    read from ``FIELDHOUSE_ALERTS__<FIELD>`` (``source_intervals`` as JSON, e.g.
    ``FIELDHOUSE_ALERTS__SOURCE_INTERVALS='{"example": 3600}'``).  Durations are in seconds."""

    model_config = SettingsConfigDict(env_prefix="FIELDHOUSE_ALERTS__", env_file=".env", extra="ignore")

    #: source_overdue: a source must succeed at least this often (26 h: a nightly job, with slack) ...
    expected_interval: float = Field(default=26 * 3600.0, gt=0)
    #: ... unless its own interval is given here: ``{source: seconds}``.
    source_intervals: dict[str, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    #: freshness: the newest version of a live source's table may be at most this old.
    freshness_max_age: float = Field(default=2 * 3600.0, gt=0)
    #: A source counts as live (games on) if it says so (a ``live`` hook), else if a run of it
    #: wrote rows (inserted or updated) within this window.
    live_window: float = Field(default=3 * 3600.0, gt=0)
    #: stale_rate: fraction of a table's rows in a run that were stale (older than stored) ...
    stale_rate: float = Field(default=0.5, gt=0, le=1)
    #: ... counted only from this many rows of the table in the run.
    stale_min_rows: int = Field(default=20, ge=1)
    #: rejected_rows: more rejected rows than this for a table in a run.
    rejected_max: int = Field(default=0, ge=0)
    #: volume_anomaly: a table's rows in the last run below this fraction of the median ...
    volume_ratio: float = Field(default=0.5, gt=0, le=1)
    #: ... of the last ``volume_runs`` earlier runs of the same kind (source, command, arguments
    #: given), needing ``volume_min_runs`` of them and a median of ``volume_min_rows`` or more.
    volume_runs: int = Field(default=10, ge=1)
    volume_min_runs: int = Field(default=3, ge=1)
    volume_min_rows: int = Field(default=10, ge=1)
    #: schema_drift: a column NULL in at least this fraction of a table's rows in the last run ...
    drift_null_rate: float = Field(default=0.9, gt=0, le=1)
    #: ... that was filled (not NULL) in at least this fraction of its rows in the earlier runs
    #: of the same kind (the same ``volume_runs`` / ``volume_min_runs``), from ``drift_min_rows`` rows.
    drift_baseline_fill: float = Field(default=0.9, gt=0, le=1)
    drift_min_rows: int = Field(default=10, ge=1)
    #: stale_heartbeat: a ``running`` run whose heartbeat is older than this.
    heartbeat_max_age: float = Field(default=300.0, gt=0)
    #: The conflict log keeps at most this many stale rows per table per run (the rest are
    #: counted as omitted); 0 keeps none.
    conflict_sample: int = Field(default=1000, ge=0)

    def interval(self, source: str) -> float:
        """The expected interval between successes of ``source``."""
        return self.source_intervals.get(source, self.expected_interval)


class Settings(BaseSettings):
    """Settings of a fieldhouse process.

    ``database_url`` is kept as text (so it can be overridden by ``--db``) but its
    ``repr`` never shows a password; use :attr:`database` to get the parsed URL.  Any other
    keyword is kept for the source of that name (see :meth:`for_source`).
    """

    model_config = SettingsConfigDict(env_prefix="FIELDHOUSE_", env_file=".env", extra="ignore")

    database_url: str = Field(default="sqlite:///fieldhouse.db", repr=False)
    log_file: str = "logs/fieldhouse.log"
    log_level: str = "INFO"

    # -- fetching (see docs/fetching.md); a source's settings may override the policy --
    http_connect_timeout: float = Field(default=5.0, gt=0)
    http_read_timeout: float = Field(default=30.0, gt=0)
    http_max_attempts: int = Field(default=5, ge=1)
    http_max_total_wait: float = Field(default=120.0, ge=0)
    http_backoff_initial: float = Field(default=2.0, ge=0)
    http_backoff_max: float = Field(default=60.0, ge=0)
    http_backoff_jitter: float = Field(default=1.0, ge=0)
    http_breaker_threshold: int = Field(default=8, ge=1)
    http_breaker_reset_after: float = Field(default=300.0, ge=0)
    archive_dir: str | None = None
    shrink_min_fraction: float = Field(default=0.5, ge=0, le=1)

    # -- runs (see docs/runs.md) ---------------------------------------------------------
    run_lock_wait: float = Field(default=10.0, ge=0)
    run_heartbeat_interval: float = Field(default=15.0, gt=0)
    run_stale_after: float = Field(default=120.0, gt=0)

    # -- watch (see docs/live.md) -----------------------------------------------------
    watch_floor: float = Field(default=5.0, ge=0)            # never poll a game faster
    watch_interval: float | None = Field(default=None, gt=0)  # fixed, instead of the server's wait
    watch_default_wait: float = Field(default=10.0, gt=0)     # when the server suggests none
    watch_jitter: float = Field(default=0.1, ge=0, le=1)      # ± this fraction of the interval
    watch_idle_after: int = Field(default=3, ge=1)            # unchanged polls before backing off
    watch_max_interval: float = Field(default=300.0, gt=0)    # the back-off's ceiling
    watch_schedule_every: float = Field(default=300.0, gt=0)  # re-read the day's schedule
    watch_full_every: int = Field(default=20, ge=1)           # a full capture every N polls
    watch_keep_captures: int = Field(default=20, ge=1)        # full captures kept per game
    watch_keep_diffs: bool = False                            # land the diffPatch answers too

    # -- alerts and the conflict log (see docs/service.md#alerts) -------------------------
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    @field_validator("alerts", mode="before")
    @classmethod
    def _alert_values(cls, value: Any) -> Any:
        """``Settings(alerts={...})``: the values given, the environment for the rest."""
        if isinstance(value, dict):
            try:
                return AlertSettings(**value)
            except ValidationError as exc:
                raise _config_error(exc, value, AlertSettings, "FIELDHOUSE_ALERTS__") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _valid_level(cls, value: str) -> str:
        if str(value).upper() not in LOG_LEVELS:
            raise ValueError(f"not a log level: use one of {', '.join(LOG_LEVELS)}")
        return str(value).upper()

    _source_values: dict[str, Any] = PrivateAttr(default_factory=dict)
    _source_settings: dict[str, Any] = PrivateAttr(default_factory=dict)

    def __init__(self, **values: Any) -> None:
        fields = type(self).model_fields
        kept = {k: values.pop(k) for k in list(values) if k not in fields and not k.startswith("_")}
        super().__init__(**values)
        self._source_values = kept

    @field_validator("database_url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        DatabaseURL.parse(value)
        return value

    @cached_property
    def database(self) -> DatabaseURL:
        return DatabaseURL.parse(self.database_url)

    def for_source(self, name: str, model: type[S]) -> S:
        """The settings of source ``name`` (a ``model`` instance, made once): its
        ``FIELDHOUSE_<NAME>__*`` variables, overridden by ``Settings(<name>={...})``."""
        held = self._source_settings.get(name)
        if isinstance(held, model):
            return held
        given = self._source_values.get(name)
        if isinstance(given, model):
            settings = given
        else:
            values = dict(given.model_dump(exclude_unset=True) if isinstance(given, BaseModel) else given or {})
            for key, value in self._source_values.items():
                field = key[len(name) + 1:]
                if key.startswith(f"{name}_") and field in model.model_fields and field not in values:
                    warnings.warn(f"Settings({key}=...) is deprecated: write Settings({name}={{{field!r}: ...}}); "
                                  "the flat name is read until the next release", DeprecatedSettingWarning,
                                  stacklevel=2)
                    values[field] = value
            try:
                settings = model(**values)
            except ValidationError as exc:
                raise _config_error(exc, values, model, f"FIELDHOUSE_{name.upper()}__") from None
        self._source_settings[name] = settings
        return settings

    def __repr_args__(self):
        yield from super().__repr_args__()
        yield "database_url", redact(self.database_url)


def get_settings(**overrides: object) -> Settings:
    """The settings, ``overrides`` (e.g. ``--db``) winning over the environment; a
    ConfigError naming the variable and what it accepts if one is invalid."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if "alerts" not in given:
        try:
            given["alerts"] = AlertSettings()
        except ValidationError as exc:
            raise _config_error(exc, {}, AlertSettings, "FIELDHOUSE_ALERTS__") from None
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise _config_error(exc, given, Settings, "FIELDHOUSE_") from None


def _accepts(model: type[BaseModel], name: str) -> str:
    """What a setting accepts, in words: ``a whole number of 1 or more``."""
    info = model.model_fields[name]
    if model is Settings and name == "log_level":
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


def _config_error(exc: ValidationError, given: dict[str, object], model: type[BaseModel],
                  prefix: str) -> ConfigError:
    """One sentence for the first invalid setting of ``model``: which variable (``prefix`` +
    its name, or the keyword given in Python), its value (redacted), what it accepts."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error.get("loc") else ""
    if name not in model.model_fields:
        return ConfigError(f"invalid settings: {error['msg']}")
    where = f"the {name} setting" if name in given else f"{prefix}{name.upper()}"
    value = redact(str(error.get("input", "")))
    return ConfigError(f"{where}={value!r} is not valid: it accepts {_accepts(model, name)}")


class _Deprecated(PydanticBaseSettingsSource):
    """Values found under the previous release's flat names, each with a warning."""

    def __init__(self, settings_cls: type[BaseSettings], inner: PydanticBaseSettingsSource,
                 old_prefix: str, new_prefix: str) -> None:
        super().__init__(settings_cls)
        self.inner, self.old_prefix, self.new_prefix = inner, old_prefix, new_prefix

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return self.inner.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        found = self.inner()
        for name in found:
            old, new = f"{self.old_prefix}{name}".upper(), f"{self.new_prefix}{name}".upper()
            warnings.warn(f"{old} is deprecated: rename it {new} (the old name is read until the next "
                          "release)", DeprecatedSettingWarning, stacklevel=2)
        return found


class SourceSettings(BaseSettings):
    """Base of a source's settings.  Subclass it with ``env_prefix="FIELDHOUSE_<NAME>__"``::

        class ExampleSettings(SourceSettings):
            model_config = SettingsConfigDict(env_prefix="FIELDHOUSE_EXAMPLE__")
            base_url: str = "https://api.example.com/v1"

    ``FIELDHOUSE_EXAMPLE__BASE_URL`` sets ``base_url``; the flat ``FIELDHOUSE_EXAMPLE_BASE_URL`` of
    the previous release is read too (after the new name), with a warning.  A source's
    settings may also hold fetch-policy fields (``min_interval``, ``jitter``,
    ``max_attempts``, ...), which override the ``FIELDHOUSE_HTTP_*`` ones for that source.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        prefix = str(settings_cls.model_config.get("env_prefix") or "")
        if not prefix.endswith("__"):
            return init_settings, env_settings, dotenv_settings, file_secret_settings
        old = prefix[:-1]  # FIELDHOUSE_NBA__ -> FIELDHOUSE_NBA_
        legacy_env = _Deprecated(settings_cls, EnvSettingsSource(settings_cls, env_prefix=old), old, prefix)
        legacy_dotenv = _Deprecated(settings_cls, DotEnvSettingsSource(
            settings_cls, env_file=settings_cls.model_config.get("env_file"), env_prefix=old), old, prefix)
        return init_settings, env_settings, dotenv_settings, legacy_env, legacy_dotenv, file_secret_settings
