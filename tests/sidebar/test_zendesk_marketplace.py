"""A Marketplace install: the first signed sidebar load creates the installation; an admin connects it from there."""

import re
from urllib.parse import urlsplit

import jwt
import pytest
from sqlalchemy import select

from adapter.credentials import CredentialStore
from adapter.models import Installation
from adapter.providers import zendesk
from tests.console.support import csrf
from tests.console.support import enter
from tests.fakes.zendesk import ADMIN_ID
from tests.fakes.zendesk import WEBHOOK_ID
from tests.fakes.zendesk import play_zendesk
from tests.fakes.zendesk import zendesk_settings
from tests.providers.test_zendesk_oauth import start
from tests.sidebar.test_zendesk import OTHER_PRIVATE
from tests.sidebar.test_zendesk import PUBLIC
from tests.sidebar.test_zendesk import token
from tests.test_oauth import _consent as consent


@pytest.fixture
def fake(authorization_server):
    return play_zendesk(authorization_server)


@pytest.fixture
def market(app, fake, make_app):
    """A hosted service whose operator configured the Marketplace app's id and public key."""
    return make_app(**zendesk_settings(fake, VALUEDESK_ZENDESK_APP_PUBLIC_KEY=PUBLIC))


def admin_token(**claims):
    return token(sub=f"https://acme.zendesk.com/api/v2/users/{ADMIN_ID}.json", **claims)


def open_sidebar(app, jwt_token):
    browser = app.test_client()
    return browser, browser.post("/sidebar/zendesk", data={"token": jwt_token})


def installations(app, account: str = "acme") -> list[Installation]:
    with app.extensions["valuedesk.db"].system() as session:
        rows = list(session.scalars(select(Installation).where(Installation.kind == "zendesk",
                                                               Installation.account == account)))
        session.expunge_all()
    return rows


def connect_link(page: bytes) -> str:
    return re.search(rb'href="([^"]+/admin/enter/[^"]+)"', page).group(1).decode()


def test_the_first_signed_load_creates_the_installation_and_offers_connect(market):
    _, page = open_sidebar(market, admin_token())
    assert page.status_code == 200 and b"Connect Valuedesk to Zendesk" in page.data
    assert b'"token":' not in page.data  # no sidebar session until Zendesk is connected
    [created] = installations(market)
    assert created.is_active and created.settings["zendesk"] == {"app_installation_id": "82", "app_id": "225"}
    _, again = open_sidebar(market, admin_token())
    assert again.status_code == 200 and len(installations(market)) == 1  # the second load finds it


@pytest.mark.parametrize("forged", [
    lambda: admin_token(key=OTHER_PRIVATE),  # signed by someone else
    lambda: jwt.encode({"iss": "acme.zendesk.com", "exp": 9999999999}, "a-shared-secret-guess-of-32-bytes!", algorithm="HS256"),
    lambda: admin_token(exp=1),  # expired
    lambda: admin_token(aud="https://acme.zendesk.com/api/v2/apps/installations/x"),
    lambda: admin_token().rsplit(".", 1)[0] + ".",  # signature stripped
])
def test_a_forged_or_unsigned_token_creates_nothing(market, forged):
    _, page = open_sidebar(market, forged())
    assert page.status_code == 401 and installations(market) == []


def test_without_the_operators_app_key_an_unknown_account_is_refused(app, fake, make_app):
    service = make_app(**zendesk_settings(fake))
    _, page = open_sidebar(service, admin_token())
    assert page.status_code == 401 and "not_installed" in page.get_data(as_text=True)
    assert installations(service) == []


def test_a_signed_load_takes_an_uninstalled_account_back(market, db):
    from adapter import lifecycle

    open_sidebar(market, admin_token())
    [created] = installations(market)
    with market.app_context(), db.system() as session:
        lifecycle.uninstall(session, session.get(Installation, created.id))
    assert not installations(market)[0].is_active
    _, page = open_sidebar(market, admin_token())
    assert page.status_code == 200 and b"Connect Valuedesk to Zendesk" in page.data
    [back] = installations(market)
    assert back.id == created.id and back.is_active and back.uninstalled_at is None


def setup_console(app, page: bytes):
    console = app.test_client()
    assert enter(console, urlsplit(connect_link(page)).path).status_code == 302
    return console, csrf(console.get("/admin/connections").data)


def test_the_setup_console_opens_the_connect_step_and_nothing_else(market):
    _, page = open_sidebar(market, token())  # an agent's load: the link works, Zendesk decides at approval
    console, _ = setup_console(market, page.data)
    connections = console.get("/admin/connections")
    assert connections.status_code == 200 and b"Connect Zendesk" in connections.data
    assert b"Connect Jira" not in connections.data and b"Connect Linear" not in connections.data
    for elsewhere in ("/admin/settings", "/admin/refunds", "/admin/"):
        answer = console.get(elsewhere)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/connections"), elsewhere


def _approve(console, token_):
    return console.get(consent(start(console, token_)))


def test_the_admin_who_opened_it_connects_and_the_sidebar_opens(market, fake, no_network):
    _, page = open_sidebar(market, admin_token())
    console, token_ = setup_console(market, page.data)
    finished = _approve(console, token_)
    assert finished.status_code == 302
    [installation] = installations(market)
    assert installation.settings["zendesk"]["webhook_id"] == WEBHOOK_ID
    with market.app_context(), market.extensions["valuedesk.db"].system() as session:
        assert zendesk.has_api_access(CredentialStore(session, installation.id))
    # Roles now come from Zendesk, through the grant.
    fake.route("GET", f"/api/v2/users/{ADMIN_ID}.json", lambda request: (200, {"user": {
        "id": int(ADMIN_ID), "name": "Priya Natarajan", "email": "priya@acme.example", "role": "admin"}}))
    _, sidebar = open_sidebar(market, admin_token())
    assert sidebar.status_code == 200 and b'"role": "admin"' in sidebar.data


def test_another_zendesk_user_cannot_finish_a_setup_someone_else_opened(market, fake):
    _, page = open_sidebar(market, token())  # opened by agent 235323; the admin who approves is 235324
    console, token_ = setup_console(market, page.data)
    refused = _approve(console, token_)
    assert refused.status_code == 400 and b"not the person who opened this console" in refused.data
    [installation] = installations(market)
    with market.app_context(), market.extensions["valuedesk.db"].system() as session:
        assert CredentialStore(session, installation.id).names() == []


def test_the_app_installed_again_in_zendesk_asks_for_connect_again(market, fake):
    _, page = open_sidebar(market, admin_token())
    console, token_ = setup_console(market, page.data)
    _approve(console, token_)
    reinstalled = "https://acme.zendesk.com/api/v2/apps/installations/83.json"
    _, again = open_sidebar(market, admin_token(aud=reinstalled))
    assert again.status_code == 200 and b"Connect Valuedesk to Zendesk" in again.data
    [installation] = installations(market)
    assert installation.settings["zendesk"] == {"app_installation_id": "83", "app_id": "225"}
    assert len(fake.revoked) == 1  # the old grant was revoked at Zendesk
    with market.app_context(), market.extensions["valuedesk.db"].system() as session:
        assert CredentialStore(session, installation.id).names() == []
