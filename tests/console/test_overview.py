"""The console's overview, dashboard and jobs pages: connection tests, team-only numbers, and retrying failed jobs."""

from datetime import timedelta

import pytest

from adapter import clock
from adapter.commitments.service import update_settings as update_commitments
from adapter.installations import PLAYGROUND_ID
from adapter.models import Commitment
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.models import Signal
from adapter.models import WebhookReceipt
from adapter.providers import zendesk
from tests.console.support import csrf
from tests.console.support import enter
from tests.console.support import signed_in
from tests.support import bearer

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)

PAGES = ("/admin/", "/admin/digest", "/admin/settings", "/admin/refunds", "/admin/trackers", "/admin/jobs")


def test_the_overview_shows_connections_and_tests_them(app, playground):
    console, token = signed_in(app)
    page = console.get("/admin/").get_data(as_text=True)
    assert "the playground helpdesk" in page and "Sandbox billing account" in page and "the sandbox tracker" in page
    assert "review it" in page  # the refund policy still has its defaults
    helpdesk = console.post("/admin/test/helpdesk", data={"csrf_token": token}, follow_redirects=True)
    assert b"always connected" in helpdesk.data
    billing = console.post("/admin/test/billing", data={"csrf_token": token}, follow_redirects=True)
    assert b"sandbox billing account is built in" in billing.data
    assert console.post("/admin/test/helpdesk").status_code == 400  # no CSRF token


def test_testing_a_zendesk_connection_calls_zendesk_once(app, make_installation, no_network):
    installation = make_installation(kind="zendesk", account="acme", secrets={
        zendesk.EMAIL_CREDENTIAL: "ada@acme.example", zendesk.TOKEN_CREDENTIAL: "api-token"})
    admin = bearer(app, installation.id, agent_id="7", name="Ada Admin", role="admin")
    console = app.test_client()
    assert enter(console, console.post("/api/admin/console-link", headers=admin).json["url"]).status_code == 302
    page = console.get("/admin/").get_data(as_text=True)
    assert "Zendesk · acme" in page and "Connected" in page and "review it" in page
    me = no_network.get("https://acme.zendesk.com/api/v2/users/me.json",
                        json={"user": {"id": 7, "name": "Ada Admin", "role": "admin"}})
    token = csrf(page.encode())
    answer = console.post("/admin/test/helpdesk", data={"csrf_token": token}, follow_redirects=True)
    assert b"Zendesk answered: connected as Ada Admin" in answer.data and me.call_count == 1
    no_network.replace("GET", "https://acme.zendesk.com/api/v2/users/me.json", status=401,
                       json={"error": "Couldn't authenticate you"})
    refused = console.post("/admin/test/helpdesk", data={"csrf_token": token}, follow_redirects=True)
    assert b"Zendesk refused or did not answer" in refused.data
    billing = console.post("/admin/test/billing", data={"csrf_token": token}, follow_redirects=True)
    assert b"No billing system is connected" in billing.data


def test_the_dashboard_charts_promises_kept_and_missed_per_week(app, db, playground):
    now = clock.now()
    with db.tenant(PLAYGROUND_ID) as session:
        update_commitments(session.get(Installation, PLAYGROUND_ID), lead_digest=True)
        for days_ago, state in ((1, "kept"), (2, "done"), (3, "missed"), (9, "missed"), (9, "kept"), (1, "open")):
            session.add(Commitment(ticket_id="1", agent_id="a1", agent_name="Zebra Quill", text="I'll write back by 5pm", due_text="by 5pm",
                                   due_at=now - timedelta(days=days_ago), state=state))
        session.commit()
    console, _ = signed_in(app)
    page = console.get("/admin/digest").get_data(as_text=True)
    assert "Promises kept and missed per week" in page
    this_week = clock.monday_of((now - timedelta(days=1)).date())
    kept = sum(1 for d in (1, 2) if clock.monday_of((now - timedelta(days=d)).date()) == this_week)
    assert f"week of {this_week.isoformat()}: Kept {kept}" in page


def test_no_page_of_the_console_names_or_counts_an_agent(app, db, playground):
    """Coach, don't surveil: team totals only, never a number per agent, on every page."""
    now = clock.now()
    with db.tenant(PLAYGROUND_ID) as session:
        update_commitments(session.get(Installation, PLAYGROUND_ID), lead_digest=True)
        for n, state in enumerate(("kept", "missed", "missed", "open")):
            session.add(Commitment(ticket_id=str(n + 1), agent_id="agent-zq", agent_name="Zebra Quill",
                                   text="I'll call you back by 5pm", due_text="by 5pm", due_at=now - timedelta(days=n), state=state))
            session.add(Signal(ticket_id=str(n + 1), type_key="bug", quote="It crashes on save", agent_id="agent-zq",
                               agent_name="Zebra Quill"))
        session.commit()
    console, _ = signed_in(app)
    for path in PAGES:
        page = console.get(path)
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        assert "Zebra" not in text and "agent-zq" not in text, path
        for word in ("leaderboard", "per agent:", "by agent", "top agents"):
            assert word not in text.lower(), (path, word)


def test_failed_jobs_are_listed_and_retried(app, db, playground):
    with db.tenant(PLAYGROUND_ID) as session:
        failed = OutboxAction(kind="helpdesk.add_tags", payload={"ticket_id": "1", "tags": ["vd_bug"]}, status="failed",
                              attempts=8, last_error="Zendesk 503: down for maintenance")
        receipt = WebhookReceipt(provider="playground", delivery_id="d-1", event_type="comment.created", headers={},
                                 body=b"{}", status="failed", attempts=8, last_error="unreadable payload")
        session.add_all([failed, receipt])
        session.commit()
        action_id, receipt_id = failed.id, receipt.id
    console, token = signed_in(app)
    page = console.get("/admin/jobs").get_data(as_text=True)
    assert "Zendesk 503: down for maintenance" in page and "unreadable payload" in page
    overview = console.get("/admin/").get_data(as_text=True)
    assert "<b>1</b> failed incoming webhook</a>" in overview and "<b>1</b> failed write to the helpdesk or tracker</a>" in overview
    retried = console.post(f"/admin/jobs/writes/{action_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert f"Retrying job #{action_id}".encode() in retried.data
    with db.tenant(PLAYGROUND_ID) as session:
        assert session.get(OutboxAction, action_id).status == "done"  # jobs run at once in tests
    again = console.post(f"/admin/jobs/writes/{action_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert b"is not a failed job" in again.data
    unknown = console.post("/admin/jobs/spaceships/1/retry", data={"csrf_token": token}, follow_redirects=True)
    assert b"no such kind of job" in unknown.data
    assert console.post(f"/admin/jobs/webhooks/{receipt_id}/retry").status_code == 400  # no CSRF token
    console.post(f"/admin/jobs/webhooks/{receipt_id}/retry", data={"csrf_token": token})
    with db.tenant(PLAYGROUND_ID) as session:
        receipt = session.get(WebhookReceipt, receipt_id)
        # One fresh attempt ran at once: the stored body names no event, so it is now ignored, with why.
        assert (receipt.status, receipt.attempts, receipt.last_error) == ("ignored", 1, "Unknown playground event None.")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_console_session(app, playground, path):
    response = app.test_client().get(path)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_the_tour_seeds_team_history_once_for_the_dashboard(app, db, runner):
    for _ in range(2):
        assert runner.invoke(args=["demo-data", "--team-history"]).exit_code == 0
    with db.tenant(PLAYGROUND_ID) as session:
        states = [c.state for c in session.query(Commitment).filter(Commitment.agent_name == "Sample history")]
    assert (states.count("kept"), states.count("missed")) == (81, 12)  # seven weeks, seeded once
    console, _ = signed_in(app)
    page = console.get("/admin/digest").get_data(as_text=True)
    assert "Promises kept and missed per week" in page and "Kept 14" in page  # last week: 14 kept, 1 missed
    assert "270" in page  # last week's pre-send checks, a team total
