"""Connecting a tracker (API, CLI, console), its settings, the sync list with retry, and who may do what."""

import pytest
import requests

from adapter.credentials import CredentialStore
from adapter.installations import PLAYGROUND_ID
from adapter.models import OutboxAction
from adapter.providers import jira
from adapter.providers import zendesk
from adapter.trackers import writeup
from adapter.trackers.settings import settings_of
from tests.support import bearer
from tests.trackers.support import JIRA_API
from tests.trackers.support import LINEAR_API
from tests.trackers.support import connect
from tests.trackers.support import make_theme


@pytest.fixture
def acme(make_installation):
    return make_installation(kind="zendesk", account="acme", secrets={
        zendesk.EMAIL_CREDENTIAL: "priya@acme.example", zendesk.TOKEN_CREDENTIAL: "api-token",
        zendesk.SECRET_CREDENTIAL: "s"})


@pytest.fixture
def admin(app, acme):
    return bearer(app, acme.id, agent_id="agent-priya", name="Priya", role="admin")


JIRA_FORM = {"site": "https://acme.atlassian.net/", "project": "sup", "email": "bot@acme.example", "api_token": "atl-token-123"}


def test_connect_jira_checks_the_token_stores_it_encrypted_and_shows_the_webhook(client, db, acme, admin, no_network):
    no_network.add("GET", f"{JIRA_API}/myself", json={"displayName": "Valuedesk bot"})
    no_network.add("GET", f"{JIRA_API}/project/SUP", json={"key": "SUP", "name": "Support"})
    response = client.put("/api/admin/trackers/jira", headers=admin, json=JIRA_FORM)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["kind"], body["site"], body["project"], body["connected"]) == ("jira", "acme", "SUP", True)
    assert body["webhook_url"] == f"https://valuedesk.test/webhooks/jira/{acme.id}" and len(body["webhook_secret"]) > 20
    assert "api_token" not in str(body) and "atl-token-123" not in str(body)
    with db.tenant(acme.id) as session:
        assert CredentialStore(session, acme.id).get(jira.TOKEN_CREDENTIAL) == "atl-token-123"
    assert client.get("/api/admin/trackers", headers=admin).json["webhook_secret"] == body["webhook_secret"]


def test_a_refused_token_is_a_400_and_nothing_is_stored(client, db, acme, admin, no_network):
    no_network.add("GET", f"{JIRA_API}/myself", json={"errorMessages": ["Unauthorized"]}, status=401)
    response = client.put("/api/admin/trackers/jira", headers=admin, json=JIRA_FORM)
    assert response.status_code == 400 and response.json["error"]["code"] == "tracker_refused"
    with db.tenant(acme.id) as session:
        assert CredentialStore(session, acme.id).get(jira.TOKEN_CREDENTIAL) is None
        assert settings_of(session.get(type(acme), acme.id)).kind is None


@pytest.mark.parametrize("form", [
    {**JIRA_FORM, "project": "not a key"},
    {**JIRA_FORM, "email": "nope"},
    {key: value for key, value in JIRA_FORM.items() if key != "api_token"},
])
def test_invalid_jira_forms_are_refused_with_a_message(client, acme, admin, form):
    response = client.put("/api/admin/trackers/jira", headers=admin, json=form)
    assert 400 <= response.status_code < 500 and response.json["error"]["message"]


def test_connect_linear_and_paste_its_webhook_secret(client, db, acme, admin, no_network):
    no_network.add("POST", LINEAR_API, json={"data": {"viewer": {"name": "Bot"}, "team": {"key": "ENG", "name": "Engineering"}}})
    response = client.put("/api/admin/trackers/linear", headers=admin, json={"team_id": "72b2a2dc", "api_key": "lin_api_123456"})
    assert response.status_code == 200 and response.json["kind"] == "linear"
    assert client.put("/api/admin/trackers/linear", headers=admin, json={"team_id": "x"}).status_code in (400, 422)
    assert client.put("/api/admin/trackers/webhook-secret", headers=admin, json={"secret": "short"}).status_code in (400, 422)
    assert client.put("/api/admin/trackers/webhook-secret", headers=admin,
                      json={"secret": "lin_wh_0123456789abcdef"}).status_code == 204
    assert client.get("/api/admin/trackers", headers=admin).json["webhook_secret"] == "lin_wh_0123456789abcdef"
    assert client.delete("/api/admin/trackers", headers=admin).status_code == 204
    assert client.get("/api/admin/trackers", headers=admin).json["connected"] is False


@pytest.mark.parametrize("change, ok", [
    ({"sync": "automatic", "auto_threshold": 4}, True),
    ({"reopen_tickets": True}, True),
    ({"issue_types": {"bug": "Bug", "feature_request": "Story"}}, True),
    ({"sync": "sometimes"}, False),
    ({"auto_threshold": 1}, False),
    ({"auto_threshold": 5000}, False),
    ({"issue_types": {"bug": ""}}, False),
])
def test_settings_accept_valid_values_and_refuse_invalid_ones(client, db, acme, admin, change, ok):
    connect(db, acme.id, "jira")
    response = client.patch("/api/admin/trackers/settings", headers=admin, json=change)
    assert (response.status_code == 200) is ok, response.json
    if ok:
        assert all(response.json[key] == value for key, value in change.items())
    else:
        assert response.json["error"]["message"]


def test_agents_cannot_change_the_connection(app, client, acme):
    agent = bearer(app, acme.id)
    assert client.put("/api/admin/trackers/jira", headers=agent, json=JIRA_FORM).status_code == 403
    assert client.patch("/api/admin/trackers/settings", headers=agent, json={"sync": "automatic"}).status_code == 403


def test_sending_without_a_tracker_says_what_to_do(app, client, db, acme):
    theme_id = make_theme(db, acme.id)
    response = client.post(f"/api/themes/{theme_id}/tracker", headers=bearer(app, acme.id))
    assert response.status_code == 409 and "connect Jira or Linear" in response.json["error"]["message"]
    assert client.post("/api/themes/999/tracker", headers=bearer(app, acme.id)).status_code == 409


def test_failed_syncs_are_listed_and_retried(client, db, acme, admin, no_network):
    connect(db, acme.id, "jira")
    theme_id = make_theme(db, acme.id)
    with db.tenant(acme.id) as session:
        from adapter.models import TrackerLink
        link = TrackerLink(theme_id=theme_id, tracker="jira", state="creating", title="t")
        session.add(link)
        session.flush()
        session.add(OutboxAction(kind="tracker.create_issue", payload={"link_id": link.id}, status="failed", attempts=8,
                                 last_error="Unavailable: Jira did not answer"))
    [failed] = client.get("/api/admin/trackers/syncs", headers=admin).json
    assert failed["status"] == "failed" and "did not answer" in failed["last_error"]
    no_network.add("GET", f"{JIRA_API}/search/jql", json={"issues": []})
    no_network.add("POST", f"{JIRA_API}/issue", json={"id": "10042", "key": "SUP-42"}, status=201)
    from tests.conftest import load_fixture
    no_network.add("GET", f"{JIRA_API}/issue/SUP-42", json=load_fixture("jira", "api/issue"))
    no_network.add("POST", f"{JIRA_API}/issue/SUP-42/remotelink", json={"id": 1}, status=201)
    assert client.post(f"/api/admin/trackers/syncs/{failed['id']}/retry", headers=admin).status_code == 202
    assert client.get("/api/admin/trackers/syncs", headers=admin).json == []
    assert client.post(f"/api/admin/trackers/syncs/{failed['id']}/retry", headers=admin).status_code == 409


def test_cli_connects_jira_and_prints_the_webhook_set_up(runner, db, acme, no_network):
    no_network.add("GET", f"{JIRA_API}/myself", json={"displayName": "Valuedesk bot"})
    no_network.add("GET", f"{JIRA_API}/project/SUP", json={"key": "SUP", "name": "Support"})
    result = runner.invoke(["trackers", "connect", "jira", "--installation", acme.id, "--site", "acme",
                            "--project", "SUP", "--email", "bot@acme.example", "--token", "atl-token-123"])
    assert result.exit_code == 0, result.output
    assert "Valuedesk bot on acme, project SUP (Support)" in result.output
    assert f"/webhooks/jira/{acme.id}" in result.output and "Issue updated" in result.output
    status = runner.invoke(["trackers", "status", "--installation", acme.id])
    assert status.exit_code == 0 and "Tracker: Jira" in status.output
    refused = runner.invoke(["trackers", "connect", "jira", "--installation", PLAYGROUND_ID, "--site", "a",
                             "--project", "SUP", "--email", "a@b.example", "--token", "x"])
    assert refused.exit_code != 0


def test_writeup_counts_and_quotes_read_naturally():
    from adapter.signals.themes import ThemeStats

    stats = ThemeStats(theme_id=1, title="Export", tickets=1, customers=1, organizations=0, churn_risk=0,
                       quotes=[{"quote": "It  spins\nforever", "customer": "Elena", "organization": None}])
    text = writeup.issue_description(stats, ["https://x.example/1"], "Zendesk")
    assert "- Tickets: 1" in text and "- Customers: 1 customer\n" in text + "\n"
    assert "> \u201cIt spins forever\u201d (Elena)" in text
    assert writeup.drafted_message("Elena Petrova", "It spins", "cancelled").startswith("Hi Elena, an update")
    assert writeup.closed_note("SUP-1", "Export", "cancelled", "Won't Do").startswith("SUP-1 was closed without a fix (Won't Do)")
    many = writeup.issue_description(stats, [f"https://x.example/{n}" for n in range(30)], "Zendesk")
    assert "and 5 more, linked on this issue." in many


@pytest.mark.parametrize("site", ["127.0.0.1:8399?", "x@host?", "name#", "acme.atlassian.net.evil.example",
                                  "http://acme.atlassian.net", "https://acme.atlassian.net:8443/", "https://u@acme.atlassian.net",
                                  "https://acme.atlassian.net/?x", "127.0.0.1", "acme.atlassian.net#", "[::1]", ""])
def test_a_jira_site_that_is_not_an_atlassian_cloud_name_is_refused_before_any_call(client, acme, admin, no_network,
                                                                                   site):
    response = client.put("/api/admin/trackers/jira", headers=admin, json={**JIRA_FORM, "site": site})
    assert response.status_code in (400, 422), response.json
    assert "site" in response.json["error"]["message"] or "site" in response.json["error"].get("fields", {})
    assert not no_network.calls  # no credentials were sent anywhere


@pytest.mark.parametrize("failure", [
    {"json": {"errorMessages": ["Unauthorized"]}, "status": 401},
    {"json": {"errorMessages": ["No project"]}, "status": 404},
    {"body": "<html>a router's login page</html>", "status": 200},
    {"body": requests.ConnectionError("Connection refused")},
    {"body": requests.ConnectTimeout("timed out")},
])
def test_every_failed_jira_check_gets_the_same_message(client, acme, admin, no_network, failure):
    no_network.add("GET", f"{JIRA_API}/myself", **failure)
    no_network.add("GET", f"{JIRA_API}/project/SUP", json={"errorMessages": ["No project"]}, status=404)
    response = client.put("/api/admin/trackers/jira", headers=admin, json=JIRA_FORM)
    assert response.status_code == 400
    assert response.json["error"] == {"code": "tracker_refused", "message": (
        "Jira did not accept the connection. Check the site, the project key, the account's email and the API token, "
        "then try again.")}
