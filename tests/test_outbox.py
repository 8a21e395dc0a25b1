"""The outbox: writes are sent only after their transaction commits, retried on vendor errors, swept if stalled."""


import pytest
from huey.exceptions import RetryTask
from sqlalchemy import select

from adapter import jobs
from adapter import outbox
from adapter import queue
from adapter.errors import RateLimited
from adapter.models import OutboxAction
from adapter.models import PlaygroundTicket

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)


@pytest.fixture
def ticket(db, make_installation):
    inst = make_installation(kind="playground", account="outbox")
    with db.tenant(inst.id) as session:
        row = PlaygroundTicket(subject="S", requester_name="R", requester_email="r@x.example", tags=["vip"])
        session.add(row)
        session.flush()
        return inst, str(row.id)


def tags(db, inst, ticket_id):
    with db.tenant(inst.id) as session:
        return session.get(PlaygroundTicket, int(ticket_id)).tags


def test_action_is_sent_after_commit(db, ticket):
    inst, ticket_id = ticket
    with db.tenant(inst.id) as session:
        outbox.add(session, "helpdesk.add_tags", {"ticket_id": ticket_id, "tags": ["vd_bug"]})
        assert tags(db, inst, ticket_id) == ["vip"]  # nothing sent before commit
    assert tags(db, inst, ticket_id) == ["vip", "vd_bug"]
    with db.system() as session:
        assert session.scalars(select(OutboxAction.status)).all() == ["done"]


def test_rolled_back_action_is_never_sent(db, ticket):
    inst, ticket_id = ticket
    with pytest.raises(RuntimeError), db.tenant(inst.id) as session:
        outbox.add(session, "helpdesk.add_tags", {"ticket_id": ticket_id, "tags": ["vd_bug"]})
        raise RuntimeError("domain change failed")
    assert tags(db, inst, ticket_id) == ["vip"]
    with db.system() as session:
        assert session.scalars(select(OutboxAction)).all() == []


def test_dedupe_key_allows_one_pending_action(db, ticket, monkeypatch):
    inst, ticket_id = ticket
    monkeypatch.setattr(queue, "enqueue", lambda *a, **k: None)  # keep them pending
    with db.tenant(inst.id) as session:
        first = outbox.add(session, "helpdesk.add_note", {"ticket_id": ticket_id, "body": "x"}, dedupe_key="note:1")
        second = outbox.add(session, "helpdesk.add_note", {"ticket_id": ticket_id, "body": "y"}, dedupe_key="note:1")
    assert first is not None and second is None


def test_unknown_kind_is_a_programming_error(db, ticket):
    inst, _ = ticket
    with pytest.raises(ValueError), db.tenant(inst.id) as session:
        outbox.add(session, "helpdesk.explode", {})


def test_vendor_outage_retries_later_and_nothing_is_lost(db, ticket, monkeypatch, frozen_clock):
    inst, ticket_id = ticket
    monkeypatch.setattr(queue, "enqueue", lambda *a, **k: None)
    with db.tenant(inst.id) as session:
        action_id = outbox.add(session, "helpdesk.add_tags", {"ticket_id": ticket_id, "tags": ["vd_bug"]}).id

    def limited(context, payload):
        raise RateLimited("helpdesk is rate limiting us", retry_after=12, provider="playground")

    monkeypatch.setitem(outbox.ACTIONS, "helpdesk.add_tags", limited)
    with pytest.raises(RetryTask) as info:
        jobs.run_outbox_action(action_id)
    assert info.value.delay == 12
    monkeypatch.undo()
    monkeypatch.setattr(queue, "enqueue", lambda name, item_id: jobs.run_outbox_action(item_id))
    frozen_clock.advance(minutes=10)
    assert jobs.sweep() == 1
    assert tags(db, inst, ticket_id) == ["vip", "vd_bug"]


def test_a_write_to_a_ticket_that_no_longer_exists_is_dropped_not_retried(db, ticket, monkeypatch):
    inst, _ = ticket
    with db.tenant(inst.id) as session:
        outbox.add(session, "helpdesk.add_note", {"ticket_id": "99999", "body": "Shipped"})
    with db.system() as session:
        action = session.scalars(select(OutboxAction)).one()
        assert (action.status, action.attempts) == ("ignored", 1)
        assert action.last_error == "Ticket 99999 no longer exists in the helpdesk."
