"""Webhook receipts: store before acknowledging, dedupe on delivery id, claim once, sweep what stalled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from adapter import clock
from adapter.db import insert_unless_exists
from adapter.models import WebhookReceipt

PROCESSING_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
_ERROR_LIMIT = 500


@dataclass(frozen=True)
class Stored:
    """Outcome of storing a delivery: its receipt id, and whether it was new."""

    receipt_id: int | None
    created: bool


def store(
    session: Session,
    *,
    installation_id: str,
    provider: str,
    delivery_id: str,
    event_type: str,
    headers: dict[str, str],
    body: bytes,
) -> Stored:
    """Insert the receipt unless this delivery id was already stored for the installation and provider."""
    now = clock.now()
    values = dict(
        installation_id=installation_id,
        provider=provider,
        delivery_id=delivery_id[:255],
        event_type=event_type[:100],
        headers=headers,
        body=body,
        status="pending",
        attempts=0,
        received_at=now,
        next_attempt_at=now,
    )
    receipt_id = insert_unless_exists(session, WebhookReceipt, values, ["installation_id", "provider", "delivery_id"])
    return Stored(receipt_id=receipt_id, created=receipt_id is not None)


def claim(session: Session, receipt_id: int, now: datetime | None = None) -> WebhookReceipt | None:
    """Mark a receipt as being processed by us; None when it is done, failed or held by a live worker."""
    now = now or clock.now()
    result = session.execute(
        update(WebhookReceipt)
        .where(
            WebhookReceipt.id == receipt_id,
            or_(
                WebhookReceipt.status == "pending",
                (WebhookReceipt.status == "processing") & (WebhookReceipt.claimed_at < now - PROCESSING_LEASE),
            ),
        )
        .values(status="processing", claimed_at=now, attempts=WebhookReceipt.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return session.get(WebhookReceipt, receipt_id, populate_existing=True)


def finish(receipt: WebhookReceipt, status: str = "done", note: str | None = None) -> None:
    """Record that the receipt was handled ("done") or deliberately skipped ("ignored", with why)."""
    receipt.status = status
    receipt.processed_at = clock.now()
    receipt.last_error = note[:_ERROR_LIMIT] if note else None


def postpone(receipt: WebhookReceipt, error: str, delay_seconds: float) -> bool:
    """Hand the receipt back for a later attempt; False (and marked failed) once attempts run out."""
    receipt.last_error = error[:_ERROR_LIMIT]
    if receipt.attempts >= MAX_ATTEMPTS:
        receipt.status = "failed"
        receipt.processed_at = clock.now()
        return False
    receipt.status = "pending"
    receipt.claimed_at = None
    receipt.next_attempt_at = clock.now() + timedelta(seconds=delay_seconds)
    return True


def backoff_seconds(attempts: int) -> float:
    """Delay before the next attempt after `attempts` failures: 30 s doubling to at most 1 h."""
    return float(min(30 * 2 ** max(attempts - 1, 0), 3600))


def stalled(session: Session, *, older_than: timedelta, limit: int = 500) -> list[int]:
    """Ids of receipts that should have been processed by now but were not (system session)."""
    now = clock.now()
    return list(
        session.scalars(
            select(WebhookReceipt.id)
            .where(
                or_(
                    (WebhookReceipt.status == "pending") & (WebhookReceipt.next_attempt_at < now - older_than),
                    (WebhookReceipt.status == "processing") & (WebhookReceipt.claimed_at < now - PROCESSING_LEASE),
                )
            )
            .order_by(WebhookReceipt.id)
            .limit(limit)
        )
    )


def retry_failed(session: Session, receipt_id: int) -> bool:
    """Give a failed receipt a fresh set of attempts (admin's "retry" button)."""
    result = session.execute(
        update(WebhookReceipt)
        .where(WebhookReceipt.id == receipt_id, WebhookReceipt.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=clock.now(), claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def purge(session: Session, *, older_than: timedelta) -> int:
    """Delete receipts handled longer ago than `older_than`; returns how many went."""
    result = session.execute(
        delete(WebhookReceipt)
        .where(
            WebhookReceipt.status.in_(("done", "ignored")),
            WebhookReceipt.processed_at < clock.now() - older_than,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
