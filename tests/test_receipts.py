"""Receipt store: dedupe, claim once, postpone with backoff, sweep, purge."""

from datetime import timedelta

import pytest

from adapter import clock
from adapter import receipts
from adapter.models import WebhookReceipt

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)


@pytest.fixture
def inst(make_installation):
    return make_installation(account="acme")


def store(session, inst, delivery="d-1"):
    return receipts.store(session.connection(), installation_id=inst.id, provider="playground", delivery_id=delivery,
                          event_type="comment.created", headers={"Content-Type": "application/json"}, body=b"{}")


def test_store_dedupes_on_delivery_id(db, inst):
    with db.tenant(inst.id) as session:
        first = store(session, inst)
        second = store(session, inst)
    assert first.created and first.receipt_id
    assert not second.created and second.receipt_id is None


def test_claim_is_exclusive_until_the_lease_expires(db, inst, monkeypatch):
    with db.tenant(inst.id) as session:
        receipt_id = store(session, inst).receipt_id
    with db.system() as session:
        assert receipts.claim(session, receipt_id).attempts == 1
    with db.system() as session:
        assert receipts.claim(session, receipt_id) is None
    later = clock.now() + receipts.PROCESSING_LEASE + timedelta(seconds=1)
    with db.system() as session:
        again = receipts.claim(session, receipt_id, now=later)
        assert again is not None and again.attempts == 2


def test_done_receipts_are_never_claimed_again(db, inst):
    with db.tenant(inst.id) as session:
        receipt_id = store(session, inst).receipt_id
    with db.system() as session:
        receipts.finish(receipts.claim(session, receipt_id))
    with db.system() as session:
        assert receipts.claim(session, receipt_id) is None


def test_postpone_backs_off_then_fails(db, inst):
    with db.tenant(inst.id) as session:
        receipt_id = store(session, inst).receipt_id
    for attempt in range(1, receipts.MAX_ATTEMPTS + 1):
        with db.system() as session:
            receipt = session.get(WebhookReceipt, receipt_id)
            receipt.status, receipt.attempts = "processing", attempt
            keep_going = receipts.postpone(receipt, "Unavailable: zendesk is down", receipts.backoff_seconds(attempt))
        assert keep_going is (attempt < receipts.MAX_ATTEMPTS)
    with db.system() as session:
        receipt = session.get(WebhookReceipt, receipt_id)
        assert receipt.status == "failed"
        assert receipt.last_error == "Unavailable: zendesk is down"
        assert receipts.retry_failed(session, receipt_id)
    with db.system() as session:
        assert session.get(WebhookReceipt, receipt_id).status == "pending"


def test_backoff_grows_and_is_capped():
    assert [receipts.backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert receipts.backoff_seconds(20) == 3600


def test_stalled_finds_old_pending_and_expired_processing(db, inst, monkeypatch):
    with db.tenant(inst.id) as session:
        fresh = store(session, inst, "fresh").receipt_id
        old = store(session, inst, "old").receipt_id
        stuck = store(session, inst, "stuck").receipt_id
        scheduled = store(session, inst, "scheduled").receipt_id
        long_ago = clock.now() - timedelta(minutes=30)
        session.get(WebhookReceipt, old).next_attempt_at = long_ago
        row = session.get(WebhookReceipt, stuck)
        row.status, row.claimed_at = "processing", long_ago
        session.get(WebhookReceipt, scheduled).next_attempt_at = clock.now() + timedelta(minutes=30)
    with db.system() as session:
        found = receipts.stalled(session, older_than=timedelta(minutes=5))
    assert found == [old, stuck]
    assert fresh not in found and scheduled not in found


def test_purge_removes_only_old_handled_receipts(db, inst):
    with db.tenant(inst.id) as session:
        old_done = store(session, inst, "a").receipt_id
        new_done = store(session, inst, "b").receipt_id
        pending = store(session, inst, "c").receipt_id
        for receipt_id, age in ((old_done, 40), (new_done, 1)):
            row = session.get(WebhookReceipt, receipt_id)
            row.status, row.processed_at = "done", clock.now() - timedelta(days=age)
    with db.system() as session:
        assert receipts.purge(session, older_than=timedelta(days=30)) == 1
        assert session.get(WebhookReceipt, new_done) and session.get(WebhookReceipt, pending)
