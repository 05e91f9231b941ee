"""Loading files through a mapping into SQLite and PostgreSQL: idempotency, quarantine,
formats, the capture time, and the ``load`` and ``schema`` commands."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fieldhouse
from fieldhouse.cli import app
from fieldhouse.mapping import QUARANTINE, load_mapping
from fieldhouse.sources.files import load_file, read_records

from .test_apply import ONE_COLUMN

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "payments"
runner = CliRunner()


@pytest.fixture
def payments(tmp_path: Path) -> tuple[Path, Path]:
    csv_path = tmp_path / "payments.csv"
    shutil.copy(EXAMPLE / "payments.csv", csv_path)
    os.utime(csv_path, (1_714_000_000, 1_714_000_000))
    return csv_path, EXAMPLE / "payments.yaml"


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_payments_example_keeps_good_rows_quarantines_the_bad_one_and_reloads_as_unchanged(db_url: str, payments) -> None:
    csv_path, yaml_path = payments
    code, out = _cli("load", str(csv_path), "--mapping", str(yaml_path), "--db", db_url, "--json")
    assert code == 3, out  # some rows were rejected
    first = json.loads(out)
    assert first["tables"]["payments"] == {"inserted": 5, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 1, "deleted": 0}
    assert first["tables"]["customers"]["inserted"] == 3
    assert first["quarantine"]["inserted"] == 2  # the bad line, once for each target
    assert first["captured_at_from"] == "file modification time"
    assert first["captured_at"] == datetime.fromtimestamp(1_714_000_000, UTC).isoformat()

    mapping = load_mapping(yaml_path)
    with fieldhouse.connect(db_url) as store:
        payments_table = mapping.targets["payments"].table
        rows = store.rows(payments_table)
        written = {r["payment_id"]: r["processed_at"] for r in rows}
        rejects = store.rows(QUARANTINE)
    assert sorted(written) == [1001, 1002, 1003, 1005, 1006]
    assert all(isinstance(v, datetime) for v in written.values())
    assert {r["target"] for r in rejects} == {"payments", "customers"}
    for reject in rejects:
        assert reject["reason"] == "9 fields, but the header has 8"
        assert reject["origin"] == "payments.csv line 5"
        assert reject["record"]["fields"][:4] == ["1004", "C-03", "Turing", " Alan"]

    code, out = _cli("load", str(csv_path), "--mapping", str(yaml_path), "--db", db_url, "--json")
    second = json.loads(out)
    for name, counts in second["tables"].items():
        assert counts["inserted"] == counts["updated"] == 0, name
    assert second["tables"]["payments"]["unchanged"] == 5
    assert second["quarantine"] == {"inserted": 0, "updated": 0, "unchanged": 2, "stale": 0, "rejected": 0, "deleted": 0}
    with fieldhouse.connect(db_url) as store:
        assert {r["payment_id"]: r["processed_at"] for r in store.rows(payments_table)} == written
        assert store.count(QUARANTINE) == 2


def test_newer_file_updates_and_processed_at_moves(sqlite_url: str, payments, tmp_path: Path) -> None:
    csv_path, yaml_path = payments
    mapping = load_mapping(yaml_path)
    with fieldhouse.connect(sqlite_url) as store:
        load_file(store, csv_path, mapping)
        before = {r["payment_id"]: r for r in store.rows(mapping.targets["payments"].table)}
        text = csv_path.read_text().replace("75.00,USD,2024-03-01,settled,2024-03-01T11:30:00Z",
                                            "80.00,USD,2024-03-01,settled,2024-03-05T11:30:00Z")
        newer = tmp_path / "payments_fixed.csv"
        newer.write_text(text.replace("Turing, Alan", "Alan Turing"))
        done = load_file(store, newer, mapping)
        after = {r["payment_id"]: r for r in store.rows(mapping.targets["payments"].table)}
    counts = done.result.tables["payments"].counts()
    assert counts == {"inserted": 1, "updated": 1, "unchanged": 4, "stale": 0, "rejected": 0, "deleted": 0}
    assert str(after[1002]["amount"]) == "80.00"
    assert after[1002]["processed_at"] > before[1002]["processed_at"]
    assert after[1001]["processed_at"] == before[1001]["processed_at"]
    assert 1004 in after


def test_older_file_does_not_overwrite_newer(sqlite_url: str, payments, tmp_path: Path) -> None:
    csv_path, yaml_path = payments
    mapping = load_mapping(yaml_path)
    older = tmp_path / "older.csv"
    older.write_text(csv_path.read_text().replace("120.50,usd,2024-03-01,settled,2024-03-01T10:00:00Z",
                                                  "999.99,usd,2024-03-01,settled,2024-02-01T10:00:00Z"))
    with fieldhouse.connect(sqlite_url) as store:
        load_file(store, csv_path, mapping)
        done = load_file(store, older, mapping)
        row = store.rows(mapping.targets["payments"].table, {"payment_id": 1001})[0]
    assert done.result.tables["payments"].stale == 1
    assert str(row["amount"]) == "120.50"


GAMES = """\
targets:
  games:
    table: app.games
    primary_key: id
    version: captured_at
    columns:
      id:          {type: int, path: id}
      pts:         {type: int, path: pts}
      captured_at: {type: timestamptz, expr: "captured_at()"}
    checks: ["pts between 0 and 250"]
"""


@pytest.mark.parametrize("kind", ["csv", "json", "json_object", "jsonl", "csv.gz", "jsonl.gz", "bom.csv", "gz_without_suffix",
                                  "cr.csv", "crlf.csv"])
def test_file_formats(tmp_path: Path, kind: str) -> None:
    records = [{"id": 1, "pts": 100}, {"id": 2, "pts": 300}]
    if kind in ("csv", "csv.gz", "bom.csv", "cr.csv", "crlf.csv"):
        data = b"id,pts\n1,100\n2,300\n"
    elif kind == "json_object":
        data = json.dumps(records[0]).encode()
    elif kind.startswith("json") or kind == "gz_without_suffix":
        data = ("\n".join(json.dumps(r) for r in records) if "jsonl" in kind or kind == "gz_without_suffix" else json.dumps(records)).encode()
    if kind == "bom.csv":
        data = b"\xef\xbb\xbf" + data
    if kind in ("cr.csv", "crlf.csv"):  # old Mac and Windows line endings
        data = data.replace(b"\n", b"\r" if kind == "cr.csv" else b"\r\n")
    if kind.endswith("gz") or kind == "gz_without_suffix":
        data = gzip.compress(data)
    name = {"json_object": "one.json", "gz_without_suffix": "download.bin"}.get(kind, f"data.{kind}")
    path = tmp_path / name
    path.write_bytes(data)
    mapping = fieldhouse.mapping.parse_mapping(GAMES, "g.yaml")
    with fieldhouse.connect(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        done = load_file(store, path, mapping, captured_at=datetime(2024, 1, 1, tzinfo=UTC))
        rows = store.rows(mapping.targets["games"].table)
    expected_rejects = 0 if kind == "json_object" else 1
    assert [r["id"] for r in rows] == [1]
    assert done.result.tables["app.games"].rejected == expected_rejects
    assert done.captured_from == "given"


def test_bad_jsonl_line_and_real_bom_fixture(tmp_path: Path, fixtures_dir: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": 1, "pts": 3}\n{oops\n\n{"id": 2, "pts": 4}\n')
    records = read_records(path)
    assert [r.problem is None for r in records] == [True, False, True]
    assert records[1].origin == "x.jsonl line 2" and records[1].problem.startswith("not valid JSON")
    [record] = read_records(fixtures_dir / "mlb/schedule/schedule_date-2022-04-07_sportId-1.json")
    assert record.data["totalGames"] == 9  # the file starts with a UTF-8 BOM


def test_captured_at_option_and_mtime(sqlite_url: str, tmp_path: Path) -> None:
    mapping_path = tmp_path / "g.yaml"
    mapping_path.write_text(GAMES)
    data = tmp_path / "g.csv"
    data.write_text("id,pts\n1,100\n")
    code, out = _cli("load", str(data), "-m", str(mapping_path), "--db", sqlite_url, "--json", "--captured-at", "2024-02-03T04:05:06Z")
    assert code == 0, out
    result = json.loads(out)
    assert (result["captured_at"], result["captured_at_from"]) == ("2024-02-03T04:05:06+00:00", "given")
    with fieldhouse.connect(sqlite_url) as store:
        table = load_mapping(mapping_path).targets["games"].table
        assert store.rows(table)[0]["captured_at"] == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    code, out = _cli("load", str(data), "-m", str(mapping_path), "--db", sqlite_url)
    assert code == 0
    assert "from file modification time (used by the mapping)" in " ".join(out.split())
    code, out = _cli("load", str(data), "-m", str(mapping_path), "--db", sqlite_url, "--captured-at", "soon")
    assert code == 2


def test_mapping_errors_reach_the_user_with_file_and_line(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GAMES.replace("type: int, path: pts", "type: int"))
    data = tmp_path / "g.csv"
    data.write_text("id,pts\n1,100\n")
    result = runner.invoke(app, ["load", str(data), "-m", str(bad), "--db", sqlite_url])
    assert result.exit_code == 2  # a bad mapping is bad usage (docs/runs.md)
    message = " ".join(result.stderr.split())
    assert "bad.yaml, line 8: target 'games', column 'pts' has no source" in message
    assert "Traceback" not in result.output


def test_schema_command_prints_the_ddl_of_both_dialects(tmp_path: Path) -> None:
    code, out = _cli("schema", str(EXAMPLE / "payments.yaml"))
    assert code == 0
    assert out.index('CREATE TABLE IF NOT EXISTS main."customers"') < out.index('main."payments"')
    assert '"amount" NUMERIC(12,2) NOT NULL' in out
    assert 'main."fieldhouse_rejects"' in out
    mapping_path = tmp_path / "g.yaml"
    mapping_path.write_text(GAMES)
    code, out = _cli("schema", str(mapping_path), "--dialect", "postgresql")
    assert code == 0
    assert out.startswith('CREATE SCHEMA IF NOT EXISTS "app";\nCREATE TABLE IF NOT EXISTS "app"."games"')
    assert '"captured_at" timestamp with time zone NOT NULL' in out
    code, _ = _cli("schema", str(mapping_path), "--dialect", "oracle")
    assert code == 2


def test_schema_ddl_is_what_a_load_creates(pg_url: str, tmp_path: Path) -> None:
    mapping = load_mapping(EXAMPLE / "payments.yaml")
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(fieldhouse.mapping.schema_sql(mapping, "postgresql"))
    with fieldhouse.connect(pg_url) as store:
        done = load_file(store, EXAMPLE / "payments.csv", mapping)
    assert done.result.tables["payments"].inserted == 5


def test_everything_rolls_back_together(sqlite_url: str, payments, monkeypatch) -> None:
    csv_path, yaml_path = payments
    mapping = load_mapping(yaml_path)
    with fieldhouse.connect(sqlite_url) as store:
        real = store.upsert

        def failing(table, rows):
            if table.name == QUARANTINE.name:
                raise fieldhouse.StoreError("disk full")
            return real(table, rows)

        monkeypatch.setattr(store, "upsert", failing)
        with pytest.raises(fieldhouse.StoreError):
            load_file(store, csv_path, mapping)
        monkeypatch.undo()
        for name in ("payments", "customers"):
            table = mapping.targets[name].table
            assert not store.table_exists(table) or store.count(table) == 0
        done = load_file(store, csv_path, mapping)  # and the same store loads fine afterwards
        assert done.result.tables["payments"].inserted == 5
        assert store.count(QUARANTINE) == 2


def test_rows_the_store_refuses_are_quarantined_with_the_row_and_the_target(sqlite_url: str) -> None:
    from fieldhouse.mapping import apply_mapping, parse_mapping, write_applied

    mapping = parse_mapping(GAMES, "g.yaml")
    stamp = datetime(2024, 1, 1, tzinfo=UTC)
    applied = apply_mapping(mapping, [{"id": 1, "pts": 10}, {"id": 2, "pts": 20}], stamp)
    applied.rows["games"][1]["pts"] = "lots"  # as if a row reached the store uncast
    with fieldhouse.connect(sqlite_url) as store:
        result = write_applied(store, applied, stamp)
        [reject] = store.rows(QUARANTINE)
        assert store.count(mapping.targets["games"].table) == 1
    assert result.tables["app.games"].counts() == {"inserted": 1, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 1, "deleted": 0}
    assert (reject["target"], reject["table_name"]) == ("games", "app.games")
    assert reject["record"] == {"id": 2, "pts": "lots", "captured_at": "2024-01-01T00:00:00+00:00"}
    assert "cannot cast 'lots' to int" in reject["reason"]
    [refused] = result.rejects
    assert isinstance(refused, fieldhouse.Rejected) and refused.target == "games"


def test_a_long_csv_field_loads_and_an_oversized_one_is_a_reject(sqlite_url: str, tmp_path: Path, monkeypatch) -> None:
    """Issue 9, item 10: a field over 131,072 characters aborted the whole file."""
    from fieldhouse.sources import files

    mapping = fieldhouse.mapping.parse_mapping(GAMES.replace("checks: [\"pts between 0 and 250\"]", "").replace(
        "      pts:         {type: int, path: pts}\n", "      pts:         {type: int, path: pts}\n      note:        {type: text, path: note}\n"), "g.yaml")
    path = tmp_path / "long.csv"
    path.write_text(f"id,pts,note\n1,10,{'x' * 200_000}\n2,20,short\n")
    with fieldhouse.connect(sqlite_url) as store:
        done = load_file(store, path, mapping, captured_at=datetime(2024, 1, 1, tzinfo=UTC))
        notes = {r["id"]: len(r["note"]) for r in store.rows(mapping.targets["games"].table)}
    assert notes == {1: 200_000, 2: 5}
    assert done.result.rejects == []

    monkeypatch.setattr(files, "CSV_FIELD_LIMIT", 1_000)
    path.write_text(f"id,pts,note\n1,10,{'y' * 5_000}\n2,30,\"quoted, fine\"\n3,40,last\n")
    with fieldhouse.connect(sqlite_url) as store:
        done = load_file(store, path, mapping, captured_at=datetime(2024, 1, 2, tzinfo=UTC))
        rows = {r["id"]: r["pts"] for r in store.rows(mapping.targets["games"].table)}
        [quarantined] = store.rows(QUARANTINE)
    [reject] = done.result.rejects
    assert reject.reason == "a field is longer than 1,000 characters, the CSV field limit"
    assert reject.origin == "long.csv line 2"
    assert rows == {1: 10, 2: 30, 3: 40}  # the rest of the file is read on (row 1 kept its older copy)
    assert quarantined["record"]["text"].startswith("1,10,yyy")
    assert len(quarantined["record"]["text"]) == files.KEPT_OF_LONG_LINE


def test_values_are_cast_once_so_a_json_string_is_stored_as_that_string(db_url: str, tmp_path: Path) -> None:
    """Issue 10: casts and NOT NULL checks happen once.  Casting twice read a JSON string
    as a document again: the CSV field '"hello"' became hello, then failed as JSON."""
    mapping = fieldhouse.mapping.parse_mapping(ONE_COLUMN % "json", "docs.yaml")
    path = tmp_path / "docs.csv"
    path.write_text('id,x\n1,"""hello"""\n2,"""123"""\n3,123\n4,"[1, ""a""]"\n')
    with fieldhouse.connect(db_url) as store:
        done = load_file(store, path, mapping, captured_at=datetime(2024, 1, 1, tzinfo=UTC))
        rows = {r["id"]: r["x"] for r in store.rows(mapping.targets["t"].table)}
    assert done.result.rejects == []
    assert rows == {1: "hello", 2: "123", 3: 123, 4: [1, "a"]}


def test_a_file_that_breaks_half_way_writes_nothing_and_says_where(sqlite_url: str, tmp_path: Path, monkeypatch) -> None:
    """Files are read as they are loaded; a byte that is not UTF-8 deep in the file still
    ends the load before anything is committed."""
    from fieldhouse.mapping import load as load_module

    monkeypatch.setattr(load_module, "MAP_RECORDS", 2)
    monkeypatch.setattr(load_module, "CHUNK_ROWS", 3)
    mapping = fieldhouse.mapping.parse_mapping(GAMES, "g.yaml")
    path = tmp_path / "broken.csv"
    path.write_bytes(b"id,pts\n" + b"".join(b"%d,1\n" % i for i in range(1, 40)) + b"40,\xff\n41,2\n")
    gz = tmp_path / "cut.csv.gz"
    gz.write_bytes(gzip.compress(b"id,pts\n" + b"".join(b"%d,1\n" % i for i in range(1, 4000)))[:-30])
    with fieldhouse.connect(sqlite_url) as store:
        with pytest.raises(fieldhouse.ConfigError, match=r"broken\.csv is not UTF-8 text \(line 41\)"):
            load_file(store, path, mapping, captured_at=datetime(2024, 1, 1, tzinfo=UTC))
        with pytest.raises(fieldhouse.ConfigError, match=r"cut\.csv\.gz looks gzipped but cannot be decompressed"):
            load_file(store, gz, mapping, captured_at=datetime(2024, 1, 1, tzinfo=UTC))
        table = mapping.targets["games"].table
        assert not store.table_exists(table) or store.count(table) == 0
