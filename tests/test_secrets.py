"""A password in a database URL never appears in a log line, an exception or a repr."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

import fieldhouse
from fieldhouse import ConfigError, StoreError
from fieldhouse.settings import Settings
from fieldhouse.urls import DatabaseURL

from .stores.helpers import scores_table, ts

SECRET = "S3cr3t-pa55word"


def _with_password(url: str) -> str:
    scheme, rest = url.split("://", 1)
    userinfo, _, hostpart = rest.rpartition("@")
    user = userinfo.split(":", 1)[0] or "postgres"
    return f"{scheme}://{user}:{SECRET}@{hostpart}"


def test_repr_of_url_settings_and_store(pg_url, caplog):
    url = _with_password(pg_url)  # trust auth accepts any password
    settings = Settings(database_url=url)
    assert SECRET not in repr(settings) and SECRET not in str(settings.database)
    with caplog.at_level(logging.DEBUG, logger="fieldhouse"), fieldhouse.connect(url) as store:
        assert SECRET not in repr(store)
        table = scores_table()
        store.upsert(table, [{"game_id": "g1", "captured_at": ts(1)}])
    assert SECRET not in caplog.text


def test_connection_errors_do_not_show_the_password(caplog):
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreError) as info:
        fieldhouse.connect(f"postgresql://postgres:{SECRET}@127.0.0.1:1/nowhere")
    assert SECRET not in str(info.value)
    assert "127.0.0.1" in str(info.value)
    assert SECRET not in caplog.text


def test_malformed_url_errors_do_not_show_the_password():
    with pytest.raises(ConfigError) as info:
        fieldhouse.connect(f"postgresql://postgres:{SECRET}@127.0.0.1:notaport/db")
    assert SECRET not in str(info.value) and "malformed" in str(info.value)
    with pytest.raises(ConfigError) as info:
        fieldhouse.connect(f"mysql://root:{SECRET}@127.0.0.1/db")
    assert SECRET not in str(info.value) and "not supported" in str(info.value)


def test_redact_handles_urls_and_dsn_pairs():
    text = f"postgresql://u:{SECRET}@h/db and host=h password={SECRET} and password='{SECRET}'"
    assert SECRET not in fieldhouse.redact(text)


def test_cli_error_output_does_not_show_the_password(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "fieldhouse", "demo", "--db", f"postgresql://postgres:{SECRET}@127.0.0.1:1/x"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert proc.returncode == 1
    assert SECRET not in proc.stdout + proc.stderr
    assert "cannot connect to PostgreSQL" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite:///", "names no file"),
        ("sqlite:///?mode=ro", "names no file"),
        ("postgresql://", "names neither a server nor a database"),
        ("postgres://user:hunter2@/", "names neither a server nor a database"),
    ],
)
def test_a_url_without_a_place_is_a_config_error(url, says):
    """``sqlite:///`` used to open a throwaway in-memory database (a sync "succeeded" into
    nothing), and ``postgresql://`` failed with the driver's text."""
    with pytest.raises(ConfigError, match=says) as info:
        fieldhouse.connect(url)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "postgresql:///somedb", "postgresql://somehost",
                                 "postgresql://?host=/var/run/postgresql"])
def test_urls_that_name_a_place_still_parse(url):
    assert DatabaseURL.parse(url).dialect in ("sqlite", "postgresql")
