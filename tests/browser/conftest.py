"""A live server and a headless Chromium (Debian's package, never a downloaded browser) for browser tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL
from tests.support import serving

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
IN_README = {"sidebar-commitment", "console-dashboard"}  # one of the sidebar, one of the console
# axe-core comes from the npm registry into a git-ignored cache the first time a test needs it (never from a CDN).
AXE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = next((path for path in (shutil.which("chromium"), "/usr/bin/chromium") if path and os.path.exists(path)), None)


def pytest_collection_modifyitems(config, items):
    reason = None
    if POSTGRES_URL:
        reason = "browser tests run once, in the SQLite pass"
    elif CHROMIUM is None:
        if os.environ.get("CI") == "true":
            raise pytest.UsageError("CI needs Debian's chromium package for the browser tests.")
        reason = "install Debian's chromium package to run the browser tests"
    if reason:
        for item in items:
            if "tests/browser/" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def live_server(app, runner):
    """The test app with the playground's sample data (as `make run` seeds it), served on a free local port."""
    assert runner.invoke(args=["demo-data", "--team-history"]).exit_code == 0
    with serving(app) as base_url:
        yield base_url


@contextlib.contextmanager
def chromium_page(base_url: str):
    """A Chromium page on `base_url`; JavaScript errors and Content-Security-Policy violations fail the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        # A script or style our own Content-Security-Policy blocks is a bug too.
        tab.on("console", lambda message: errors.append(message.text)
               if message.type == "error" and "Content Security Policy" in message.text else None)
        tab.base_url = base_url
        yield tab
        browser.close()
        assert errors == [], errors


@pytest.fixture
def page(live_server):
    """A Chromium page on the live server."""
    with chromium_page(live_server) as tab:
        yield tab


@pytest.fixture
def queued_app(make_app):
    """An app whose jobs wait in the queue (as with a separate worker) until the test runs them."""
    return make_app(VALUEDESK_JOBS_IMMEDIATE="false")


@pytest.fixture
def queued_page(queued_app):
    """A Chromium page on a live server whose background work runs only when the test says so."""
    from tests.conftest import CliRunner

    assert CliRunner(queued_app).invoke(args=["demo-data"]).exit_code == 0
    with serving(queued_app) as base_url, chromium_page(base_url) as tab:
        yield tab


@pytest.fixture
def screenshot(page):
    """Save a screenshot as a test artefact; `make screenshots` also refreshes the ones the README shows."""

    def take(name: str, *, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if name in IN_README and os.environ.get("VALUEDESK_DOCS_SCREENSHOTS") == "1":
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS / path.name)
        return path

    return take


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's axe.min.js, installed with `npm install --prefix .cache/axe axe-core@4` when missing."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            if os.environ.get("CI") == "true":
                pytest.fail("CI needs npm (Debian's npm package) to install axe-core for the accessibility tests.")
            pytest.skip("install npm to run the accessibility tests (they use axe-core from the npm registry)")
        subprocess.run([npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "--silent", "axe-core@4"],
                       check=True, timeout=300)
    return AXE_JS.read_text()
