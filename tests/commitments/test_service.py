"""Commitments from webhook events: created, kept, cancelled, reassigned; reminders and misses exactly once."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy import select

from adapter.commitments import service
from adapter.commitments.schedule import Schedule
from adapter.installations import PLAYGROUND_ID
from adapter.models import Commitment
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.models import PlaygroundTicket

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)


def reply(client, ticket_id, body, role="agent", public=True, agent_id="agent-sam"):
    response = client.post(f"/playground/api/tickets/{ticket_id}/comments",
                           json={"author_role": role, "body": body, "public": public, "agent_id": agent_id})
    assert response.status_code == 201
    return response.json["comments"][-1]["id"]


def commitments(db, ticket_id):
    with db.tenant(PLAYGROUND_ID) as session:
        return session.scalars(select(Commitment).where(Commitment.ticket_id == str(ticket_id))
                               .order_by(Commitment.id)).all()


def test_seeded_promise_was_found(db, playground):
    [seeded] = commitments(db, 2)
    assert seeded.text.startswith("I'll check with our product team and get back to you by Friday")
    assert (seeded.state, seeded.agent_name, seeded.due_text, seeded.vague) == ("open", "Sam Rivera", "Friday", False)


def test_later_public_reply_keeps_the_promise(client, db, playground):
    comment_id = reply(client, 4, "Thanks Tom, I'll check with the API team and get back to you tomorrow.")
    [promise] = commitments(db, 4)
    assert (promise.state, promise.source_comment_id) == ("open", str(comment_id))
    follow_up = reply(client, 4, "Quick update: the next page comes from the `cursor` parameter.")
    [promise] = commitments(db, 4)
    assert (promise.state, promise.outcome_comment_id) == ("kept", str(follow_up))


def test_private_notes_and_customer_messages_do_not_keep_it(client, db, playground):
    reply(client, 4, "I'll get back to you tomorrow.")
    reply(client, 4, "Internal: asked the API team", public=False)
    reply(client, 4, "Any news?", role="customer")
    assert commitments(db, 4)[0].state == "open"


def test_solving_keeps_and_deleting_cancels(client, db, playground):
    reply(client, 4, "I'll get back to you tomorrow.")
    client.post("/playground/api/tickets/4/status", json={"status": "solved"})
    assert commitments(db, 4)[0].state == "kept"
    reply(client, 6, "Let me look into where the logo setting went and update you by Friday.")
    with db.tenant(PLAYGROUND_ID) as session:
        from adapter.commitments.service import on_status
        from adapter.dispatch import EventContext
        from adapter.events import TicketStatusChanged

        installation = session.get(Installation, PLAYGROUND_ID)
        on_status(TicketStatusChanged(PLAYGROUND_ID, "6", "deleted"), EventContext(session, installation))
    assert commitments(db, 6)[0].state == "cancelled"


def test_reassignment_moves_the_promise_with_a_note(db, playground):
    from adapter.dispatch import EventContext
    from adapter.dispatch import handle
    from adapter.events import TicketAssigned

    with db.tenant(PLAYGROUND_ID) as session:
        handle(TicketAssigned(PLAYGROUND_ID, "2", "agent-priya"), EventContext(session, session.get(Installation, PLAYGROUND_ID)))
    [moved] = commitments(db, 2)
    assert (moved.agent_id, moved.agent_name) == ("agent-priya", "Priya Natarajan")
    with db.tenant(PLAYGROUND_ID) as session:
        notes = [c.body for c in session.get(PlaygroundTicket, 2).comments if not c.public]
    assert any("is now Priya Natarajan's" in note for note in notes)


def fresh_promise(client, db, ticket_id=4):
    """A promise made now, and the only one (the sample promises fall due on days of their own)."""
    reply(client, ticket_id, "Thanks Tom, I'll get back to you tomorrow with the API team's answer.")
    promise = commitments(db, ticket_id)[-1]
    with db.tenant(PLAYGROUND_ID) as session:
        session.execute(delete(Commitment).where(Commitment.id != promise.id))
    return promise


def test_reminder_then_miss_with_tags_and_a_private_nudge(client, db, playground, frozen_clock):
    promise = fresh_promise(client, db)
    frozen_clock.set(promise.due_at - timedelta(minutes=30))
    with db.tenant(PLAYGROUND_ID) as session:
        assert service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID)) == (0, 1)
        assert service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID)) == (0, 0)
    with db.tenant(PLAYGROUND_ID) as session:
        ticket = session.get(PlaygroundTicket, 4)
        assert "vd_followup_due" in ticket.tags
        assert any(c.body.startswith("Valuedesk reminder for Sam Rivera") for c in ticket.comments if not c.public)
    frozen_clock.set(promise.due_at + timedelta(minutes=1))
    with db.tenant(PLAYGROUND_ID) as session:
        assert service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID)) == (1, 0)
    missed = commitments(db, 4)[-1]
    assert missed.state == "missed"
    due = Schedule(timezone="Europe/London").local(promise.due_at)  # the playground's timezone
    assert missed.nudge.startswith(f"Hi Tom, I promised you an update by {due:%A %H:%M}")
    with db.tenant(PLAYGROUND_ID) as session:
        ticket = session.get(PlaygroundTicket, 4)
        assert "vd_followup_missed" in ticket.tags and "vd_followup_due" not in ticket.tags
        # The nudge is for the agent alone: it is not posted on the ticket.
        assert not any("I promised you an update" in c.body for c in ticket.comments)


def test_two_concurrent_sweeps_remind_exactly_once(client, db, playground, frozen_clock, database_url):
    promise = fresh_promise(client, db)
    frozen_clock.set(promise.due_at - timedelta(minutes=10))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            with db.tenant(PLAYGROUND_ID, immediate=True) as session:
                results.append(service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID)))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [(0, 0), (0, 1)]
    with db.tenant(PLAYGROUND_ID) as session:
        notes = session.scalars(select(OutboxAction).where(OutboxAction.kind == "helpdesk.add_note")).all()
        assert len([n for n in notes if "reminder" in n.payload["body"]]) == 1


def test_commitments_are_scoped_to_their_installation(db, playground, make_installation):
    other = make_installation(account="other")
    with db.tenant(other.id) as session:
        assert session.scalars(select(Commitment)).all() == []
        assert service.remind_and_miss(session, session.get(Installation, other.id)) == (0, 0)
