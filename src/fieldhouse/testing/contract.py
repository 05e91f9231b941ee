"""A test kit any source runs against itself (in the manner of singer_sdk's tap tests):
subclass :class:`SourceContract` in a test module and pytest runs the checks::

    from fieldhouse.testing import Sample, SourceContract

    class TestExampleSource(SourceContract):
        source_name = "example"
        sync_options = {"season": "2024"}          # a sync to plan (nothing is fetched)

        @pytest.fixture
        def samples(self, fixtures_dir):           # real recorded responses of the source
            return [Sample("scores", {"day": "2024-07-01"}, (fixtures_dir / "scores.json").read_bytes())]

What it checks: the source is installed under its name and has every member of the
protocol; its tables live in its own schema; its settings are read from
``FIELDHOUSE_<NAME>__*`` (and the previous release's flat names, with a warning); its
options are declared per command without clashing with the shared ones, and a mistake is
one sentence; every unit it plans has a key of its own that ``unit_for_key`` rebuilds; each
sample passes its validator (and a body of another shape does not), has a handler that
writes only the source's tables, lands once, maps identically again (all unchanged) and
replays into an empty database to the same rows; its audits run on an empty database.
Needs pytest (a test dependency).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from ..errors import BadResponseError, ConfigError
from ..mapping import QUARANTINE
from ..runs.audits import run_audits
from ..settings import DeprecatedSettingWarning, Settings, SourceSettings
from ..sources import registry
from ..sources.http.response import Response, canonical_params
from ..sources.http.validate import parse_json
from ..sources.protocol import Source, SourceOptions, cli_fields, flag, options_for
from ..sources.replay import ingest, replay
from ..stores import connect
from ..stores.roles import Stores
from ..table import check_identifier

#: Options every source command already has; a source must not declare them again.
SHARED_OPTIONS = ("--db", "--json", "--source", "--help")


@dataclass(frozen=True)
class Sample:
    """A real response of the source: ``endpoint``, its request ``params`` and ``body``."""

    endpoint: str
    params: Mapping[str, Any]
    body: bytes
    captured_at: datetime = field(default_factory=lambda: datetime(2024, 1, 1, tzinfo=UTC))

    def response(self, source: str) -> Response:
        return Response(source=source, endpoint=self.endpoint, params=canonical_params(self.params),
                        body=self.body, data=json.loads(self.body), captured_at=self.captured_at)


class SourceContract:
    """The contract of a fieldhouse source (see the module docstring)."""

    source_name: ClassVar[str]
    #: Options of a sync whose plan the kit checks (planning never fetches).
    sync_options: ClassVar[Mapping[str, Any]] = {}

    @pytest.fixture
    def source(self) -> Source:
        return registry.get(self.source_name)

    @pytest.fixture
    def samples(self) -> Sequence[Sample]:
        """Override with real recorded responses of the source."""
        return ()

    @pytest.fixture
    def db(self, tmp_path) -> str:
        return f"sqlite:///{tmp_path / 'contract.db'}"

    # -- identity ----------------------------------------------------------------------
    def test_it_is_installed_under_its_name_and_has_every_member(self, source):
        assert self.source_name in registry.names()
        assert isinstance(source, Source), "the object lacks members of fieldhouse.sources.protocol.Source"
        assert source.name == self.source_name
        check_identifier(source.name, "source name")

    def test_its_tables_live_in_its_own_schema(self, source):
        tables = source.tables()
        for name, table in tables.items():
            assert name == table.name
            assert table.schema == source.name, f"{name}: a source's tables are {source.name}.<table>"

    # -- settings ----------------------------------------------------------------------
    def test_its_settings_come_from_its_own_variables(self, source, monkeypatch):
        model = source.settings_model
        assert issubclass(model, SourceSettings)
        model()  # every setting has a default
        prefix = str(model.model_config.get("env_prefix") or "")
        assert prefix.upper() == f"FIELDHOUSE_{source.name.upper()}__", "env_prefix is FIELDHOUSE_<NAME>__"
        changed = next(((n, f.default) for n, f in model.model_fields.items()
                        if isinstance(f.default, int | float | str) and not isinstance(f.default, bool)), None)
        if changed is None:
            pytest.skip("no setting with a plain default to change")
        name, default = changed
        value = default + 1 if isinstance(default, int | float) else f"{default}x"
        monkeypatch.setenv(f"{prefix}{name}".upper(), str(value))
        assert getattr(Settings().for_source(source.name, model), name) == value
        monkeypatch.delenv(f"{prefix}{name}".upper())
        monkeypatch.setenv(f"{prefix[:-1]}{name}".upper(), str(value))
        with pytest.warns(DeprecatedSettingWarning):
            assert getattr(Settings().for_source(source.name, model), name) == value

    # -- options -----------------------------------------------------------------------
    def test_its_options_are_declared_per_command(self, source):
        assert "sync" in source.options, "a source declares at least its sync options"
        for command, model in source.options.items():
            assert issubclass(model, SourceOptions), command
            clash = [flag(n) for n in cli_fields(model) if flag(n) in SHARED_OPTIONS]
            assert clash == [], f"{command} declares options every command already has: {clash}"
        with pytest.raises(ConfigError, match="has no option --no-such-option"):
            options_for(source, "sync", {**self.sync_options, "no_such_option": 1})
        options_for(source, "sync", self.sync_options)

    # -- units -------------------------------------------------------------------------
    def test_every_planned_unit_has_its_own_key_that_rebuilds_it(self, source, db):
        settings = Settings(database_url=db)
        options = options_for(source, "sync", self.sync_options)
        with connect(db) as store, source.open(settings, options) as context:
            stores = Stores.of(store)
            units = list(source.plan(context, stores))
            keys = [u.key for u in units]
            assert len(keys) == len(set(keys)), "unit keys are unique within a run"
            for unit in units:
                assert unit.key.startswith(f"{source.name}/"), unit.key
                assert isinstance(unit.kind, str) and unit.kind
                rebuilt = source.unit_for_key(context, stores, unit.key)
                assert rebuilt is not None and rebuilt.key == unit.key, f"unit_for_key({unit.key!r})"
            assert source.unit_for_key(context, stores, "some-other-source/x") is None

    # -- responses ---------------------------------------------------------------------
    def test_samples_pass_the_validator_and_another_shape_does_not(self, source, samples):
        for sample in samples:
            source.validate(sample.endpoint, parse_json(sample.body, sample.endpoint))
            with pytest.raises(BadResponseError):
                source.validate(sample.endpoint, {"an": ["unexpected", "shape"]})

    def test_samples_map_once_and_replay_to_the_same_rows(self, source, samples, tmp_path):
        if not samples:
            pytest.skip("no samples given")
        handlers = source.handlers()
        own = {*source.tables(), QUARANTINE.name}
        first, other = f"sqlite:///{tmp_path / 'first.db'}", f"sqlite:///{tmp_path / 'other.db'}"
        with connect(first) as store:
            for sample in samples:
                assert sample.endpoint in handlers, f"no handler for {sample.endpoint}"
                done = ingest(store, sample.response(source.name))
                assert done.landed.stored
                assert set(done.results) <= own, f"{sample.endpoint} wrote tables of another source"
                again = ingest(store, sample.response(source.name))
                assert not again.landed.stored
                for name, result in again.results.items():
                    assert result.written == result.stale == 0, f"{name}: a second identical response changed rows"
            written = {name: store.rows(table) for name, table in source.tables().items() if store.table_exists(table)}
            with connect(other) as empty:
                report = replay(empty, source=source.name, control=store)
                assert report.ok, report.failures
                rebuilt = {name: empty.rows(table) for name, table in source.tables().items()
                           if empty.table_exists(table)}
        for name, rows in written.items():
            if name in rebuilt or rows:
                assert rebuilt.get(name) == rows, f"{name}: replay into an empty database differs"

    # -- audits ------------------------------------------------------------------------
    def test_its_audits_run_on_an_empty_database(self, source, db):
        scope = options_for(source, "audit", {}, default=SourceOptions)
        with connect(db) as store:
            report = run_audits(store, source.audits(scope))
        broken = [r.detail for r in report.results if r.detail.startswith("could not run")]
        assert broken == []
