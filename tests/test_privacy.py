"""Coach, don't surveil, across every feature: with an agent's refunds, promises (kept, missed, moved out),
copy-paste warnings and a thank-you on record, no page, export or helpdesk write counts anything per agent.

What names a person, and why (README, "Privacy"): the money audit keeps the actor of each step, because
money needs it; a ticket's follow-up shows who promised it to teammates on that ticket; the refund note on
the ticket says who refunded. Nothing aggregates by agent anywhere.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from adapter.commitments import service as commitments
from adapter.installations import PLAYGROUND_ID
from adapter.models import Commitment
from adapter.models import Installation
from adapter.models import PlaygroundTicket
from adapter.providers.playground import MACROS
from tests.support import bearer
from tests.support import every_get_page

OLU = ("agent-olu-5521", "Olufemi Zed")
# The only places Olu's name may appear: rows of the money audit, one row per step that Olu took.
MONEY_PAGES = {"/admin/refunds", "/admin/refunds/audit.csv", "/api/admin/billing/audit.csv"}


@pytest.fixture
def olu_on_record(app, client, db, playground, frozen_clock):
    """Olu refunds, promises, misses one, moves one out, gets copy-paste warnings; the team digest is on."""
    olu = bearer(app, PLAYGROUND_ID, agent_id=OLU[0], name=OLU[1])
    preview = client.post("/api/billing/preview", headers=olu, json={
        "kind": "refund", "ticket_id": "3", "customer_id": "cus_sbx_elena", "charge_id": "ch_sbx_elena_dup",
        "amount": "49", "reason": "duplicate_charge"}).json
    assert client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=olu).json["state"] == "succeeded"
    for ticket in ("1", "3", "4"):
        assert client.post("/api/replies/check", headers=olu, json={"ticket_id": ticket, "draft": MACROS[0].body}).json
    for ticket, body in (("4", "Thanks Tom, I'll get back to you tomorrow with the API team's answer."),
                         ("6", "Let me check where the logo setting went and update you by Friday."),
                         ("7", "I'll ask our mail team and get back to you tomorrow.")):
        client.post(f"/playground/api/tickets/{ticket}/comments",
                    json={"author_role": "agent", "body": body, "public": True, "agent_id": OLU[0]})
    with db.tenant(PLAYGROUND_ID) as session:
        installation = session.get(Installation, PLAYGROUND_ID)
        commitments.update_settings(installation, lead_digest=True, helpdesk_tags=True)
        for row in session.scalars(select(Commitment).where(Commitment.ticket_id.in_(("4", "6", "7")))):
            row.agent_id, row.agent_name = OLU  # the playground attributes replies to its own agents
    client.post("/playground/api/tickets/6/comments", json={
        "author_role": "agent", "public": True, "agent_id": OLU[0],
        "body": "Sorry Jonas, still checking with the design team; I'll update you on Monday next week."})
    with db.tenant(PLAYGROUND_ID) as session:
        first_due = min(session.scalars(select(Commitment.due_at).where(Commitment.ticket_id.in_(("4", "7")))))
    frozen_clock.set(first_due + timedelta(days=2))
    with db.tenant(PLAYGROUND_ID) as session:
        missed, _ = commitments.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID))
        assert missed >= 2
    return olu


def test_no_page_or_export_counts_anything_per_agent(app, olu_on_record):
    admin = bearer(app, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    checked = 0
    for path, body in every_get_page(app, admin):
        checked += 1
        if path in MONEY_PAGES:
            # Row by row: every line that names Olu is one step of one money action, never a total.
            lines = [line for line in body.splitlines() if OLU[1] in line or OLU[0] in line]
            assert all("refund" in line.lower() or "<td>" in line for line in lines), path
            continue
        assert OLU[0] not in body and OLU[1] not in body and "Olufemi" not in body, path
    assert checked > 40


def test_the_helpdesk_gets_no_trail_of_reminders_misses_or_warnings(db, olu_on_record):
    with db.tenant(PLAYGROUND_ID) as session:
        tickets = session.scalars(select(PlaygroundTicket)).all()
        tags = {tag for ticket in tickets for tag in ticket.tags}
        notes = [c.body for ticket in tickets for c in ticket.comments if not c.public]
    assert not [t for t in tags if "missed" in t or "warn" in t or "copy" in t]
    assert tags & {"vd_followup_due"}  # the admin turned the state tag on: it says a follow-up is due, nothing more
    named = [note for note in notes if "Olufemi" in note]
    assert named and all(note.startswith("Refunded") for note in named)  # the money note says who refunded
    assert not [n for n in notes if any(word in n.lower() for word in ("reminder", "missed", "warning", "copy-paste"))]


def test_the_digest_counts_only_promises_agents_made_with_a_firm_time(app, client, olu_on_record):
    admin = bearer(app, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    report = client.get("/api/digest", headers=admin).json["followups"]
    assert report["kept_rate"]["value"] is None and report["change_points"] is None  # under 20 judged: counts only
    assert report["kept_rate"]["n"] == report["outcomes"].get("kept", 0) + report["outcomes"].get("done", 0) + \
        report["outcomes"].get("missed", 0)
    assert "Olufemi" not in str(report) and OLU[0] not in str(report)


def test_the_money_audit_names_who_acted_row_by_row(app, olu_on_record):
    console = app.test_client()
    console.get("/playground/console")
    rows = [line for line in console.get("/admin/refunds/audit.csv").get_data(as_text=True).splitlines() if OLU[1] in line]
    assert [row.split(",")[2] for row in rows] == ["confirmed", "succeeded"]
