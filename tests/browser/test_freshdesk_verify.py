"""The packaged Freshdesk app in a real browser: installed by its own onAppInstall handler (a Node stand-in for
Freshworks' runtime), an agent sees they are not verified, verifies in one step with their own API key, and stays
verified in this browser. A stand-in for Freshworks' client runs the package's own request templates
(config/requests.json) against the live service, as Freshworks' proxy does, iparams filled in server-side."""

import json

import pytest
from werkzeug.middleware.shared_data import SharedDataMiddleware

from tests.browser.conftest import ARTIFACTS
from tests.browser.conftest import chromium_page
from tests.sidebar.fdk import ACME_ADMIN
from tests.sidebar.fdk import ACME_AGENT as SAMS_KEY
from tests.sidebar.fdk import event
from tests.sidebar.fdk import freshdesk_account
from tests.sidebar.fdk import run_handler
from tests.sidebar.fdk import unpacked_app
from tests.support import freshdesk_api
from tests.support import serving

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
def freshdesk_app(app, tmp_path, no_network, frozen_clock):
    """The built FDK app, installed through its own onAppInstall handler and served next to the live service (same
    origin, as the proxy makes it); its base URL."""
    freshdesk_account(no_network, "acme", {ACME_ADMIN: "agents_me__admin", SAMS_KEY: "agents_me__sam"})
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__with_requester")
    freshdesk_api(no_network, "GET", "tickets/42/conversations", json=[])
    no_network.add_passthru("http://127.0.0.1")  # the Node runtime calls the live service
    fdk = unpacked_app(tmp_path)
    iparams = {"freshdesk_domain": "acme.freshdesk.com", "freshdesk_api_key": ACME_ADMIN}
    templates = (fdk / "config" / "requests.json").read_text()
    (fdk / "app" / "fdk-stand-in.js").write_text(
        f"const TEMPLATES = {templates};\nconst IPARAMS = {json.dumps(iparams)};\n{FDK_STAND_IN}")
    index = fdk / "app" / "index.html"
    index.write_text(index.read_text().replace("{{{appclient}}}", "fdk-stand-in.js"))
    app.wsgi_app = SharedDataMiddleware(app.wsgi_app, {"/fdk": str(fdk / "app")})
    with serving(app) as base_url:
        installed = run_handler(fdk, base_url, "onAppInstallHandler", event("on_app_install", frozen_clock()), iparams)
        assert installed["rendered"] == {"ok": True}, installed
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
