"""The packaged Freshdesk app in a real browser: an agent sees they are not verified, verifies in one step with their
own API key, and stays verified in this browser. A stand-in for Freshworks' client runs the package's own request
templates (config/requests.json) against the live service, as Freshworks' proxy does, iparams filled in server-side."""

import base64
import json
import zipfile

import pytest
from responses import matchers
from werkzeug.middleware.shared_data import SharedDataMiddleware

from adapter.connections import INSTALLATION_TOKEN
from adapter.providers import freshdesk
from adapter.sidebar.packaging import build_freshdesk_app
from tests.browser.conftest import ARTIFACTS
from tests.browser.conftest import chromium_page
from tests.support import freshdesk_api
from tests.support import serving

TOKEN = "install-token-fd"
SAMS_KEY = "sam-own-api-key"

# What Freshworks does for the app: hand it a client, and run a request template with the installation's iparams.
FDK_STAND_IN = """
window.app = { initialized: () => Promise.resolve({
  events: { on() {} }, instance: { resize() {} }, interface: { trigger() {} },
  data: { get: (what) => Promise.resolve(what === "loggedInUser" ? { loggedInUser: { id: 7001 } } : { ticket: { id: 42 } }) },
  request: { async invokeTemplate(name, options) {
    const schema = TEMPLATES[name].schema, context = options.context || {};
    const fill = (text) => text.replace(/<%= (iparam|context)\\.(\\w+) %>/g, (_, kind, key) => (kind === "iparam" ? IPARAMS : context)[key]);
    const headers = Object.fromEntries(Object.entries(schema.headers).map(([k, v]) => [k, fill(v)]));
    const response = await fetch(fill(schema.path), { method: schema.method, headers, body: options.body });
    const answer = { status: response.status, response: await response.text() };
    if (!response.ok) throw answer;
    return answer;
  } },
}) };
"""


@pytest.fixture
def freshdesk_app(app, make_installation, tmp_path, no_network):
    """The built FDK app served next to the live service (same origin, as the proxy makes it), and its base URL."""
    installation = make_installation(kind="freshdesk", account="acme", secrets={
        freshdesk.API_KEY_CREDENTIAL: "api-key-123", INSTALLATION_TOKEN: TOKEN})
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    freshdesk_api(no_network, "GET", "roles", "roles")
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__with_requester")
    freshdesk_api(no_network, "GET", "tickets/42/conversations", json=[])
    freshdesk_api(no_network, "GET", "agents/me", "agents_me__sam", match=[matchers.header_matcher({
        "Authorization": "Basic " + base64.b64encode(f"{SAMS_KEY}:X".encode()).decode()})])
    freshdesk_api(no_network, "GET", "agents/me", "error_not_found", status=401)
    with zipfile.ZipFile(build_freshdesk_app("https://valuedesk.example.com", tmp_path)) as package:
        package.extractall(tmp_path / "fdk")
    iparams = {"installation_id": installation.id, "installation_token": TOKEN}
    templates = (tmp_path / "fdk" / "config" / "requests.json").read_text()
    (tmp_path / "fdk" / "app" / "fdk-stand-in.js").write_text(
        f"const TEMPLATES = {templates};\nconst IPARAMS = {json.dumps(iparams)};\n{FDK_STAND_IN}")
    index = tmp_path / "fdk" / "app" / "index.html"
    index.write_text(index.read_text().replace("{{{appclient}}}", "fdk-stand-in.js"))
    app.wsgi_app = SharedDataMiddleware(app.wsgi_app, {"/fdk": str(tmp_path / "fdk" / "app")})
    with serving(app) as base_url:
        yield base_url + "/fdk/index.html"


def test_a_freshdesk_agent_sees_they_are_unverified_and_verifies_in_one_step(freshdesk_app):
    with chromium_page(freshdesk_app) as page:
        page.goto(freshdesk_app)
        trust = page.locator("#vd-trust")
        trust.wait_for()
        assert trust.inner_text() == "Not verified"
        box = page.locator("#vd-verify")
        assert box.is_visible() and "but not approve or change settings" in box.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 320, "height": 700})
        page.screenshot(path=str(ARTIFACTS / "sidebar-freshdesk-not-verified-320px.png"))
        box.get_by_label("Your Freshdesk API key").fill("someone-elses-key")
        box.get_by_role("button", name="Verify").click()
        box.get_by_text("Freshdesk did not accept that API key").wait_for()
        box.get_by_label("Your Freshdesk API key").fill(SAMS_KEY)
        box.get_by_role("button", name="Verify").click()
        page.get_by_text("Verified by Freshdesk.").wait_for()
        assert trust.inner_text() == "Verified" and not box.is_visible()
        assert SAMS_KEY not in page.evaluate("JSON.stringify(localStorage)")  # only Valuedesk's own credential
        page.reload()  # the next ticket: this browser's credential vouches for Sam without asking again
        page.locator("#vd-trust").wait_for()
        assert page.locator("#vd-trust").inner_text() == "Verified" and not page.locator("#vd-verify").is_visible()
