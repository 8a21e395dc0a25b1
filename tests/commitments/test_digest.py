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


def add(session, state: str, hours_ago: float, ticket_id: str = "1", agent: str = "Sam Rivera", **fields):
    due = clock.now() - timedelta(hours=hours_ago)
    fields.setdefault("due_text", "by 5pm")
    session.add(Commitment(ticket_id=ticket_id, agent_id=agent.lower(), agent_name=agent, text=f"{state} promise",
                           due_at=due, state=state, created_at=due - timedelta(hours=4), **fields))


def seed(db, installation_id: str = PLAYGROUND_ID, scale: int = 1) -> None:
    """These promises and no others (the playground's sample promises fall due on days of their own)."""
    with db.tenant(installation_id) as session:
        session.execute(delete(Commitment))
        for _ in range(scale):
            for state in ("kept", "kept", "done", "missed"):
                add(session, state, hours_ago=24)
            add(session, "missed", hours_ago=30, ticket_id="9", agent="Alex Kim")
            add(session, "missed", hours_ago=24 * 8)  # the previous week
            add(session, "kept", hours_ago=24 * 9)
        add(session, "cancelled", hours_ago=24)
        add(session, "closed", hours_ago=24)  # solved before it fell due: counted neither way
        add(session, "missed", hours_ago=20, task=True)  # a suggested task is never a promise (and never missed)
        add(session, "missed", hours_ago=20, vague=True)  # "soon": reminded, not counted
        add(session, "missed", hours_ago=20, due_text=None)  # named no time: the due time was ours, not counted
        add(session, "open", hours_ago=-3)  # due in three hours


def test_small_numbers_show_counts_not_a_rate(db, playground):
    seed(db)
    now = clock.now()
    with db.tenant(PLAYGROUND_ID) as session:
        report = digest.build(session, now - timedelta(days=7), now, now)
    assert report.outcomes == {"kept": 2, "done": 1, "missed": 2, "cancelled": 1, "closed": 1}
    assert (report.rate.part, report.rate.whole, report.rate.value) == (3, 5, None)  # 5 judged: too few for a rate
    assert report.change is None
    assert report.due_next_day == 1
    assert [m.ticket_id for m in report.missed_tickets] == ["1", "1", "1", "9"]  # still waiting, most recent first


def test_a_rate_and_its_trend_from_twenty_judged_promises(db, playground):
    seed(db, scale=4)
    now = clock.now()
    with db.tenant(PLAYGROUND_ID) as session:
        report = digest.build(session, now - timedelta(days=7), now, now)
        assert (report.rate.part, report.rate.whole) == (12, 20) and report.rate.value == pytest.approx(0.6)
        assert report.change is None  # the previous week had 8 judged promises: no trend
        longer = digest.build(session, now - timedelta(days=14), now, now)
        assert longer.rate.whole == 28 and longer.change is None


def test_digest_is_opt_in_and_never_names_agents(client, db, playground):
    seed(db, scale=4)
    agent = bearer(client.application, PLAYGROUND_ID)
    admin = bearer(client.application, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    assert "followups" not in client.get("/api/digest", headers=agent).json
    assert client.patch("/api/admin/commitments/settings", headers=admin, json={"lead_digest": True}).status_code == 200
    report = client.get("/api/digest", headers=agent).json["followups"]
    assert report["outcomes"]["missed"] == 8
    assert report["kept_rate"] == {"part": 12, "n": 20, "value": pytest.approx(0.6), "min_sample": 20}
    text = str(report)
    assert "Sam" not in text and "Alex" not in text and "agent" not in text

    page = client.application.test_client()
    page.get("/playground/console")
    html = page.get("/admin/digest").get_data(as_text=True)
    assert "60%</b> of 20 promises due were kept" in html and "Customers still waiting" in html
    assert "Sam Rivera" not in html and "Alex Kim" not in html


def test_other_installations_are_not_counted(db, playground, make_installation):
    other = make_installation().id
    seed(db, other)
    with db.tenant(PLAYGROUND_ID) as session:
        session.execute(delete(Commitment))
    now = clock.now()
    with db.tenant(PLAYGROUND_ID) as session:
        report = digest.build(session, now - timedelta(days=7), now, now)
    assert report.outcomes == {} and report.missed_tickets == [] and report.rate.whole == 0
