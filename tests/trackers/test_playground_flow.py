"""The playground's sandbox tracker end to end: send a theme, watch it in the tracker, mark it done, see the loop close."""

from sqlalchemy import select

from adapter.commitments.service import remind_and_miss
from adapter.installations import PLAYGROUND_ID
from adapter.models import Commitment
from adapter.models import Installation
from adapter.models import PlaygroundTicket
from adapter.models import SandboxIssue
from adapter.models import Signal
from tests.trackers.support import make_theme


def test_theme_to_sandbox_issue_and_back_to_every_ticket(client, db, playground, sam, priya, frozen_clock):
    theme_id = make_theme(db, PLAYGROUND_ID, tickets=("1", "2"), agent_id="agent-sam")
    panel = client.get("/api/tickets/1/signals", headers=sam).json
    mine = [s for s in panel["signals"] if s["theme_id"] == theme_id]
    assert panel["tracker_name"] == "the sandbox tracker" and mine[0]["tracker"] is None

    sent = client.post(f"/api/themes/{theme_id}/tracker", headers=sam)
    assert sent.status_code == 201, sent.json
    link = client.get(f"/api/themes/{theme_id}/tracker", headers=sam).json
    assert (link["state"], link["issue_key"], link["tickets"], link["tickets_linked"]) == ("linked", "VD-1", 2, 2)
    with db.tenant(PLAYGROUND_ID) as session:
        issue = session.scalar(select(SandboxIssue))
        assert "Tickets: 2" in issue.description and "> \u201cThe export spins forever" in issue.description
        assert sorted(link["url"] for link in issue.links) == ["https://valuedesk.test/playground/tickets/1",
                                                                "https://valuedesk.test/playground/tickets/2"]
    page = client.get("/playground/tracker")
    assert page.status_code == 200 and b"VD-1" in page.data

    moved = client.post("/playground/api/tracker/issues/VD-1/state", json={"state": "done"})
    assert moved.status_code == 200, moved.json
    with db.tenant(PLAYGROUND_ID) as session:
        for ticket_id in (1, 2):
            ticket = session.get(PlaygroundTicket, ticket_id)
            assert "vd_issue_done" in ticket.tags
            assert any(c.body.startswith("VD-1 shipped: CSV export times out") for c in ticket.comments if not c.public)
        followups = session.scalars(select(Commitment).where(Commitment.source_comment_id.startswith("issue:"))).all()
        assert len(followups) == 2 and all(f.state == "open" and "it's fixed now" in f.nudge for f in followups)
        assert all(f.task for f in followups)  # asked of the agent by Valuedesk: not a promise they made
    [thanks] = client.get("/api/notices", headers=sam).json  # the agent whose signal fed the issue, privately
    assert thanks["kind"] == "shipped" and "reaches 2 customers" in thanks["text"]
    assert client.get("/api/notices", headers=priya).json == []
    assert client.post(f"/api/notices/{thanks['id']}/dismiss", headers=priya).status_code == 404
    assert client.post(f"/api/notices/{thanks['id']}/dismiss", headers=sam).status_code == 204
    assert client.get("/api/notices", headers=sam).json == []
    frozen_clock.advance(days=10)  # long past the suggested follow-up's time: a task is never "missed"
    with db.tenant(PLAYGROUND_ID) as session:
        remind_and_miss(session, session.get(Installation, PLAYGROUND_ID))
        states = session.scalars(select(Commitment.state).where(Commitment.source_comment_id.startswith("issue:"))).all()
        assert states == ["open", "open"]
    panel = client.get("/api/tickets/1/signals", headers=sam).json
    shipped = [s for s in panel["signals"] if s["theme_id"] == theme_id][0]["tracker"]
    assert (shipped["category"], shipped["status"]) == ("done", "Done")

    assert client.post("/playground/api/tracker/issues/VD-1/state", json={"state": "in_progress"}).status_code == 200
    with db.tenant(PLAYGROUND_ID) as session:
        assert all("vd_issue_done" not in session.get(PlaygroundTicket, t).tags for t in (1, 2))
        states = session.scalars(select(Commitment.state).where(Commitment.source_comment_id.startswith("issue:"))).all()
        assert states == ["cancelled", "cancelled"]


def test_automatic_rule_sends_a_theme_once_it_reaches_the_threshold(client, db, playground, sam, priya):
    changed = client.patch("/api/admin/trackers/settings", headers=priya, json={"sync": "automatic", "auto_threshold": 3})
    assert changed.status_code == 200 and changed.json["sync"] == "automatic"
    theme_id = make_theme(db, PLAYGROUND_ID, tickets=("1", "2"), title="Bank sync drops transactions")
    with db.tenant(PLAYGROUND_ID) as session:
        assert session.scalar(select(SandboxIssue.id)) is None
        suggestion_ticket = "3"
    added = client.post(f"/api/tickets/{suggestion_ticket}/signals", headers=sam,
                        json={"type": "bug", "quote": "Transactions from my bank vanish after the sync", "theme_id": theme_id})
    assert added.status_code == 201, added.json
    with db.tenant(PLAYGROUND_ID) as session:
        issue = session.scalar(select(SandboxIssue))
        assert issue.title == "Bank sync drops transactions" and "Tickets: 3" in issue.description
        assert len(issue.links) == 3


def test_agents_link_a_theme_to_an_existing_issue_by_key_or_url(client, db, playground, sam):
    first = make_theme(db, PLAYGROUND_ID, tickets=("1",), title="Export")
    second = make_theme(db, PLAYGROUND_ID, tickets=("2", "3"), title="Export (again)")
    assert client.post(f"/api/themes/{first}/tracker", headers=sam).status_code == 201
    bad = client.put(f"/api/themes/{second}/tracker", headers=sam, json={"issue": "not an issue"})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_issue"
    missing = client.put(f"/api/themes/{second}/tracker", headers=sam, json={"issue": "VD-99"})
    assert missing.status_code == 404 and missing.json["error"]["code"] == "unknown_issue"
    linked = client.put(f"/api/themes/{second}/tracker", headers=sam,
                        json={"issue": "https://valuedesk.test/playground/tracker#VD-1"})
    assert linked.status_code == 200 and linked.json["issue_key"] == "VD-1"
    with db.tenant(PLAYGROUND_ID) as session:
        issue = session.scalar(select(SandboxIssue))
        assert len(issue.links) == 3
        assert issue.comments[-1]["body"].startswith("Linked by Valuedesk: 2 tickets")
    assert client.delete(f"/api/themes/{second}/tracker", headers=sam).status_code == 204
    with db.tenant(PLAYGROUND_ID) as session:
        assert len(session.scalar(select(SandboxIssue)).links) == 1
    assert client.delete(f"/api/themes/{second}/tracker", headers=sam).status_code == 404


def test_a_merge_brings_the_source_issue_to_the_target_theme(client, db, playground, sam, priya):
    source = make_theme(db, PLAYGROUND_ID, tickets=("1",), title="Export slow")
    target = make_theme(db, PLAYGROUND_ID, tickets=("2",), title="Export times out")
    client.post(f"/api/themes/{source}/tracker", headers=sam)
    merged = client.post(f"/api/admin/themes/{source}/merge", headers=priya, json={"into": target})
    assert merged.status_code == 200, merged.json
    link = client.get(f"/api/themes/{target}/tracker", headers=sam).json
    assert link["issue_key"] == "VD-1" and link["tickets_linked"] == 2
    with db.tenant(PLAYGROUND_ID) as session:
        assert session.scalar(select(Signal.theme_id).where(Signal.ticket_id == "1", Signal.theme_id.is_not(None))) == target


def test_the_periodic_check_closes_the_loop_when_no_webhook_came(app, client, db, playground, sam):
    from adapter import jobs

    theme_id = make_theme(db, PLAYGROUND_ID, tickets=("1",), title="Invoices show the wrong VAT")
    assert client.post(f"/api/themes/{theme_id}/tracker", headers=sam).status_code == 201
    with db.tenant(PLAYGROUND_ID) as session:
        session.scalar(select(SandboxIssue)).state = "done"  # changed in the tracker; its webhook never arrived
    with app.app_context():
        assert jobs.refresh_tracker_issues() == 1
        assert jobs.refresh_tracker_issues() == 0  # nothing new the second time
    with db.tenant(PLAYGROUND_ID) as session:
        assert "vd_issue_done" in session.get(PlaygroundTicket, 1).tags
