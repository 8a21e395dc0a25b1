"""process_receipt: handlers run once; retryable errors postpone; other errors back off then fail."""

import json

import pytest
from huey.exceptions import RetryTask

from adapter import dispatch
from adapter import jobs
from adapter import receipts
from adapter.errors import RateLimited
from adapter.events import CommentAdded
from adapter.events import TicketStatusChanged
from adapter.installations import disable_installation
from adapter.models import Installation
from adapter.models import WebhookReceipt
from adapter.oauth import ReconnectNeeded


@pytest.fixture
def inst(make_installation):
    return make_installation(account="acme")


def stored(db, inst, payload, delivery="d-1"):
    with db.tenant(inst.id) as session:
        return receipts.store(session.connection(), installation_id=inst.id, provider="playground", delivery_id=delivery,
                              event_type=payload["event"], headers={}, body=json.dumps(payload).encode()).receipt_id


def status_of(db, receipt_id):
    with db.system() as session:
        receipt = session.get(WebhookReceipt, receipt_id)
        return receipt.status, receipt.attempts, receipt.last_error


COMMENT = {"event": "comment.created", "ticket_id": 7, "comment_id": 70, "author_role": "agent", "public": True}


def test_handlers_see_the_event_in_a_tenant_session(db, inst, monkeypatch):
    seen = []
    monkeypatch.setitem(dispatch.HANDLERS, CommentAdded,
                        (lambda event, ctx: seen.append((event.comment_id, ctx.installation.id,
                                                         ctx.session.info["valuedesk.installation_id"])),))
    receipt_id = stored(db, inst, COMMENT)
    jobs.process_receipt(receipt_id)
    jobs.process_receipt(receipt_id)  # a second run (duplicate enqueue) does nothing
    assert seen == [("70", inst.id, inst.id)]
    assert status_of(db, receipt_id) == ("done", 1, None)


def test_rate_limit_postpones_by_retry_after(db, inst, monkeypatch):
    def limited(event, ctx):
        raise RateLimited("zendesk is rate limiting us", retry_after=42, provider="zendesk")

    monkeypatch.setitem(dispatch.HANDLERS, CommentAdded, (limited,))
    receipt_id = stored(db, inst, COMMENT)
    with pytest.raises(RetryTask) as info:
        jobs.process_receipt(receipt_id)
    assert info.value.delay == 42
    status, attempts, error = status_of(db, receipt_id)
    assert (status, attempts) == ("pending", 1)
    assert "rate limiting" in error


def test_handler_failure_rolls_back_its_writes_and_backs_off(db, inst, monkeypatch):
    def half_done(event, ctx):
        ctx.session.add(Installation(id="should-not-exist", kind="playground", account="x", name="x"))
        ctx.session.flush()
        raise ValueError("bug")

    monkeypatch.setitem(dispatch.HANDLERS, CommentAdded, (half_done,))
    receipt_id = stored(db, inst, COMMENT)
    with pytest.raises(RetryTask) as info:
        jobs.process_receipt(receipt_id)
    assert info.value.delay == 30
    assert status_of(db, receipt_id)[0] == "pending"
    assert status_of(db, receipt_id)[2] == "ValueError: internal error (see logs)"
    with db.system() as session:
        assert session.get(Installation, "should-not-exist") is None


def test_exhausted_attempts_mark_the_receipt_failed(db, inst, monkeypatch):
    def broken(event, ctx):
        raise ValueError("bug")

    monkeypatch.setitem(dispatch.HANDLERS, CommentAdded, (broken,))
    receipt_id = stored(db, inst, COMMENT)
    with db.system() as session:
        session.get(WebhookReceipt, receipt_id).attempts = receipts.MAX_ATTEMPTS - 1
    jobs.process_receipt(receipt_id)  # no RetryTask: given up
    assert status_of(db, receipt_id)[:2] == ("failed", receipts.MAX_ATTEMPTS)


def test_a_grant_the_vendor_no_longer_accepts_fails_at_once_for_the_admin(db, inst, monkeypatch):
    def refused(event, ctx):
        raise ReconnectNeeded("Jira no longer accepts Valuedesk's authorization; an admin needs to connect it again "
                              "in the console.", provider="jira")

    monkeypatch.setitem(dispatch.HANDLERS, CommentAdded, (refused,))
    receipt_id = stored(db, inst, COMMENT)
    jobs.process_receipt(receipt_id)  # no RetryTask: retrying changes nothing until someone reconnects
    status, attempts, error = status_of(db, receipt_id)
    assert (status, attempts) == ("failed", 1) and "connect it again" in error


def test_unsupported_payload_is_ignored_with_a_note(db, inst):
    receipt_id = stored(db, inst, {"event": "ticket.status_changed", "ticket_id": 7})  # no status
    jobs.process_receipt(receipt_id)
    status, _, note = status_of(db, receipt_id)
    assert status == "ignored"
    assert "missing a required field" in note


def test_events_of_a_disabled_installation_are_ignored(db, inst, monkeypatch):
    seen = []
    monkeypatch.setitem(dispatch.HANDLERS, TicketStatusChanged, (lambda e, c: seen.append(e),))
    receipt_id = stored(db, inst, {"event": "ticket.status_changed", "ticket_id": 7, "status": "solved"})
    with db.system() as session:
        disable_installation(session, session.get(Installation, inst.id))
    jobs.process_receipt(receipt_id)
    assert status_of(db, receipt_id)[0] == "ignored"
    assert seen == []


def test_macro_sync_runs_for_every_installation_even_if_one_fails(db, make_installation):
    from sqlalchemy import func
    from sqlalchemy import select

    from adapter.models import MacroText

    first, second = make_installation().id, make_installation().id
    make_installation(kind="zendesk", account="not-connected", secrets={})  # no credentials: AuthError, logged
    assert jobs.sync_macros() == 2
    for installation_id in (first, second):
        with db.tenant(installation_id) as session:
            assert session.scalar(select(func.count()).select_from(MacroText)) == 3


def test_reply_purge_runs_for_every_installation(db, make_installation):
    from datetime import timedelta

    from sqlalchemy import select

    from adapter import clock
    from adapter.models import ReplyFingerprint
    from adapter.replies import service

    installation_id = make_installation().id
    with db.tenant(installation_id) as session:
        service.record_reply(session, ticket_id="1", comment_id="old", agent_id="a", created_at=clock.now() - timedelta(days=91),
                             text="An old answer about exports that nobody needs to keep around any longer.")
    assert jobs.purge_replies() >= 1
    with db.tenant(installation_id) as session:
        assert session.scalars(select(ReplyFingerprint)).all() == []
