"""Commitments from webhook events: created, kept, updated, closed, cancelled, reassigned; private reminders and
misses exactly once; nothing on the ticket that names an agent or records a miss."""

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


def test_the_promised_update_keeps_the_promise(client, db, playground):
    comment_id = reply(client, 4, "Thanks Tom, I'll check with the API team and get back to you tomorrow.")
    [promise] = commitments(db, 4)
    assert (promise.state, promise.source_comment_id) == ("open", str(comment_id))
    follow_up = reply(client, 4, "Quick update: the next page comes from the `cursor` parameter.")
    [promise] = commitments(db, 4)
    assert (promise.state, promise.outcome_comment_id) == ("kept", str(follow_up))


def test_a_reply_that_pushes_the_time_out_updates_the_promise_and_is_not_a_second_one(client, db, playground):
    reply(client, 4, "Thanks Tom, I'll get back to you tomorrow with the API team's answer.")
    [promise] = commitments(db, 4)
    reply(client, 4, "Sorry for the wait! We're still checking with the API team; I'll update you within 5 business days.")
    [updated] = commitments(db, 4)
    assert (updated.id, updated.state, updated.updates) == (promise.id, "open", 1)
    assert updated.due_at > promise.due_at and updated.reminded_at is None


def test_a_bare_still_looking_into_it_neither_keeps_nor_moves_the_promise(client, db, playground):
    reply(client, 4, "Thanks Tom, I'll get back to you tomorrow with the API team's answer.")
    [promise] = commitments(db, 4)
    reply(client, 4, "Hi Tom, we're still looking into it.")
    [same] = commitments(db, 4)
    assert (same.state, same.due_at, same.updates) == ("open", promise.due_at, 0)


def test_news_plus_a_new_promise_keeps_the_first_and_makes_a_second(client, db, playground):
    reply(client, 4, "Thanks Tom, I'll get back to you tomorrow with the API team's answer.")
    reply(client, 4, "The API team fixed the cursor bug this morning. I'll check on Monday that your export works.")
    first, second = commitments(db, 4)
    assert (first.state, second.state) == ("kept", "open")


def test_private_notes_and_customer_messages_do_not_keep_it(client, db, playground):
    reply(client, 4, "I'll get back to you tomorrow.")
    reply(client, 4, "Internal: asked the API team", public=False)
    reply(client, 4, "Any news?", role="customer")
    assert commitments(db, 4)[0].state == "open"


def test_solving_closes_without_counting_it_kept_and_deleting_cancels(client, db, playground):
    reply(client, 4, "I'll get back to you tomorrow.")
    client.post("/playground/api/tickets/4/status", json={"status": "solved"})
    assert commitments(db, 4)[0].state == "closed"
    reply(client, 6, "Let me look into where the logo setting went and update you by Friday.")
    with db.tenant(PLAYGROUND_ID) as session:
        from adapter.commitments.service import on_status
        from adapter.dispatch import EventContext
        from adapter.events import TicketStatusChanged

        installation = session.get(Installation, PLAYGROUND_ID)
        on_status(TicketStatusChanged(PLAYGROUND_ID, "6", "deleted"), EventContext(session, installation))
    assert commitments(db, 6)[0].state == "cancelled"


def test_reassignment_moves_the_promise_with_a_note_that_names_only_the_new_owner(db, playground):
    from adapter.dispatch import EventContext
    from adapter.dispatch import handle
    from adapter.events import TicketAssigned

    with db.tenant(PLAYGROUND_ID) as session:
        handle(TicketAssigned(PLAYGROUND_ID, "2", "agent-priya"), EventContext(session, session.get(Installation, PLAYGROUND_ID)))
    [moved] = commitments(db, 2)
    assert (moved.agent_id, moved.agent_name) == ("agent-priya", "Priya Natarajan")
    with db.tenant(PLAYGROUND_ID) as session:
        notes = [c.body for c in session.get(PlaygroundTicket, 2).comments if not c.public]
    assert any("now with Priya Natarajan" in note for note in notes)
    assert not any("Sam" in note for note in notes)


def fresh_promise(client, db, ticket_id=4):
    """A promise made now, and the only one (the sample promises fall due on days of their own)."""
    reply(client, ticket_id, "Thanks Tom, I'll get back to you tomorrow with the API team's answer.")
    promise = commitments(db, ticket_id)[-1]
    with db.tenant(PLAYGROUND_ID) as session:
        session.execute(delete(Commitment).where(Commitment.id != promise.id))
    return promise


def test_reminder_then_miss_reach_the_agent_alone(client, db, playground, frozen_clock):
    promise = fresh_promise(client, db)
    frozen_clock.set(promise.due_at - timedelta(minutes=30))
    with db.tenant(PLAYGROUND_ID) as session:
        assert service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID)) == (0, 1)
        assert service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID)) == (0, 0)
    frozen_clock.set(promise.due_at + timedelta(minutes=1))
    with db.tenant(PLAYGROUND_ID) as session:
        assert service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID)) == (1, 0)
    missed = commitments(db, 4)[-1]
    assert missed.state == "missed" and missed.reminded_at is not None
    due = Schedule(timezone="Europe/London").local(promise.due_at)  # the playground's timezone
    assert missed.nudge.startswith(f"Hi Tom, I promised you an update by {due:%A %H:%M}")
    with db.tenant(PLAYGROUND_ID) as session:
        ticket = session.get(PlaygroundTicket, 4)
        assert not [t for t in ticket.tags if t.startswith("vd_followup")]  # helpdesk tags are off by default
        notes = [c.body for c in ticket.comments if not c.public]
        assert not [n for n in notes if "Valuedesk" in n or "promised" in n]  # nothing on the ticket names anyone


def test_with_helpdesk_tags_on_the_ticket_says_due_until_answered_and_never_missed(client, db, playground,
                                                                                   frozen_clock):
    with db.tenant(PLAYGROUND_ID) as session:
        service.update_settings(session.get(Installation, PLAYGROUND_ID), helpdesk_tags=True)
    promise = fresh_promise(client, db)
    frozen_clock.set(promise.due_at - timedelta(minutes=30))
    with db.tenant(PLAYGROUND_ID) as session:
        service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID))
    assert "vd_followup_due" in tags(db, 4)
    frozen_clock.set(promise.due_at + timedelta(minutes=1))
    with db.tenant(PLAYGROUND_ID) as session:
        service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID))
    assert tags(db, 4) == ["vd_followup_due"]  # still due; a miss is never written to the ticket
    reply(client, 4, "Sorry Tom, this took longer than I said: the cursor parameter is the answer.")
    assert "vd_followup_due" not in tags(db, 4)
    late = commitments(db, 4)[-1]
    assert late.state == "missed" and late.outcome_comment_id is not None  # honest: late, and answered


def tags(db, ticket_id):
    with db.tenant(PLAYGROUND_ID) as session:
        return [t for t in session.get(PlaygroundTicket, ticket_id).tags if t.startswith("vd_followup")]


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
        assert session.get(Commitment, promise.id).reminded_at == promise.due_at - timedelta(minutes=10)
        assert session.scalars(select(OutboxAction)).all() == []  # private: nothing is written to the helpdesk


def test_commitments_are_scoped_to_their_installation(db, playground, make_installation):
    other = make_installation(account="other")
    with db.tenant(other.id) as session:
        assert session.scalars(select(Commitment)).all() == []
        assert service.remind_and_miss(session, session.get(Installation, other.id)) == (0, 0)
