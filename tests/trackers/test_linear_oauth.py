"""Connect Linear with OAuth, against a real authorization server on loopback that also answers Linear's GraphQL.

Consent (state, PKCE, actor=app), code exchange, the team, Valuedesk's own webhook (webhookCreate), the grant used
and refreshed by tracker writes, and disconnect (webhookDelete, revocation). Refusals give a page and store nothing.
"""

import copy
import json
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from adapter import oauth
from adapter.credentials import CredentialStore
from adapter.models import Credential
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.models import TrackerLink
from adapter.providers import freshdesk
from adapter.providers import linear
from adapter.trackers import settings as tracker_settings
from tests.conftest import load_fixture
from tests.console.support import csrf
from tests.fakes.authorization_server import consent
from tests.support import bearer
from tests.trackers.support import admin_console
from tests.trackers.support import linear_post
from tests.trackers.support import make_theme

ENG = "72b2a2dc-6f4f-4d3c-9a51-0f3c2b8e1d44"
DESIGN = "c3d9e0a1-5b7f-4e28-8d16-9a4b2c7f0e55"


class LinearApi:
    """Linear's GraphQL endpoint on the fake server: only live access tokens get answers (recorded payload shapes)."""

    def __init__(self, server):
        self.server = server
        self.teams = "teams"
        self.calls: list[dict] = []
        self.issues: set[str] = set()  # ids of the issues created
        self.webhooks_allowed = True
        server.route("POST", "/graphql", self.answer)

    def answer(self, request):
        body = json.loads(request.get_data())
        self.calls.append({**body, "token": request.headers.get("Authorization", "")})
        if self.server.bearer(request) is None:
            return 401, load_fixture("linear", "api/error_authentication")
        query = body["query"]
        if "webhookCreate" in query and not self.webhooks_allowed:
            return 200, {"errors": [{"message": "Forbidden", "extensions": {
                "type": "forbidden", "userPresentableMessage": "Only admins can create webhooks."}}]}
        if "webhookCreate" in query:
            answer = copy.deepcopy(load_fixture("linear", "api/webhook_create"))
            answer["data"]["webhookCreate"]["webhook"]["secret"] = body["variables"]["input"]["secret"]  # it keeps ours
            return 200, answer
        if "issueCreate" in query:
            self.issues.add(body["variables"]["input"]["id"])
        if query.startswith("query Issue") and body["variables"]["id"] in self.issues:  # an earlier create, by its id
            return 200, {"data": {"issue": load_fixture("linear", "api/issue_create")["data"]["issueCreate"]["issue"]}}
        for operation, fixture in (("teams", self.teams), ("webhookDelete", "webhook_delete"),
                                   ("issueCreate", "issue_create"), ("attachmentLinkURL", "attachment_link_url"),
                                   ("customerUpsert", "customer_upsert"), ("customerNeedCreate", "customer_need_create")):
            if operation in query:
                return 200, load_fixture("linear", f"api/{fixture}")
        if query.startswith("query Issue"):
            return 200, {"data": {"issue": None}, "errors": [{"message": "Entity not found: Issue"}]}
        return 400, {"errors": [{"message": "unexpected operation"}]}

    def sent(self, operation: str) -> list[dict]:
        return [call for call in self.calls if operation in call["query"]]


@pytest.fixture
def linear_app(app, authorization_server, make_app):
    """The service with the operator's Linear OAuth client, Linear played by the loopback server.

    Made after `app`: the vendor URLs are process-wide, and the last app made sets them.
    """
    return make_app(VALUEDESK_VENDOR_URLS=f"linear={authorization_server.url}",
                    VALUEDESK_LINEAR_CLIENT_ID=authorization_server.client_id,
                    VALUEDESK_LINEAR_CLIENT_SECRET=authorization_server.client_secret)


@pytest.fixture
def api(authorization_server):
    return LinearApi(authorization_server)


@pytest.fixture
def acme(make_installation):
    return make_installation(kind="freshdesk", account="acme", secrets={
        freshdesk.API_KEY_CREDENTIAL: "fd-key", freshdesk.SECRET_CREDENTIAL: "s"})


def _start(console) -> str:
    token = csrf(console.get("/admin/trackers").data)
    response = console.post("/admin/connect/linear", data={"csrf_token": token})
    assert response.status_code == 303, response.data
    return response.headers["Location"]


def _connect(app, installation_id):
    console = admin_console(app, installation_id)
    finished = console.get(consent(_start(console)))
    return console, finished


def _state(app, installation_id):
    """(tracker settings, credential names) as stored."""
    with app.app_context(), app.extensions["valuedesk.db"].tenant(installation_id) as session:
        installation = session.get(Installation, installation_id)
        names = set(session.scalars(select(Credential.name).where(Credential.installation_id == installation_id)))
        return tracker_settings.settings_of(installation), names


def test_connect_linear_asks_for_the_app_actor_then_creates_its_own_webhook(linear_app, acme, api,
                                                                           authorization_server, client):
    console = admin_console(linear_app, acme.id)
    location = _start(console)
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{authorization_server.url}/oauth/authorize?")
    assert query["scope"] == ["read,write,issues:create,comments:create,admin"] and query["actor"] == ["app"]
    assert query["redirect_uri"] == ["https://valuedesk.test/admin/oauth/linear/callback"]
    assert query["code_challenge_method"] == ["S256"] and len(query["state"][0]) >= 40

    finished = console.get(consent(location))
    assert finished.status_code == 302 and finished.headers["Location"].endswith("/admin/trackers")
    page = console.get("/admin/trackers").data.decode()
    assert "Linear connected: team ENG (Engineering). Valuedesk created its webhook" in page
    assert "Connected with OAuth" in page and "paste Linear's signing secret" not in page

    [created] = api.sent("webhookCreate")
    fields = created["variables"]["input"]
    assert fields["url"] == f"https://valuedesk.test/webhooks/linear/{acme.id}"
    assert (fields["teamId"], fields["resourceTypes"], fields["label"]) == (ENG, ["Issue"], "Valuedesk")
    assert created["token"].startswith("Bearer at-")  # the grant, not an API key
    settings, names = _state(linear_app, acme.id)
    assert (settings.kind, settings.team_id, settings.webhook_id) == ("linear", ENG,
                                                                      "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b")
    assert {"linear_oauth", linear.SECRET_CREDENTIAL} <= names and linear.KEY_CREDENTIAL not in names
    with linear_app.app_context(), linear_app.extensions["valuedesk.db"].tenant(acme.id) as session:
        secret = CredentialStore(session, acme.id).get(linear.SECRET_CREDENTIAL)
        sealed = session.scalar(select(Credential.ciphertext).where(Credential.name == linear.SECRET_CREDENTIAL))
    assert secret == fields["secret"] and secret.encode() not in sealed  # stored encrypted, never pasted
    delivery = linear_post(linear_app.test_client(), acme.id, load_fixture("linear", "Issue.update"), secret=secret)
    assert delivery.status_code == 202  # Linear's deliveries verify with the secret it was given


def test_a_webhook_linear_refuses_leaves_the_connection_with_the_manual_set_up(linear_app, acme, api):
    api.webhooks_allowed = False
    console, finished = _connect(linear_app, acme.id)
    page = console.get(finished.headers["Location"]).data.decode()
    assert "Linear did not let Valuedesk create its webhook" in page and "Only admins can create webhooks" in page
    assert "paste Linear&#39;s signing secret" in page or "paste Linear's signing secret" in page  # the manual set-up
    settings, names = _state(linear_app, acme.id)
    assert (settings.kind, settings.webhook_id) == ("linear", "") and linear.SECRET_CREDENTIAL in names


def test_tracker_writes_use_the_grant_and_refresh_it_before_it_expires(linear_app, acme, api, authorization_server,
                                                                      frozen_clock, monkeypatch):
    _connect(linear_app, acme.id)
    client = linear_app.test_client()
    first = make_theme(linear_app.extensions["valuedesk.db"], acme.id, tickets=("35436",))
    assert client.post(f"/api/themes/{first}/tracker", headers=bearer(linear_app, acme.id)).status_code == 201
    [issue] = api.sent("issueCreate")
    granted = issue["token"]
    assert granted.startswith("Bearer at-")
    frozen_clock.advance(minutes=59)  # inside the two minutes before the hour's token expires
    second = make_theme(linear_app.extensions["valuedesk.db"], acme.id, tickets=("35437",), title="Login loops")
    assert client.post(f"/api/themes/{second}/tracker", headers=bearer(linear_app, acme.id)).status_code == 201
    _finish_pending(linear_app, monkeypatch, frozen_clock)
    assert len(api.sent("issueCreate")) == 2  # one per theme, however many attempts the write took
    assert [entry["values"]["grant_type"] for entry in authorization_server.requests_to("/oauth/token")] == [
        "authorization_code", "refresh_token"]
    renewed = api.sent("issueCreate")[-1]["token"]
    assert renewed != granted and renewed.removeprefix("Bearer ") in authorization_server.access
    with linear_app.app_context(), linear_app.extensions["valuedesk.db"].tenant(acme.id) as session:
        assert session.scalar(select(TrackerLink.issue_key).where(TrackerLink.theme_id == second)) == "ENG-123"
        stored = oauth.tokens(session, acme.id, linear.OAUTH)
    assert f"Bearer {stored.access_token}" == renewed and stored.refresh_token in authorization_server.refresh


def _finish_pending(app, monkeypatch, frozen_clock):
    """Run the writes waiting for a retry. On SQLite a job whose grant was renewed in its own transaction (committed
    at once, by design) loses its first write to that commit and is retried two seconds later; PostgreSQL needs none."""
    from adapter import jobs
    from adapter import queue

    monkeypatch.setattr(queue, "enqueue", lambda name, item_id, **kw: jobs.run_outbox_action(item_id))
    frozen_clock.advance(seconds=3)
    with app.app_context():
        with app.extensions["valuedesk.db"].system() as session:
            waiting = list(session.scalars(select(OutboxAction.id).where(OutboxAction.status == "pending")))
        for action_id in waiting:
            jobs.run_outbox_action(action_id)


def test_several_teams_lead_to_a_choice_and_only_a_listed_team_is_accepted(linear_app, acme, api):
    api.teams = "teams_several"
    console, finished = _connect(linear_app, acme.id)
    assert finished.headers["Location"].endswith("/admin/trackers/linear/team")
    page = console.get("/admin/trackers/linear/team").data.decode()
    assert "ENG</b> Engineering" in page and "DES</b> Design" in page
    token = csrf(page.encode())
    assert _state(linear_app, acme.id)[0].kind is None and api.sent("webhookCreate") == []  # nothing until chosen
    wrong = console.post("/admin/trackers/linear/team", data={"csrf_token": token, "team_id": "someone-elses-team"},
                         follow_redirects=True)
    assert "Choose one of the teams Linear lists" in wrong.data.decode()
    assert _state(linear_app, acme.id)[0].kind is None
    chosen = console.post("/admin/trackers/linear/team", data={"csrf_token": token, "team_id": DESIGN},
                          follow_redirects=True)
    assert "Linear connected: team DES (Design)" in chosen.data.decode()
    assert api.sent("webhookCreate")[0]["variables"]["input"]["teamId"] == DESIGN
    assert _state(linear_app, acme.id)[0].team_id == DESIGN


def test_disconnect_deletes_the_webhook_revokes_the_grant_and_forgets_the_connection(linear_app, acme, api,
                                                                                   authorization_server):
    console, _ = _connect(linear_app, acme.id)
    access = api.sent("teams")[0]["token"].removeprefix("Bearer ")
    token = csrf(console.get("/admin/connections").data)
    page = console.post("/admin/disconnect/linear", data={"csrf_token": token}, follow_redirects=True).data.decode()
    assert "Linear disconnected" in page and "Linear webhook deleted" in page
    [deleted] = api.sent("webhookDelete")
    assert deleted["variables"] == {"id": "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"} and deleted["token"] == f"Bearer {access}"
    assert access in authorization_server.revoked
    settings, names = _state(linear_app, acme.id)
    assert settings.kind is None and settings.webhook_id == ""
    assert "linear_oauth" not in names and linear.SECRET_CREDENTIAL not in names


def test_the_api_disconnect_also_revokes_and_deletes_the_webhook(linear_app, acme, api, authorization_server):
    _connect(linear_app, acme.id)
    admin = bearer(linear_app, acme.id, agent_id="7", name="Ada Admin", role="admin")
    assert linear_app.test_client().delete("/api/admin/trackers", headers=admin).status_code == 204
    assert len(api.sent("webhookDelete")) == 1 and len(authorization_server.revoked) == 1
    assert "linear_oauth" not in _state(linear_app, acme.id)[1]


def _nothing_stored(app, installation_id, api):
    settings, names = _state(app, installation_id)
    assert settings.kind is None and "linear_oauth" not in names and linear.SECRET_CREDENTIAL not in names
    assert api.sent("webhookCreate") == []


def test_denied_consent_gives_a_clear_page_and_stores_nothing(linear_app, acme, api, authorization_server):
    authorization_server.approve = False
    _, page = _connect(linear_app, acme.id)
    assert page.status_code == 400 and b"Linear said the connection was not approved" in page.data
    _nothing_stored(linear_app, acme.id, api)


def test_a_mismatched_state_gives_a_clear_page_and_stores_nothing(linear_app, acme, api):
    console = admin_console(linear_app, acme.id)
    back = consent(_start(console))
    page = console.get(back.replace("state=", "state=forged"))
    assert page.status_code == 400 and b"not one this console started" in page.data
    _nothing_stored(linear_app, acme.id, api)


def test_a_replayed_callback_or_code_gives_a_clear_page_and_changes_nothing(linear_app, acme, api):
    console = admin_console(linear_app, acme.id)
    back = consent(_start(console))
    assert console.get(back).status_code == 302
    connected = _state(linear_app, acme.id)
    replay = console.get(back)
    assert replay.status_code == 400 and b"used already" in replay.data
    code = parse_qs(back.split("?", 1)[1])["code"][0]
    fresh_state = parse_qs(urlsplit(_start(console)).query)["state"][0]
    refused = console.get(f"/admin/oauth/linear/callback?code={code}&state={fresh_state}")
    assert refused.status_code == 400 and b"Linear refused the authorization code" in refused.data
    assert len(api.sent("webhookCreate")) == 1 and _state(linear_app, acme.id) == connected  # the first grant stands


@pytest.mark.parametrize(("status", "body", "words"), [
    (200, {"data": {"teams": {"nodes": []}}}, b"Linear shows Valuedesk no team"),
    (503, {"errors": [{"message": "down for maintenance"}]}, b"Linear did not list its teams"),
])
def test_a_grant_without_teams_is_revoked_and_nothing_is_kept(linear_app, acme, api, authorization_server, status,
                                                              body, words):
    authorization_server.route("POST", "/graphql", lambda request: (status, body))
    _, page = _connect(linear_app, acme.id)
    assert page.status_code == 409 and words in page.data and b"Nothing was stored" in page.data
    assert len(authorization_server.revoked) == 1
    settings, names = _state(linear_app, acme.id)
    assert settings.kind is None and "linear_oauth" not in names


def test_an_expired_refresh_token_fails_the_write_and_asks_to_reconnect(linear_app, acme, api, authorization_server,
                                                                       frozen_clock):
    _connect(linear_app, acme.id)
    with linear_app.app_context(), linear_app.extensions["valuedesk.db"].tenant(acme.id) as session:
        before = oauth.tokens(session, acme.id, linear.OAUTH)
    authorization_server.expire_refresh_tokens()
    frozen_clock.advance(hours=2)
    theme = make_theme(linear_app.extensions["valuedesk.db"], acme.id, tickets=("35436",))
    client = linear_app.test_client()
    assert client.post(f"/api/themes/{theme}/tracker", headers=bearer(linear_app, acme.id)).status_code == 201
    assert api.sent("issueCreate") == []
    with linear_app.app_context(), linear_app.extensions["valuedesk.db"].tenant(acme.id) as session:
        action = session.scalar(select(OutboxAction).where(OutboxAction.kind == "tracker.create_issue"))
        assert action.status != "done" and "connect it again" in action.last_error
        assert oauth.tokens(session, acme.id, linear.OAUTH) == before  # nothing half-stored


def test_the_api_key_path_still_sends_the_key_as_is(acme, db, no_network):
    from tests.trackers.support import connect

    connect(db, acme.id, "linear")
    with db.tenant(acme.id) as session:
        client = tracker_settings.client(session, session.get(Installation, acme.id))
    assert client.api.session.headers["Authorization"] == "lin_api_key_123"


def test_one_installations_grant_is_never_used_for_another(linear_app, acme, api, make_installation):
    other = make_installation(kind="freshdesk", account="globex", secrets={
        freshdesk.API_KEY_CREDENTIAL: "fd-key", freshdesk.SECRET_CREDENTIAL: "s"})
    _connect(linear_app, acme.id)
    console = admin_console(linear_app, other.id)
    page = console.get("/admin/trackers").data.decode()
    assert "Connected with OAuth" not in page and "Connect Linear" in page
    teams = console.get("/admin/trackers/linear/team", follow_redirects=True).data.decode()
    assert "Linear did not list its teams: Linear is not connected." in teams
    token = csrf(teams.encode())
    chosen = console.post("/admin/trackers/linear/team", data={"csrf_token": token, "team_id": ENG},
                          follow_redirects=True).data.decode()
    assert "Linear is not connected" in chosen
    assert len(api.sent("teams")) == 1  # only acme's connect asked Linear anything
    settings, names = _state(linear_app, other.id)
    assert settings.kind is None and "linear_oauth" not in names
    with linear_app.app_context(), linear_app.extensions["valuedesk.db"].tenant(other.id) as session:
        assert tracker_settings.client(session, session.get(Installation, other.id)) is None


def test_uninstalling_deletes_the_webhook_and_revokes_the_linear_grant(linear_app, acme, api, authorization_server):
    from adapter import lifecycle

    _connect(linear_app, acme.id)
    with linear_app.test_request_context(), linear_app.extensions["valuedesk.db"].system() as session:
        done = lifecycle.uninstall(session, session.get(Installation, acme.id))
    assert "Linear webhook deleted" in done and "Linear authorization revoked" in done
    assert len(api.sent("webhookDelete")) == 1 and len(authorization_server.revoked) == 1
    with linear_app.app_context(), linear_app.extensions["valuedesk.db"].system() as session:
        assert session.scalars(select(Credential.name).where(Credential.installation_id == acme.id)).all() == []
