"""The OAuth core against a real authorization server on loopback: consent, code exchange, refresh, revocation."""

import dataclasses
from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from adapter import oauth
from adapter.config import Settings
from adapter.models import Credential
from adapter.models import Installation
from adapter.models import OAuthState
from adapter.providers import endpoints
from adapter.providers.vendor import Vendor
from tests.console.support import signed_in

CONNECTED: list = []
REMOVED: list = []


def _url(path: str) -> str:
    return endpoints.origin("example", "https://example.invalid") + path


EXAMPLE = oauth.OAuthApp(
    vendor="example", display_name="Example", authorize_url=lambda account: _url("/oauth/authorize"),
    token_url=lambda account: _url("/oauth/token"), revoke_url=lambda account: _url("/oauth/revoke"),
    scopes=("read", "write"), extra_params={"actor": "app"}, consent_origin="https://example.invalid",
    connected=lambda session, installation, tokens: CONNECTED.append(tokens) or oauth.Connected("Example connected."),
    disconnecting=lambda session, installation: REMOVED.append(installation.id) or ["webhook 7 deleted"],
)


@pytest.fixture
def example(monkeypatch, authorization_server, make_app, playground):
    """An app whose registry has the Example vendor, played by the fake authorization server."""
    from adapter import providers

    monkeypatch.setattr(providers, "VENDORS", [*providers.VENDORS, Vendor(name="example", display_name="Example",
                                                                         role="tracker", oauth=EXAMPLE)])
    client = (authorization_server.client_id, authorization_server.client_secret)
    monkeypatch.setattr(Settings, "oauth_client", lambda self, vendor: client if vendor == "example" else None)
    CONNECTED.clear()
    REMOVED.clear()
    return make_app(VALUEDESK_VENDOR_URLS=f"example={authorization_server.url}")


def _start(console, token):
    response = console.post("/admin/connect/example", data={"csrf_token": token})
    assert response.status_code == 303, response.data
    return response.headers["Location"]


def _consent(location: str) -> str:
    """The admin approves (or not) at the vendor: the path and query the vendor sends the browser back to."""
    answer = requests.get(location, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.netloc == "valuedesk.test"
    return f"{back.path}?{back.query}"


def _stored(app) -> list[str]:
    db = app.extensions["valuedesk.db"]
    with db.system() as session:
        return list(session.scalars(select(Credential.name).where(Credential.name == "example_oauth")))


def test_connect_sends_state_and_pkce_then_stores_tokens_encrypted(example, authorization_server):
    console, token = signed_in(example)
    policy = console.get("/admin/connections").headers["Content-Security-Policy"]
    form_action = next(d for d in policy.split("; ") if d.startswith("form-action "))
    assert authorization_server.url in form_action.split()  # the Connect form may lead to consent (and other vendors')
    location = _start(console, token)
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(authorization_server.url + "/oauth/authorize?")
    assert query["redirect_uri"] == ["https://valuedesk.test/admin/oauth/example/callback"]
    assert query["scope"] == ["read write"] and query["actor"] == ["app"]
    assert query["code_challenge_method"] == ["S256"] and len(query["state"][0]) >= 40

    finished = console.get(_consent(location))
    assert finished.status_code == 302 and finished.headers["Location"].endswith("/admin/connections")
    assert b"Example connected." in console.get("/admin/connections").data
    assert len(CONNECTED) == 1 and CONNECTED[0].access_token in authorization_server.access
    db = example.extensions["valuedesk.db"]
    with example.app_context(), db.system() as session:
        row = session.scalar(select(Credential).where(Credential.name == "example_oauth"))
        assert CONNECTED[0].access_token.encode() not in row.ciphertext  # sealed at rest
        stored = oauth.tokens(session, row.installation_id, EXAMPLE)
    assert stored.refresh_token in authorization_server.refresh
    assert stored.expires_at is not None


def test_access_token_refreshes_before_expiry_and_stores_the_rotated_token(example, authorization_server,
                                                                          frozen_clock):
    console, token = signed_in(example)
    console.get(_consent(_start(console, token)))
    db = example.extensions["valuedesk.db"]
    with example.app_context(), db.system() as session:
        installation_id = session.scalar(select(Credential.installation_id).where(Credential.name == "example_oauth"))
        first = oauth.tokens(session, installation_id, EXAMPLE)
        assert oauth.access_token(session, installation_id, EXAMPLE) == first.access_token
        frozen_clock.advance(seconds=3600 - 60)  # inside the refresh margin
        fresh = oauth.access_token(session, installation_id, EXAMPLE)
    assert fresh != first.access_token and fresh in authorization_server.access
    with example.app_context(), db.system() as session:
        stored = oauth.tokens(session, installation_id, EXAMPLE)
    assert stored.access_token == fresh and stored.refresh_token != first.refresh_token
    assert first.refresh_token not in authorization_server.refresh  # rotated: the old one no longer works


def test_an_expired_refresh_token_asks_for_a_reconnect_and_keeps_what_was_stored(example, authorization_server,
                                                                                frozen_clock):
    console, token = signed_in(example)
    console.get(_consent(_start(console, token)))
    authorization_server.expire_refresh_tokens()
    frozen_clock.advance(hours=2)
    db = example.extensions["valuedesk.db"]
    with example.app_context(), db.system() as session:
        installation_id = session.scalar(select(Credential.installation_id).where(Credential.name == "example_oauth"))
        before = oauth.tokens(session, installation_id, EXAMPLE)
        with pytest.raises(oauth.ReconnectNeeded, match="connect it again"):
            oauth.access_token(session, installation_id, EXAMPLE)
    with example.app_context(), db.system() as session:
        assert oauth.tokens(session, installation_id, EXAMPLE) == before


@pytest.mark.parametrize("tamper, code, words", [
    (lambda q: q.replace("state=", "state=x"), "state_unknown", b"not one this console started"),
    (lambda q: q.split("&code=")[0] if "&code=" in q else q.replace("code=", "nocode="), "missing_code",
     b"without an authorization code"),
])
def test_a_tampered_callback_gives_a_clear_page_and_stores_nothing(example, tamper, code, words):
    console, token = signed_in(example)
    back = _consent(_start(console, token))
    path, query = back.split("?", 1)
    page = console.get(f"{path}?{tamper(query)}")
    assert page.status_code == 400 and words in page.data
    assert _stored(example) == [] and CONNECTED == []


def test_denied_consent_stores_nothing(example, authorization_server):
    authorization_server.approve = False
    console, token = signed_in(example)
    page = console.get(_consent(_start(console, token)))
    assert page.status_code == 400 and b"was not approved" in page.data
    assert _stored(example) == []


def test_a_replayed_callback_or_code_is_refused(example, authorization_server):
    console, token = signed_in(example)
    back = _consent(_start(console, token))
    assert console.get(back).status_code == 302
    replay = console.get(back)
    assert replay.status_code == 400 and b"used already" in replay.data
    # The same code with a fresh state: the vendor refuses it, and the first grant stays as it was.
    code = parse_qs(back.split("?", 1)[1])["code"][0]
    fresh_state = parse_qs(urlsplit(_start(console, token)).query)["state"][0]
    refused = console.get(f"/admin/oauth/example/callback?code={code}&state={fresh_state}")
    assert refused.status_code == 400 and b"refused the authorization code" in refused.data
    assert len(CONNECTED) == 1


def test_an_expired_state_is_refused(example, frozen_clock):
    console, token = signed_in(example)
    back = _consent(_start(console, token))
    frozen_clock.advance(minutes=11)
    page = console.get(back)
    assert page.status_code == 400 and b"more than ten minutes" in page.data
    assert _stored(example) == []


def test_a_state_started_for_another_installation_cannot_finish_here(example, make_installation, frozen_clock):
    other = make_installation("zendesk", "otheracct")
    console, token = signed_in(example)
    with example.test_request_context():
        db = example.extensions["valuedesk.db"]
        with db.tenant(other.id) as session:
            url = oauth.begin(session, session.get(Installation, other.id), EXAMPLE, agent_id="mallory")
    back = _consent(url)
    page = console.get(back)
    assert page.status_code == 400 and b"another admin or another installation" in page.data
    assert _stored(example) == []


def test_disconnect_removes_what_was_created_revokes_and_forgets(example, authorization_server):
    console, token = signed_in(example)
    console.get(_consent(_start(console, token)))
    access = CONNECTED[0].access_token
    page = console.post("/admin/disconnect/example", data={"csrf_token": token}, follow_redirects=True)
    assert b"Example disconnected" in page.data and b"webhook 7 deleted" in page.data
    assert access in authorization_server.revoked and len(REMOVED) == 1
    assert _stored(example) == []


def test_connect_without_an_operator_client_says_what_to_configure(example, monkeypatch):
    monkeypatch.setattr(Settings, "oauth_client", lambda self, vendor: None)
    console, token = signed_in(example)
    page = console.post("/admin/connect/example", data={"csrf_token": token}, follow_redirects=True)
    assert b"VALUEDESK_EXAMPLE_CLIENT_ID" in page.data
    with example.extensions["valuedesk.db"].system() as session:
        assert session.scalars(select(OAuthState)).all() == []


def test_an_unknown_vendor_is_a_404(example):
    console, token = signed_in(example)
    assert console.post("/admin/connect/nowhere", data={"csrf_token": token}).status_code == 404


def test_states_expire_from_the_table_after_a_day(example, frozen_clock):
    console, token = signed_in(example)
    _start(console, token)
    frozen_clock.advance(days=1, seconds=1)
    with example.extensions["valuedesk.db"].system() as session:
        assert oauth.purge_states(session) == 1


def test_tokens_survive_a_round_trip():
    tokens = oauth.Tokens.from_grant({"access_token": "a", "refresh_token": "r", "expires_in": 60, "scope": "x",
                                      "cloud": "c1"}, now=__import__("datetime").datetime(2026, 1, 1))
    assert oauth.Tokens.loads(tokens.dumps()) == tokens
    refreshed = oauth.Tokens.from_grant({"access_token": "b"}, now=tokens.granted_at + timedelta(hours=1),
                                        previous=tokens)
    assert refreshed.refresh_token == "r" and refreshed.extra == {"cloud": "c1"} and refreshed.expires_at is None


def test_the_playground_shows_what_a_connected_account_looks_like(example):
    console, _ = signed_in(example)
    page = console.get("/admin/connections").data
    assert b"this is what a connected account" in page and b"Connected" in page and b"read write" in page
    assert b"Connect Example" not in page  # an example, not a button that would talk to a vendor


def test_a_set_up_step_that_fails_after_consent_stores_nothing_and_revokes(example, authorization_server,
                                                                          monkeypatch):
    from adapter import providers
    from adapter.errors import Unavailable

    def fails(session, installation, tokens):
        raise Unavailable("Example could not be reached.", provider="example")

    failing = Vendor(name="example", display_name="Example", role="tracker",
                     oauth=dataclasses.replace(EXAMPLE, connected=fails))
    monkeypatch.setattr(providers, "VENDORS", [*providers.VENDORS[:-1], failing])
    console, token = signed_in(example)
    page = console.get(_consent(_start(console, token)))
    assert page.status_code == 502 and b"setting it up failed: Example could not be reached." in page.data
    assert _stored(example) == [] and len(authorization_server.revoked) == 1
