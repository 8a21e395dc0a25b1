"""Connect Jira with OAuth 2.0 (3LO), end to end against a real authorization server and API gateway on loopback:
consent, code exchange, site and project choice, the webhook Valuedesk registers, refresh with rotation during a
sync, a lost grant, disconnect, the daily webhook refresh, the path-secret receiver, and tenancy."""

import json
from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import jwt
import pytest
from sqlalchemy import select

from adapter import jobs
from adapter import lifecycle
from adapter import oauth
from adapter.credentials import CredentialStore
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.models import TrackerLink
from adapter.models import WebhookReceipt
from adapter.providers import jira
from adapter.trackers import jira_oauth
from adapter.trackers import settings as tracker_settings
from tests.conftest import load_fixture
from tests.console.support import csrf
from tests.fakes.atlassian import ACME
from tests.fakes.atlassian import LABS
from tests.fakes.atlassian import AtlassianGateway
from tests.support import bearer
from tests.test_oauth import _consent as consent  # the admin approves (or not) at Atlassian
from tests.trackers.support import make_theme
from tests.trackers.test_jira_flow import ZENDESK_SECRETS

ADMIN_TOKEN = "bootstrap-admin-token-0123456789"


@pytest.fixture
def gateway(authorization_server):
    authorization_server.client_secret = "atlassian-client-secret-" + "5f3a" * 10  # as long as Atlassian's
    return AtlassianGateway(authorization_server)


@pytest.fixture
def jira_app(app, make_app, authorization_server, gateway):
    """An app whose Jira OAuth client is the fake's, every Atlassian origin played by it (built after `app`, whose
    settings would reset the origins)."""
    return make_app(VALUEDESK_VENDOR_URLS=f"jira={authorization_server.url}", VALUEDESK_ADMIN_TOKEN=ADMIN_TOKEN,
                    VALUEDESK_JIRA_CLIENT_ID=authorization_server.client_id,
                    VALUEDESK_JIRA_CLIENT_SECRET=authorization_server.client_secret)


@pytest.fixture
def acme(make_installation):
    return make_installation(kind="zendesk", account="acme", secrets=ZENDESK_SECRETS)


def console_for(app, installation_id: str):
    """A console signed in to the installation as its admin, and the CSRF token."""
    console = app.test_client()
    token = csrf(console.get("/admin/login").data)
    signed = console.post("/admin/login", data={"csrf_token": token, "installation": installation_id,
                                                "token": ADMIN_TOKEN})
    assert signed.status_code == 302
    return console, csrf(console.get("/admin/settings").data)


def start(console, token) -> str:
    response = console.post("/admin/connect/jira", data={"csrf_token": token})
    assert response.status_code == 303, response.data
    return response.headers["Location"]


def connect(app, installation_id: str, project: str = "SUP"):
    """The whole Connect Jira path for a one-site grant; the console and its CSRF token."""
    console, token = console_for(app, installation_id)
    finished = console.get(consent(start(console, token)))
    assert finished.status_code == 302, finished.data
    assert finished.headers["Location"] == f"/admin/trackers/jira/project?cloud_id={ACME}"
    chosen = console.post("/admin/trackers/jira/project", data={"csrf_token": token, "cloud_id": ACME,
                                                                "project": project})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/admin/trackers")
    return console, token


def stored(app, installation_id: str):
    """The installation's tracker settings, Jira OAuth state and credential names."""
    with app.extensions["valuedesk.db"].tenant(installation_id) as session:
        installation = session.get(Installation, installation_id)
        names = set(CredentialStore(session, installation_id).names())
        return tracker_settings.settings_of(installation), jira_oauth.state_of(installation), names


def test_connect_jira_with_one_site_registers_the_webhook_and_stores_the_connection(jira_app, acme, gateway,
                                                                                    authorization_server):
    console, token = console_for(jira_app, acme.id)
    page = console.get("/admin/trackers").data.decode()
    assert page.index("Connect Jira</button>") < page.index("Or with an API token")  # OAuth first, the token second
    location = start(console, token)
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{authorization_server.url}/authorize?")
    assert query["audience"] == ["api.atlassian.com"] and query["prompt"] == ["consent"]
    assert query["scope"] == ["read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access"]
    assert "code_challenge" not in query and len(query["state"][0]) >= 40  # 3LO has no PKCE; the state binds it

    back = console.get(consent(location))
    assert back.headers["Location"] == f"/admin/trackers/jira/project?cloud_id={ACME}"
    exchange = authorization_server.requests_to("/oauth/token")[-1]["values"]
    assert exchange["grant_type"] == "authorization_code" and exchange["client_secret"]  # sent as JSON
    choice = console.get(back.headers["Location"]).data
    assert b"Support escalations" in choice and b"Web app" in choice
    done = console.post("/admin/trackers/jira/project", data={"csrf_token": token, "cloud_id": ACME, "project": "SUP"},
                        follow_redirects=True)
    assert b"Jira connected: acme, project SUP (Support escalations)" in done.data
    assert b"registered</b> by Valuedesk, expires" in done.data and b"(OAuth)" in done.data

    settings, state, names = stored(jira_app, acme.id)
    assert (settings.kind, settings.site, settings.project, settings.cloud_id) == ("jira", "acme", "SUP", ACME)
    assert state.webhook_ids == [1000] and state.expires_at is not None
    assert {"jira_oauth", jira.PATH_SECRET_CREDENTIAL, jira.SECRET_CREDENTIAL} <= names
    assert jira.TOKEN_CREDENTIAL not in names
    registered = gateway.webhooks[1000]
    with jira_app.app_context(), jira_app.extensions["valuedesk.db"].tenant(acme.id) as session:
        path_secret = CredentialStore(session, acme.id).get(jira.PATH_SECRET_CREDENTIAL)
    assert registered == {"url": f"https://valuedesk.test/webhooks/jira/{acme.id}/{path_secret}",
                          "webhooks": [{"events": ["jira:issue_updated", "jira:issue_deleted"],
                                        "jqlFilter": 'project = "SUP"'}]}


def test_a_grant_with_two_sites_asks_which_site_first(jira_app, acme, gateway):
    gateway.resources = "accessible_resources__two_sites"
    console, token = console_for(jira_app, acme.id)
    back = console.get(consent(start(console, token)))
    assert back.headers["Location"] == "/admin/trackers/jira/site"
    sites = console.get("/admin/trackers/jira/site").data
    assert b"acme-labs" in sites and f"cloud_id={LABS}".encode() in sites
    assert b"c0ffee00" not in sites  # the Confluence resource is not a Jira site
    assert b"Support escalations" in console.get(f"/admin/trackers/jira/project?cloud_id={LABS}").data
    console.post("/admin/trackers/jira/project", data={"csrf_token": token, "cloud_id": LABS, "project": "SUP"})
    settings, state, _ = stored(jira_app, acme.id)
    assert (settings.site, settings.cloud_id) == ("acme-labs", LABS) and state.webhook_ids == [1000]
    assert gateway.calls("POST", f"/ex/jira/{LABS}/rest/api/3/webhook")


@pytest.mark.parametrize("cloud_id, project, words", [
    ("00000000-not-in-the-grant", "SUP", b"not one your approval reaches"),
    (ACME, "NOPE", b"has no project NOPE"),
    (ACME, "", b"Choose a project"),
])
def test_a_site_or_project_outside_the_grant_is_refused_and_nothing_is_connected(jira_app, acme, cloud_id, project,
                                                                                 words, gateway):
    console, token = console_for(jira_app, acme.id)
    console.get(consent(start(console, token)))
    page = console.post("/admin/trackers/jira/project", data={"csrf_token": token, "cloud_id": cloud_id,
                                                              "project": project}, follow_redirects=True)
    assert words in page.data
    settings, state, _ = stored(jira_app, acme.id)
    assert settings.kind is None and state.webhook_ids == [] and gateway.webhooks == {}


def test_a_refused_registration_shows_the_webhook_to_add_by_hand(jira_app, acme, gateway):
    gateway.webhook_answer = "webhook_refused"
    console, _ = connect(jira_app, acme.id)
    page = console.get("/admin/trackers").data.decode()
    assert "not registered</b>" in page and "The clause watchCount is unsupported" in page
    assert f"URL:    https://valuedesk.test/webhooks/jira/{acme.id}\n" in page and "Secret: " in page
    settings, state, _ = stored(jira_app, acme.id)
    assert settings.kind == "jira" and state.webhook_ids == [] and "watchCount" in state.webhook_error


def _send_theme(app, client, db, installation_id) -> int:
    theme_id = make_theme(db, installation_id)
    response = client.post(f"/api/themes/{theme_id}/tracker", headers=bearer(app, installation_id))
    assert response.status_code == 201, response.json
    return theme_id


def test_a_sync_refreshes_the_token_first_and_stores_the_rotated_one(jira_app, acme, db, gateway, authorization_server,
                                                                    frozen_clock):
    connect(jira_app, acme.id)
    with jira_app.app_context(), db.tenant(acme.id) as session:
        first = oauth.tokens(session, acme.id, jira.APP)
    frozen_clock.advance(seconds=authorization_server.expires_in - 60)  # inside the refresh margin
    _send_theme(jira_app, jira_app.test_client(), db, acme.id)
    # On SQLite the refresh, committed on its own, ends the job's read snapshot: the job's write then conflicts and
    # the worker tries again in seconds (PostgreSQL needs no second try). The retry finds the issue, never a copy.
    frozen_clock.advance(seconds=jobs.LOCK_RETRY_SECONDS + 1)
    with jira_app.app_context(), db.system() as session:
        waiting = session.scalars(select(OutboxAction.id).where(OutboxAction.status == "pending")).all()
    with jira_app.app_context():
        for action_id in waiting:
            jobs.run_outbox_action(action_id)

    created = gateway.calls("POST", f"/ex/jira/{ACME}/rest/api/3/issue")
    assert len(created) == 1 and created[0]["authorization"] != f"Bearer {first.access_token}"
    with jira_app.app_context(), db.tenant(acme.id) as session:
        now = oauth.tokens(session, acme.id, jira.APP)
        link = session.scalar(select(TrackerLink))
    assert created[0]["authorization"] == f"Bearer {now.access_token}" and link.issue_key == "SUP-42"
    assert now.refresh_token != first.refresh_token and first.refresh_token not in authorization_server.refresh
    refreshes = [e for e in authorization_server.requests_to("/oauth/token") if e["values"]["grant_type"] == "refresh_token"]
    assert len(refreshes) == 1  # one refresh for the whole sync, then the stored token is reused


def test_an_expired_refresh_token_fails_the_sync_once_and_the_console_asks_to_reconnect(jira_app, acme, db, gateway,
                                                                                      authorization_server,
                                                                                      frozen_clock):
    console, token = connect(jira_app, acme.id)
    authorization_server.expire_refresh_tokens()
    frozen_clock.advance(hours=2)
    _send_theme(jira_app, jira_app.test_client(), db, acme.id)
    with db.tenant(acme.id) as session:
        action = session.scalar(select(OutboxAction).where(OutboxAction.kind == "tracker.create_issue"))
        assert (action.status, action.attempts) == ("failed", 1)  # not retried: only a person can fix it
        assert action.last_error.startswith("ReconnectNeeded: Jira no longer accepts")
    page = console.get("/admin/trackers").data.decode()
    assert "Reconnect Jira.</b>" in page and "Reconnect Jira</button>" in page
    assert not gateway.calls("POST", f"/ex/jira/{ACME}/rest/api/3/issue")

    connect(jira_app, acme.id)  # the admin connects again: the waiting sync goes out
    with db.tenant(acme.id) as session:
        assert session.get(OutboxAction, action.id).status == "done"
        assert session.scalar(select(TrackerLink)).issue_key == "SUP-42"
    assert "Reconnect Jira" not in console.get("/admin/trackers").data.decode()


@pytest.mark.parametrize("spoil, status, words", [
    ("deny", 400, b"was not approved"),
    ("state", 400, b"not one this console started"),
    ("replay", 400, b"refused the authorization code"),
])
def test_a_callback_that_cannot_finish_is_a_clear_page_and_stores_nothing(jira_app, acme, authorization_server, spoil,
                                                                          status, words):
    console, token = console_for(jira_app, acme.id)
    if spoil == "deny":
        authorization_server.approve = False
    back = consent(start(console, token))
    if spoil == "state":
        back = back.replace("state=", "state=x")
    if spoil == "replay":  # the same code again under a fresh state: Atlassian refuses a used code
        assert console.get(back).status_code == 302
        console.post("/admin/disconnect/jira", data={"csrf_token": token})
        code = parse_qs(back.split("?", 1)[1])["code"][0]
        fresh = parse_qs(urlsplit(start(console, token)).query)["state"][0]
        back = f"/admin/oauth/jira/callback?code={code}&state={fresh}"
    page = console.get(back)
    assert page.status_code == status and words in page.data
    settings, state, names = stored(jira_app, acme.id)
    assert settings.kind is None and "jira_oauth" not in names and state.webhook_ids == []


def test_disconnect_deletes_the_webhook_and_forgets_the_connection(jira_app, acme, gateway, frozen_clock):
    console, token = connect(jira_app, acme.id)
    assert 1000 in gateway.webhooks
    frozen_clock.advance(hours=2)  # the access token has expired: it is renewed for the last call, inside the post
    page = console.post("/admin/disconnect/jira", data={"csrf_token": token}, follow_redirects=True)
    assert b"Jira webhook 1000 deleted" in page.data and b"remove Valuedesk under its connected apps" in page.data
    assert gateway.webhooks == {} and gateway.calls("DELETE", f"/ex/jira/{ACME}/rest/api/3/webhook")
    settings, state, names = stored(jira_app, acme.id)
    assert settings.kind is None and settings.cloud_id == "" and state.webhook_ids == []
    assert not names & {"jira_oauth", jira.PATH_SECRET_CREDENTIAL, jira.SECRET_CREDENTIAL}


def test_uninstalling_deletes_the_webhook_too(jira_app, acme, gateway, db):
    connect(jira_app, acme.id)
    with jira_app.test_request_context(), db.tenant(acme.id) as session:
        done = lifecycle.uninstall(session, session.get(Installation, acme.id))
    assert "Jira webhook 1000 deleted" in done and gateway.webhooks == {}


def test_the_daily_job_refreshes_a_webhook_before_it_expires(jira_app, acme, gateway, authorization_server,
                                                             frozen_clock):
    connect(jira_app, acme.id)
    with jira_app.app_context():
        assert jobs.refresh_jira_webhooks() == 0
        assert not gateway.calls("PUT", "/webhook/refresh")  # 30 days left: nothing to do yet
        frozen_clock.advance(days=11)
        jobs.refresh_jira_webhooks()
    refreshed = gateway.calls("PUT", f"/ex/jira/{ACME}/rest/api/3/webhook/refresh")
    assert len(refreshed) == 1 and refreshed[0]["values"] == {"webhookIds": [1000]}
    _, state, _ = stored(jira_app, acme.id)
    assert state.webhook_expires_at.startswith("2027-01-20T04:29:00")  # as Jira said
    console, _ = console_for(jira_app, acme.id)
    assert b"expires\n    20 Jan 2027" in console.get("/admin/trackers").data

    authorization_server.expire_refresh_tokens()
    frozen_clock.set(state.expires_at - timedelta(days=5))
    with jira_app.app_context():
        jobs.refresh_jira_webhooks()
    _, state, _ = stored(jira_app, acme.id)
    assert "connect it again" in state.reconnect
    assert "Reconnect Jira.</b>" in console_for(jira_app, acme.id)[0].get("/admin/trackers").data.decode()


def _delivery(app, installation_id: str, path_secret: str, headers: dict | None = None):
    body = json.dumps(load_fixture("jira", "jira:issue_updated")).encode()
    sent = {"Content-Type": "application/json", jira.IDENTIFIER_HEADER: "4711-dynamic", **(headers or {})}
    return app.test_client().post(f"/webhooks/jira/{installation_id}/{path_secret}", data=body, headers=sent)


def test_the_registered_webhook_is_accepted_only_at_its_secret_address(jira_app, acme, make_installation, db,
                                                                       authorization_server):
    connect(jira_app, acme.id)
    other = make_installation(kind="zendesk", account="otherco", secrets=ZENDESK_SECRETS)
    with db.tenant(acme.id) as session:
        secret = CredentialStore(session, acme.id).get(jira.PATH_SECRET_CREDENTIAL)
    with db.tenant(other.id) as session:
        CredentialStore(session, other.id).set(jira.PATH_SECRET_CREDENTIAL, "other-installations-path-secret")

    wrong = _delivery(jira_app, acme.id, ("y" if secret[0] == "x" else "x") + secret[1:])  # one character off
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "invalid_signature"
    assert _delivery(jira_app, acme.id, "other-installations-path-secret").status_code == 401  # not across tenants
    assert _delivery(jira_app, other.id, secret).status_code == 401
    assert _delivery(jira_app, "zd-nobody-000000", secret).status_code == 404
    forged = jwt.encode({"iss": "jira"}, "not-the-client-secret-" + "0" * 32, algorithm="HS256")
    assert _delivery(jira_app, acme.id, secret, {"Authorization": f"Bearer {forged}"}).status_code == 401

    signed = jwt.encode({"iss": "jira"}, authorization_server.client_secret, algorithm="HS256")
    accepted = _delivery(jira_app, acme.id, secret, {"Authorization": f"Bearer {signed}"})
    assert accepted.status_code == 202, accepted.json
    assert _delivery(jira_app, acme.id, secret).status_code == 200  # the same delivery again: a duplicate
    with db.system() as session:
        receipts = session.scalars(select(WebhookReceipt.installation_id)).all()
    assert receipts == [acme.id]


def test_one_installations_grant_never_serves_another(jira_app, acme, make_installation, gateway):
    connect(jira_app, acme.id)
    other = make_installation(kind="zendesk", account="otherco", secrets=ZENDESK_SECRETS)
    console, token = console_for(jira_app, other.id)
    page = console.get("/admin/trackers/jira/site", follow_redirects=True)
    assert b"Jira needs connecting again" in page.data
    chosen = console.post("/admin/trackers/jira/project", data={"csrf_token": token, "cloud_id": ACME, "project": "SUP"},
                          follow_redirects=True)
    assert b"Jira needs connecting again" in chosen.data
    settings, state, names = stored(jira_app, other.id)
    assert settings.kind is None and "jira_oauth" not in names and state.webhook_ids == []
    assert b"acme.atlassian.net" not in console.get("/admin/trackers").data
    assert list(gateway.webhooks) == [1000]  # acme's alone


def test_linking_an_issue_from_the_sidebar_renews_an_expired_grant_on_the_way(jira_app, acme, db, gateway,
                                                                              authorization_server, frozen_clock):
    connect(jira_app, acme.id)
    theme_id = make_theme(db, acme.id)
    frozen_clock.advance(hours=2)  # the access token has expired; the request's write lock must not block the renewal
    response = jira_app.test_client().put(f"/api/themes/{theme_id}/tracker", json={"issue": "SUP-42"},
                                          headers=bearer(jira_app, acme.id))
    assert response.status_code == 200, response.json
    assert response.json["issue_key"] == "SUP-42" and response.json["tickets_linked"] == 2
    refreshes = [e for e in authorization_server.requests_to("/oauth/token") if e["values"]["grant_type"] == "refresh_token"]
    assert len(refreshes) == 1
