"""The Pulse in a real browser (Debian's chromium, driven by Playwright) against a real
``fieldhouse serve`` process: the runs, the failed run and its error, freshness, the alerts,
and an update without reload when a new run lands; screenshots in tests/artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, run_cli

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
                                reason="Debian's chromium is not installed (.ci/run installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(filled_sqlite, tmp_path):
    sqlite_url = filled_sqlite
    port = free_port()
    env = {**os.environ, "FIELDHOUSE_SERVE_REFRESH": "1", "FIELDHOUSE_LOG_FILE": str(tmp_path / "serve.log")}
    env.pop("FIELDHOUSE_API_TOKEN", None)
    fieldhouse = shutil.which("fieldhouse", path=str(Path(sys.executable).parent)) or "fieldhouse"
    process = subprocess.Popen([fieldhouse, "serve", "--port", str(port), "--db", sqlite_url], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stdout.read().decode())
                time.sleep(0.1)
        yield base, sqlite_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_pulse_shows_runs_failure_freshness_alerts_and_updates(served):
    from playwright.sync_api import expect, sync_playwright

    base, url = served
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(base + "/")
            expect(page.locator("#state-text")).to_have_text("DEGRADED")
            runs = page.locator("#runs tbody tr")
            expect(runs).to_have_count(2)
            expect(runs.first).to_contain_text("failed")
            expect(runs.first).to_contain_text("2 of 2 units failed")
            expect(page.locator("#freshness")).to_contain_text("mlb.games")
            expect(page.locator("#deadletters li")).to_have_count(2)
            expect(page.locator("#chart svg rect.bar").first).to_be_visible()
            expect(page.locator("#alerts")).to_contain_text("critical run_failed")
            expect(page.locator("#alert-count")).to_have_text("1")
            page.screenshot(path=str(ARTIFACTS / "dashboard-1280.png"), full_page=True)
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.textContent") == "Skip to content"
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.getAttribute('href')") == "/api/v1/system/status"

            refreshed = page.evaluate("document.body.dataset.refreshed")
            run_cli("demo", "mlb", "--db", url)  # a new run lands
            expect(runs).to_have_count(3, timeout=15000)
            expect(runs.first).to_contain_text("success")
            expect(page.locator("#alerts")).to_contain_text("No active alerts")  # the failure is history
            assert page.evaluate("document.body.dataset.refreshed") != refreshed  # polled, not reloaded
            page.screenshot(path=str(ARTIFACTS / "dashboard-after-run.png"), full_page=True)

            runs.nth(1).locator("a").click()
            expect(page.locator("#run-error")).to_contain_text("2 of 2 units failed")
            expect(page.locator("#units")).to_contain_text("not JSON")
            expect(page.locator("#conflicts")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "run-page.png"), full_page=True)

            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(base + "/")
            expect(phone.locator("#state-text")).to_have_text("DEGRADED")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 400, f"the page is {width}px wide on a phone"
            phone.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
        finally:
            browser.close()
