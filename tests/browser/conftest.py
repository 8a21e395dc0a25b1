"""A live server and a headless Chromium (Debian's package, never a downloaded browser) for browser tests."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import POSTGRES_URL

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
    """The test app with the playground's sample data, served on a free local port."""
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(live_server):
    """A Chromium page; JavaScript errors fail the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.base_url = live_server
        yield tab
        browser.close()
        assert errors == [], errors
