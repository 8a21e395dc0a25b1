"""The team lead's follow-up digest: opt-in, team totals only, scoped to one installation."""

from datetime import timedelta

import pytest
from sqlalchemy import delete

from adapter import clock
from adapter.commitments import digest
from adapter.installations import PLAYGROUND_ID
from adapter.models import Commitment
from tests.support import bearer

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)


def add(session, state: str, hours_ago: float, ticket_id: str = "1", agent: str = "Sam Rivera"):
    due = clock.now() - timedelta(hours=hours_ago)
    session.add(Commitment(ticket_id=ticket_id, agent_id=agent.lower(), agent_name=agent, text=f"{state} promise",
                           due_at=due, state=state, created_at=due - timedelta(hours=4)))


def seed(db, installation_id: str = PLAYGROUND_ID) -> None:
    """These promises and no others (the playground's sample promises fall due on days of their own)."""
    with db.tenant(installation_id) as session:
        session.execute(delete(Commitment))
        for state in ("kept", "kept", "done", "missed"):
            add(session, state, hours_ago=24)
        add(session, "missed", hours_ago=30, ticket_id="9", agent="Alex Kim")
        add(session, "cancelled", hours_ago=24)
        add(session, "missed", hours_ago=24 * 8)  # the previous week
        add(session, "kept", hours_ago=24 * 9)
        add(session, "open", hours_ago=-3)  # due in three hours


def test_team_totals_and_rate(db, playground):
    seed(db)
    now = clock.now()
    with db.tenant(PLAYGROUND_ID) as session:
        report = digest.build(session, now - timedelta(days=7), now, now)
    assert report.outcomes == {"kept": 2, "done": 1, "missed": 2, "cancelled": 1}
    assert report.rate == pytest.approx(3 / 5) and report.previous_rate == pytest.approx(1 / 2)
    assert report.due_next_day == 1
    assert [m.ticket_id for m in report.missed_tickets] == ["1", "9"]  # most recent first


def test_digest_is_opt_in_and_never_names_agents(client, db, playground):
    seed(db)
    agent = bearer(client.application, PLAYGROUND_ID)
    admin = bearer(client.application, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    assert "followups" not in client.get("/api/digest", headers=agent).json
    assert client.patch("/api/admin/commitments/settings", headers=admin, json={"lead_digest": True}).status_code == 200
    report = client.get("/api/digest", headers=agent).json["followups"]
    assert report["outcomes"]["missed"] == 2 and report["kept_rate"] == pytest.approx(0.6)
    text = str(report)
    assert "Sam" not in text and "Alex" not in text and "agent" not in text

    page = client.application.test_client()
    page.get("/playground/console")
    html = page.get("/admin/digest").get_data(as_text=True)
    assert "60%" in html and "Customers still waiting" in html
    assert "Sam Rivera" not in html and "Alex Kim" not in html


def test_other_installations_are_not_counted(db, playground, make_installation):
    other = make_installation().id
    seed(db, other)
    with db.tenant(PLAYGROUND_ID) as session:
        session.execute(delete(Commitment))
    now = clock.now()
    with db.tenant(PLAYGROUND_ID) as session:
        report = digest.build(session, now - timedelta(days=7), now, now)
    assert report.outcomes == {} and report.missed_tickets == [] and report.rate is None
