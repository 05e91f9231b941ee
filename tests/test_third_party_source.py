"""A source from another package: tests/tinysource/tinysource.py is installed (a dist-info
on sys.path naming it in the ``fieldhouse.sources`` entry-point group, exactly what pip
writes) and driven through ``sync``, ``deadletters retry``, ``replay``, ``audit`` and
``status`` without any change to fieldhouse; then the contract kit checks it, and catches a
broken copy of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fieldhouse
from fieldhouse.cli import app
from fieldhouse.testing import FakeStatsServer, Sample, SourceContract

HERE = Path(__file__).parent / "tinysource"
runner = CliRunner()


def install(site: Path, module: str = "tinysource", name: str = "tiny", target: str = "tinysource:source") -> None:
    """What ``pip install`` of a package registering a source leaves on sys.path."""
    dist = site / f"{module}-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[fieldhouse.sources]\n{name} = {target}\n")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    (site / "tinysource.py").write_text((HERE / "tinysource.py").read_text())
    install(site)
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(site))
        yield site


def day(date: str, *scores: tuple[str, int]) -> dict:
    return {"day": date, "scores": [{"team": t, "points": p} for t, p in scores]}


@pytest.fixture
def server(installed):
    with FakeStatsServer() as server:
        server.add("/tiny/ping", {"ok": True})
        server.add("/tiny/scores", day("2024-01-01", ("A", 3), ("B", 1)), match={"day": "2024-01-01"})
        yield server


def cli(*args, env):
    result = runner.invoke(app, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_source_from_another_package_goes_through_every_command(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    env = {"FIELDHOUSE_DATABASE_URL": url, "FIELDHOUSE_TINY__BASE_URL": server.url("/tiny"),
           "FIELDHOUSE_HTTP_MAX_ATTEMPTS": "1", "FIELDHOUSE_LOG_FILE": ""}
    assert "tiny" in fieldhouse.source_names()

    # sync: 2024-01-02 is not served yet (404): its unit fails, the run is partial
    first = cli("sync", "tiny", "--days", "2024-01-01,2024-01-02", "--json", env=env)
    assert first.exit_code == 3, first.output
    report = json.loads(first.stdout)
    assert {u["key"]: u["status"] for u in report["units"]} == {"tiny/2024-01-01": "success",
                                                                 "tiny/2024-01-02": "failed"}
    assert report["tables"]["tiny.scores"]["inserted"] == 2 and report["http_calls"] == 3  # with the pre-flight
    assert report["dead_letters"]["opened"] == ["tiny/2024-01-02"]

    # deadletters retry: once the day is served, the retry run closes the dead letter
    server.add("/tiny/scores", day("2024-01-02", ("A", 0), ("C", 7)), match={"day": "2024-01-02"})
    retry = cli("deadletters", "retry", "--json", env=env)
    assert retry.exit_code == 0, retry.output
    [run] = json.loads(retry.stdout)["runs"]
    assert run["source"] == "tiny" and run["command"] == "retry" and run["dead_letters"]["closed"] == ["tiny/2024-01-02"]
    with fieldhouse.connect(url) as store:
        scores = fieldhouse.get_source("tiny").tables()["tiny.scores"]
        synced = store.rows(scores)
        assert len(synced) == 4
        store.conn.execute('DELETE FROM "tiny_scores"')
        store.conn.commit()

    # replay: the raw zone rebuilds the table, offline
    replayed = cli("replay", "--source", "tiny", "--json", env=env)
    assert replayed.exit_code == 0, replayed.output
    assert json.loads(replayed.stdout)["tables"]["tiny.scores"]["inserted"] == 4
    with fieldhouse.connect(url) as store:
        assert store.rows(scores) == synced

    # audit: the source's own audits, recorded as a run
    audited = cli("audit", "--source", "tiny", "--json", env=env)
    assert audited.exit_code == 0, audited.output
    audit = json.loads(audited.stdout)
    assert audit["source"] == "tiny" and [r["name"] for r in audit["results"]] == ["points_not_negative"]

    # status: its table, its last run, no open dead letter, the audit
    status = json.loads(cli("status", "--source", "tiny", "--json", env=env).stdout)
    tables = {t["table"]: t["rows"] for t in status["tables"]}
    assert tables["tiny.scores"] == 4 and not any(name.startswith("nba.") for name in tables)
    [mine] = status["sources"]
    assert mine["source"] == "tiny" and mine["last_run"]["command"] == "audit"
    assert status["open_dead_letters"] == [] and status["last_audit"]["passed"] is True


def test_its_options_and_its_name_are_checked_like_any_source(installed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"FIELDHOUSE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "FIELDHOUSE_LOG_FILE": ""}
    wrong = cli("sync", "tiny", "--season", "2024", env=env)
    assert wrong.exit_code == 2 and "`sync tiny` has no option --season: its options are --days" in wrong.output
    missing = cli("sync", "tiny", env=env)
    assert missing.exit_code == 2 and "`sync tiny` needs --days" in missing.output
    bad = cli("sync", "tiny", "--days", "yesterday", env=env)
    assert bad.exit_code == 2 and "--days" in bad.output and "Traceback" not in bad.output
    assert cli("backfill", "tiny", env=env).exit_code == 2  # it declares no backfill
    for args in (("sync", "nope"), ("audit", "--source", "nope"), ("status", "--source", "nope"),
                 ("replay", "--source", "nope"), ("doctor", "--source", "nope"),
                 ("deadletters", "--source", "nope"), ("runs", "--source", "nope")):
        result = cli(*args, env=env)
        assert result.exit_code == 2, args
        known = ", ".join(fieldhouse.source_names())
        assert "tiny" in known and f"unknown source 'nope': the known sources are {known}" in result.output, args
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Options of tiny:" in cli("sync", "--help", env=env).output


class TestTinySourceContract(SourceContract):
    source_name = "tiny"
    sync_options = {"days": "2024-01-01,2024-01-02"}

    @pytest.fixture(autouse=True)
    def _installed(self, installed):
        return installed

    @pytest.fixture
    def samples(self):
        return [Sample("scores", {"day": "2024-01-01"}, json.dumps(day("2024-01-01", ("A", 3))).encode())]


def test_the_contract_kit_catches_a_broken_source(installed, tmp_path_factory):
    """A copy of the tiny source whose units cannot be rebuilt from their keys and whose
    table is outside its schema fails those two checks."""
    site = tmp_path_factory.mktemp("broken")
    text = (HERE / "tinysource.py").read_text()
    text = text.replace('Table("tiny.scores"', 'Table("elsewhere.scores"').replace('    name = "tiny"', '    name = "broken"')
    text = text.replace("return DayUnit(context.client, stores, date.fromisoformat(day)) if name == self.name",
                        "return None if name == self.name").replace('f"tiny/{', 'f"broken/{')
    (site / "brokensource.py").write_text(text)
    install(site, "brokensource", "broken", "brokensource:source")
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(site))

        class Broken(SourceContract):
            source_name = "broken"
            sync_options = {"days": "2024-01-01"}

        kit, source = Broken(), fieldhouse.get_source("broken")
        with pytest.raises(AssertionError, match="unit_for_key"):
            kit.test_every_planned_unit_has_its_own_key_that_rebuilds_it(source, f"sqlite:///{site / 'b.db'}")
        with pytest.raises(AssertionError, match="a source's tables are broken"):
            kit.test_its_tables_live_in_its_own_schema(source)
        kit.test_it_is_installed_under_its_name_and_has_every_member(source)  # the rest of it is fine
