"""The packaged FDK app unpacked, its serverless handlers run by a Node stand-in for Freshworks' runtime, and the
Freshdesk answers an account gives each API key."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from adapter.sidebar.packaging import build_freshdesk_app
from tests.conftest import load_fixture
from tests.support import api_fixture

RUNTIME = Path(__file__).with_name("fdk_runtime.js")
NODE = shutil.which("node")
ACME_ADMIN, ACME_AGENT, ACME_LEE, GLOBEX_ADMIN = "priya-admin-key", "sam-own-api-key", "lee-own-api-key", "globex-key"


def freshdesk_account(mock, subdomain: str, keys: dict[str, str]) -> None:
    """Freshdesk's answers at `subdomain`: `GET /agents/me` for each key (fixture name), 401 for any other, the roles."""
    api = f"https://{subdomain}.freshdesk.com/api/v2"
    owners = {"Basic " + base64.b64encode(f"{key}:X".encode()).decode(): fixture for key, fixture in keys.items()}

    def me(request):
        fixture = owners.get(request.headers.get("Authorization", ""))
        body = api_fixture("freshdesk", fixture or "error_not_found")
        return (200 if fixture else 401), {"Content-Type": "application/json"}, json.dumps(body)

    mock.add_callback("GET", f"{api}/agents/me", callback=me)
    mock.add("GET", f"{api}/roles", json=api_fixture("freshdesk", "roles"))


def acme_and_globex(mock) -> None:
    """Two Freshdesk accounts: acme (an administrator, an agent, a custom role named Administrator) and globex."""
    freshdesk_account(mock, "acme", {ACME_ADMIN: "agents_me__admin", ACME_AGENT: "agents_me__sam",
                                     ACME_LEE: "agent__custom_role"})
    freshdesk_account(mock, "globex", {GLOBEX_ADMIN: "agents_me__admin"})


def stamp(moment: datetime) -> int:
    """Freshworks' event time: epoch milliseconds."""
    return int(moment.timestamp() * 1000)


def unpacked_app(folder: Path) -> Path:
    """The FDK zip as `valuedesk package freshdesk` builds it, unpacked into `folder`."""
    with zipfile.ZipFile(build_freshdesk_app("https://valuedesk.example.com", folder / "dist")) as package:
        package.extractall(folder / "fdk")
    return folder / "fdk"


def _node(*args: str) -> dict:
    if NODE is None:
        pytest.skip("install Node.js to run the FDK app's own code")
    done = subprocess.run([NODE, str(RUNTIME), *args], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def run_handler(app_dir: Path, base_url: str, handler: str, payload: dict, iparams: dict) -> dict:
    """Run one server.js handler as Freshworks would: {"rendered", "db", "calls"}; the app's $db persists per app."""
    payload_file, iparams_file = app_dir / "payload.json", app_dir / "iparams.json"
    payload_file.write_text(json.dumps(payload))
    iparams_file.write_text(json.dumps(iparams))
    return _node("server", str(app_dir), base_url, handler, str(payload_file), str(iparams_file),
                 str(app_dir / "db.json"))


def run_install_page(app_dir: Path, base_url: str, callback: str, value: str, iparams: dict) -> dict:
    """Call one iparams.js callback as the install page does when a field changes: {"answer", "calls"}."""
    value_file, iparams_file = app_dir / "value.json", app_dir / "iparams.json"
    value_file.write_text(json.dumps(value))
    iparams_file.write_text(json.dumps(iparams))
    return _node("page", str(app_dir), base_url, callback, str(value_file), str(iparams_file))


def event(name: str, at: datetime) -> dict:
    """A recorded set-up or product event payload (tests/fixtures/freshdesk), sent at `at`."""
    return {**load_fixture("freshdesk", name), "timestamp": stamp(at)}
