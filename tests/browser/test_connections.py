"""An admin presses Connect in the console, approves at the vendor (a real authorization server on loopback), and
comes back connected; then disconnects. Every vendor with an OAuthApp is pressed."""

import pytest

from tests.browser.conftest import chromium_page
from tests.support import free_port
from tests.support import serving

ADMIN_TOKEN = "admin-token-for-the-browser-test-0123456789"


@pytest.fixture
def console_page(make_app, make_installation, authorization_server, monkeypatch, request):
    """A signed-in console of a Zendesk installation on a live server whose vendors are played by the fake."""
    from adapter.config import Settings

    vendors = request.param
    client = (authorization_server.client_id, authorization_server.client_secret)
    monkeypatch.setattr(Settings, "oauth_client", lambda self, vendor: client if vendor in vendors else None)
    port = free_port()
    app = make_app(VALUEDESK_PUBLIC_URL=f"http://127.0.0.1:{port}", VALUEDESK_ADMIN_TOKEN=ADMIN_TOKEN,
                   VALUEDESK_VENDOR_URLS=",".join(f"{name}={authorization_server.url}" for name in vendors))
    installation = make_installation("zendesk", "acme")
    with serving(app, port) as base_url, chromium_page(base_url) as tab:
        tab.goto(base_url + "/admin/login")
        tab.get_by_label("Installation id").fill(installation.id)
        tab.get_by_label("Admin token").fill(ADMIN_TOKEN)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url("**/admin/")
        yield tab


@pytest.mark.parametrize("console_page", [("example",)], indirect=True)
def test_connect_and_disconnect_in_a_browser(console_page, authorization_server, monkeypatch):
    from adapter import providers
    from adapter.providers.vendor import Vendor
    from tests.test_oauth import CONNECTED
    from tests.test_oauth import EXAMPLE

    monkeypatch.setattr(providers, "VENDORS", [*providers.VENDORS, Vendor(name="example", display_name="Example",
                                                                         role="tracker", oauth=EXAMPLE)])
    tab = console_page
    tab.goto(tab.base_url + "/admin/connections")
    tab.get_by_role("button", name="Connect Example").click()
    tab.wait_for_url("**/admin/connections")
    assert "Example connected." in tab.locator(".flash").inner_text()
    assert CONNECTED and "Connected" in tab.locator("table.data").inner_text()
    tab.get_by_role("button", name="Disconnect Example").click()
    tab.wait_for_url("**/admin/connections")
    assert "Example disconnected" in tab.locator(".flash").inner_text()
    assert CONNECTED[-1].access_token in authorization_server.revoked


@pytest.mark.parametrize("console_page", [("jira",)], indirect=True)
def test_connect_jira_choose_the_project_and_disconnect_in_a_browser(console_page, authorization_server):
    from tests.fakes.atlassian import AtlassianGateway

    gateway = AtlassianGateway(authorization_server)
    tab = console_page
    tab.goto(tab.base_url + "/admin/trackers")
    tab.get_by_role("button", name="Connect Jira").click()
    tab.wait_for_url("**/admin/trackers/jira/project?cloud_id=*")
    tab.get_by_label("Support escalations").check()
    tab.get_by_role("button", name="Connect this project").click()
    tab.wait_for_url("**/admin/trackers")
    assert "Jira connected: acme, project SUP" in tab.locator(".flash").inner_text()
    assert "registered by Valuedesk" in tab.locator("section.card").first.inner_text()
    tab.goto(tab.base_url + "/admin/connections")
    tab.get_by_role("button", name="Disconnect Jira").click()
    tab.wait_for_url("**/admin/connections")
    assert "Jira webhook 1000 deleted" in tab.locator(".flash").inner_text() and gateway.webhooks == {}


@pytest.mark.parametrize("console_page", [("linear",)], indirect=True)
def test_connect_linear_and_disconnect_in_a_browser(console_page, authorization_server):
    from tests.trackers.test_linear_oauth import LinearApi

    api = LinearApi(authorization_server)
    tab = console_page
    tab.goto(tab.base_url + "/admin/trackers")
    tab.get_by_role("button", name="Connect Linear").click()
    tab.wait_for_url("**/admin/trackers**")
    connection = tab.locator("section.card").first.inner_text()
    assert "Connected with OAuth; Valuedesk created and owns the webhook" in connection, connection
    assert len(api.sent("webhookCreate")) == 1
    tab.goto(tab.base_url + "/admin/connections")
    tab.get_by_role("button", name="Disconnect Linear").click()
    tab.wait_for_url("**/admin/connections")
    assert "Linear disconnected" in tab.locator(".flash").inner_text()
    assert len(api.sent("webhookDelete")) == 1 and authorization_server.revoked


@pytest.mark.parametrize("console_page", [("zendesk",)], indirect=True)
def test_connect_zendesk_in_a_browser(console_page, authorization_server):
    from tests.fakes.zendesk import WEBHOOK_ID
    from tests.fakes.zendesk import play_zendesk

    play_zendesk(authorization_server).service_url = console_page.base_url
    tab = console_page
    tab.goto(tab.base_url + "/admin/connections")
    tab.get_by_role("button", name="Connect Zendesk").click()
    tab.wait_for_url("**/admin/connections")
    assert f"deliveries from webhook {WEBHOOK_ID} are now verified" in tab.locator(".flash").inner_text()
    assert "Connected" in tab.locator("table.data").inner_text()
    tab.get_by_role("button", name="Disconnect Zendesk").click()
    tab.wait_for_url("**/admin/connections")
    assert "signing secret forgotten" in tab.locator(".flash").inner_text()
    assert len(authorization_server.revoked) == 1
