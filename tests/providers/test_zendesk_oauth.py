"""Connecting Zendesk with OAuth against a real authorization server on loopback that plays every subdomain."""

from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest

from adapter import oauth
from adapter.console.auth import entry_token
from adapter.credentials import CredentialStore
from adapter.errors import AuthError
from adapter.models import Installation
from adapter.providers import helpdesk_client
from adapter.providers import zendesk
from adapter.sidebar.auth import AgentSession
from tests.console.support import csrf
from tests.console.support import enter
from tests.fakes.zendesk import ADMIN_ID
from tests.fakes.zendesk import WEBHOOK_ID
from tests.fakes.zendesk import play_zendesk
from tests.fakes.zendesk import zendesk_settings
from tests.support import api_fixture
from tests.test_oauth import _consent as consent

SECRET = api_fixture("zendesk", "webhook_signing_secret")["signing_secret"]["secret"]


@pytest.fixture
def fake(authorization_server):
    return play_zendesk(authorization_server)


@pytest.fixture
def zendesk_app(app, fake, make_app):
    """Built after the default app: the last app built decides where vendors live (VALUEDESK_VENDOR_URLS)."""
    return make_app(**zendesk_settings(fake))


@pytest.fixture
def acme(make_installation):
    return make_installation("zendesk", "acme", secrets={})


def console_of(app, installation_id: str, agent_id: str = ADMIN_ID, role: str = "admin"):
    """A console signed in (through the sidebar's one-use link) to a Zendesk installation, and its CSRF token."""
    console = app.test_client()
    with app.test_request_context():
        token = entry_token(AgentSession(installation_id, agent_id, "Priya Natarajan", role=role, host="zendesk"))
    assert enter(console, f"/admin/enter/{token}").status_code == 302
    return console, csrf(console.get("/admin/connections").data)


def start(console, token) -> str:
    response = console.post("/admin/connect/zendesk", data={"csrf_token": token})
    assert response.status_code == 303, response.data
    return response.headers["Location"]


def connect(app, installation_id: str):
    console, token = console_of(app, installation_id)
    return console, token, console.get(consent(start(console, token)))


def stored(app, installation_id: str) -> list[str]:
    with app.app_context(), app.extensions["valuedesk.db"].system() as session:
        return CredentialStore(session, installation_id).names()


def state(app, installation_id: str) -> dict:
    with app.app_context(), app.extensions["valuedesk.db"].system() as session:
        return dict((session.get(Installation, installation_id).settings or {}).get("zendesk") or {})


def test_connect_asks_for_consent_on_the_accounts_subdomain_with_pkce(zendesk_app, fake, acme):
    console, token = console_of(zendesk_app, acme.id)
    location = start(console, token)
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{fake.url}/oauth/authorizations/new?")
    assert query["redirect_uri"] == ["https://valuedesk.test/admin/oauth/zendesk/callback"]
    assert query["scope"] == ["read write"] and query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [fake.client_id]


def test_connecting_adopts_the_apps_webhook_and_keeps_its_secret_sealed(zendesk_app, fake, acme):
    _, _, finished = connect(zendesk_app, acme.id)
    assert finished.status_code == 302 and finished.headers["Location"].endswith("/admin/connections")
    assert set(stored(zendesk_app, acme.id)) == {"zendesk_oauth", zendesk.SECRET_CREDENTIAL}
    assert state(zendesk_app, acme.id) == {"webhook_id": WEBHOOK_ID, "connected_by": "oauth", "app_id": "225",
                                           "app_installation_id": "82"}
    me_call = fake.requests_to("/api/v2/users/me.json")[0]
    assert me_call["authorization"].startswith("Bearer at-")  # the grant itself, no email/token anywhere
    with zendesk_app.app_context(), zendesk_app.extensions["valuedesk.db"].system() as session:
        assert CredentialStore(session, acme.id).get(zendesk.SECRET_CREDENTIAL) == SECRET
        tokens = oauth.tokens(session, acme.id, zendesk.OAUTH_APP)
    assert tokens.extra == {"refresh_token_expires_in": 7776000}  # what Zendesk's token answer adds
    assert tokens.refresh_token in fake.refresh


def test_the_client_speaks_bearer_and_refreshes_before_expiry(zendesk_app, fake, acme, frozen_clock):
    connect(zendesk_app, acme.id)
    with zendesk_app.app_context(), zendesk_app.extensions["valuedesk.db"].system() as session:
        first = oauth.tokens(session, acme.id, zendesk.OAUTH_APP).access_token
        assert helpdesk_client(session, session.get(Installation, acme.id)).me().id == ADMIN_ID
        frozen_clock.advance(seconds=fake.expires_in - 30)
        assert helpdesk_client(session, session.get(Installation, acme.id)).me().id == ADMIN_ID
    calls = fake.requests_to("/api/v2/users/me.json")
    assert calls[-2]["authorization"] == f"Bearer {first}"
    refreshed = calls[-1]["authorization"].removeprefix("Bearer ")
    assert refreshed != first and refreshed in fake.access
    assert len(fake.requests_to("/oauth/tokens")) == 2  # the code exchange, then one refresh


def test_an_expired_grant_asks_an_admin_to_connect_again(zendesk_app, fake, acme, frozen_clock):
    connect(zendesk_app, acme.id)
    fake.expire_refresh_tokens()
    frozen_clock.advance(days=3)
    with (zendesk_app.app_context(), zendesk_app.extensions["valuedesk.db"].system() as session,
          pytest.raises(oauth.ReconnectNeeded, match="connect it again")):
        helpdesk_client(session, session.get(Installation, acme.id))


def test_an_agent_who_approves_connects_nothing_and_the_grant_is_revoked(zendesk_app, fake, acme):
    fake.me = "users_me__agent"
    _, _, page = connect(zendesk_app, acme.id)
    assert page.status_code == 400 and b"needs a Zendesk admin" in page.data
    assert stored(zendesk_app, acme.id) == [] and state(zendesk_app, acme.id) == {}
    assert len(fake.revoked) == 1


def test_without_the_apps_webhook_nothing_is_stored(zendesk_app, fake, acme):
    fake.webhooks = "webhooks_list__empty"
    _, _, page = connect(zendesk_app, acme.id)
    assert page.status_code == 400 and b"install the Valuedesk app from the Zendesk Marketplace" in page.data
    assert stored(zendesk_app, acme.id) == [] and len(fake.revoked) == 1


def test_denied_consent_stores_nothing(zendesk_app, fake, acme):
    fake.approve = False
    _, _, page = connect(zendesk_app, acme.id)
    assert page.status_code == 400 and b"was not approved" in page.data
    assert stored(zendesk_app, acme.id) == []


def test_a_mismatched_state_or_a_replayed_code_stores_nothing_more(zendesk_app, fake, acme):
    console, token = console_of(zendesk_app, acme.id)
    back = consent(start(console, token))
    path, query = back.split("?", 1)
    mismatched = console.get(f"{path}?{query.replace('state=', 'state=x')}")
    assert mismatched.status_code == 400 and b"not one this console started" in mismatched.data
    assert stored(zendesk_app, acme.id) == []
    code = parse_qs(query)["code"][0]
    fresh_state = parse_qs(urlsplit(start(console, token)).query)["state"][0]
    assert console.get(back).status_code == 302  # the genuine callback, once
    replayed = console.get(f"/admin/oauth/zendesk/callback?code={code}&state={fresh_state}")
    assert replayed.status_code == 400 and b"refused the authorization code" in replayed.data


def test_disconnect_revokes_with_the_token_itself_and_forgets_the_secret(zendesk_app, fake, acme):
    console, token, _ = connect(zendesk_app, acme.id)
    with zendesk_app.app_context(), zendesk_app.extensions["valuedesk.db"].system() as session:
        access = oauth.tokens(session, acme.id, zendesk.OAUTH_APP).access_token
    page = console.post("/admin/disconnect/zendesk", data={"csrf_token": token}, follow_redirects=True)
    assert b"Zendesk disconnected" in page.data and b"signing secret forgotten" in page.data
    revocation = fake.requests_to("/api/v2/oauth/tokens/current.json")[-1]
    assert revocation["method"] == "DELETE" and revocation["authorization"] == f"Bearer {access}"
    assert access in fake.revoked
    assert stored(zendesk_app, acme.id) == [] and "webhook_id" not in state(zendesk_app, acme.id)


def test_one_accounts_grant_is_invisible_to_another(zendesk_app, fake, acme, make_installation):
    other = make_installation("zendesk", "globex", secrets={})
    connect(zendesk_app, acme.id)
    assert stored(zendesk_app, other.id) == [] and state(zendesk_app, other.id) == {}
    with zendesk_app.app_context(), zendesk_app.extensions["valuedesk.db"].system() as session:
        assert oauth.tokens(session, other.id, zendesk.OAUTH_APP) is None
        with pytest.raises(AuthError, match="not connected"):
            helpdesk_client(session, session.get(Installation, other.id))


def test_zendesk_is_offered_to_zendesk_installations_only(zendesk_app, playground):
    from tests.console.support import signed_in

    console, token = signed_in(zendesk_app)  # the playground's console
    assert b"Connect Zendesk" not in console.get("/admin/connections").data
    assert console.post("/admin/connect/zendesk", data={"csrf_token": token}).status_code == 404


def test_the_overview_offers_connect_until_zendesk_is_connected(zendesk_app, fake, acme):
    console, _ = console_of(zendesk_app, acme.id)
    before = console.get("/admin/").data
    assert b"Connect Valuedesk to Zendesk" in before and b"Not connected" in before
    connect(zendesk_app, acme.id)
    after = console.get("/admin/").data
    assert b"Connect Valuedesk to Zendesk" not in after and b"<code>/webhooks/zendesk</code>" in after
