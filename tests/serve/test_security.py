"""The security rules: loopback by default, another address only with a token; the bearer
token on /api, /metrics and the dashboard (health checks open); no database URL, password or
token in any response or log line; CORS off unless configured."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from fieldhouse.cli import app as cli
from fieldhouse.serve.security import token_matches
from fieldhouse.serve.settings import is_loopback

from .conftest import client_for, fill

TOKEN = "tok-3f9a7c1e5b2d8046"
PASSWORD = "pw-secret-8c1d"
PATHS = ["/api/v1/system/status", "/api/v1/runs", "/api/v1/tables", "/api/v1/deadletters", "/api/v1/audits",
         "/api/v1/alerts", "/metrics", "/", "/readyz"]


def test_binding_another_address_without_a_token_refuses_to_start(monkeypatch):
    monkeypatch.delenv("FIELDHOUSE_API_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", "sqlite:///x.db"])
    assert result.exit_code == 2
    assert "refusing to bind 0.0.0.0" in result.output and "FIELDHOUSE_API_TOKEN" in result.output
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_the_token_guards_api_metrics_and_dashboard(filled_sqlite, tmp_path):
    sqlite_url = filled_sqlite
    with client_for(sqlite_url, token=TOKEN) as c:
        for path in ("/api/v1/system/status", "/api/v1/runs", "/metrics", "/api/v1/tables"):
            assert c.get(path).status_code == 401, path
            assert c.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401, path
            assert c.get(path, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401, path
            assert c.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200, path
        assert c.get("/api/v1/runs").json()["detail"].startswith("a bearer token is required")
        assert c.get("/healthz").status_code == 200 and c.get("/readyz").status_code == 200
        assert c.get("/", follow_redirects=False).headers["location"] == "/login"
        assert c.post("/login", data={"token": "wrong"}).status_code == 401
        signed = c.post("/login", data={"token": TOKEN}, follow_redirects=False)
        assert signed.status_code == 303
        assert c.get("/").status_code == 200 and c.get("/api/v1/runs").status_code == 200  # the cookie
    assert token_matches(TOKEN, TOKEN) and not token_matches("", TOKEN) and not token_matches(None, TOKEN)


def test_cors_is_off_unless_configured(filled_sqlite, tmp_path, monkeypatch):
    sqlite_url = filled_sqlite
    origin = {"Origin": "http://elsewhere.example"}
    with client_for(sqlite_url) as c:
        assert "access-control-allow-origin" not in c.get("/api/v1/runs", headers=origin).headers
    monkeypatch.setenv("FIELDHOUSE_CORS_ORIGINS", "http://elsewhere.example")
    with client_for(sqlite_url) as c:
        assert c.get("/api/v1/runs", headers=origin).headers["access-control-allow-origin"] == origin["Origin"]


def _with_password(url: str) -> str:
    head, _, tail = url.partition("postgres@")
    return f"{head}postgres:{PASSWORD}@{tail}"


@pytest.mark.postgres
def test_no_secret_in_any_response_or_log_line(pg_url, tmp_path, caplog):
    fill(pg_url, tmp_path)
    url = _with_password(pg_url)  # trust auth: the password is not checked, but it is in the URL
    down = "postgresql://postgres:" + PASSWORD + "@127.0.0.1:1/nowhere"
    caplog.set_level(logging.DEBUG)
    for target in (url, down):
        with client_for(target, token=TOKEN) as c:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            bodies = [c.get(p, headers=auth).text for p in PATHS]
            bodies += [c.get(p).text for p in PATHS]
            bodies += [c.get("/api/v1/runs/nope", headers=auth).text, c.get("/openapi.json").text,
                       c.get("/api/v1/runs?limit=abc", headers=auth).text]
            for body in bodies:
                for secret in (PASSWORD, TOKEN, target, target.rsplit("/", 1)[0]):
                    assert secret not in body
    assert PASSWORD not in caplog.text and TOKEN not in caplog.text
    log = (tmp_path / "logs" / "fieldhouse.log")
    assert not log.exists() or PASSWORD not in log.read_text()


def test_the_cli_loads_the_service_only_when_serve_runs():
    import subprocess
    import sys

    code = ("import sys, fieldhouse.cli; print([m for m in ('fastapi', 'uvicorn', 'jinja2', 'prometheus_client', "
            "'fieldhouse.serve.app') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
