"""Webhook receipts: store before acknowledging, dedupe on delivery id; the lifecycle is a work item's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from adapter import clock
from adapter import workitems
from adapter.db import insert_unless_exists_statement
from adapter.models import WebhookReceipt

DELIVERY_KEY = ("installation_id", "provider", "delivery_id")


@dataclass(frozen=True)
class Stored:
    """Outcome of storing a delivery: its receipt id, and whether it was new."""

    receipt_id: int | None
    created: bool


def store(
    connection: Connection,
    *,
    installation_id: str,
    provider: str,
    delivery_id: str,
    event_type: str,
    headers: dict[str, str],
    body: bytes,
) -> Stored:
    """Insert the receipt unless this delivery id was already stored for the installation and provider.

    `connection` is `Database.single_statements()` for a delivery on its own, or a session's connection when the
    receipt belongs to a larger transaction (the playground stores its comment and delivery together).
    """
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
    statement = insert_unless_exists_statement(connection.dialect.name, WebhookReceipt.__table__, DELIVERY_KEY)
    receipt_id = connection.execute(statement, values).scalar()
    return Stored(receipt_id=receipt_id, created=receipt_id is not None)


def claim(session: Session, receipt_id: int, now: datetime | None = None) -> WebhookReceipt | None:
    """Mark a receipt as being processed by us; None when it is done, failed or held by a live worker."""
    return workitems.claim(session, WebhookReceipt, receipt_id, now)


def stalled(session: Session, *, older_than: timedelta, limit: int = 500) -> list[int]:
    """Ids of receipts that should have been processed by now but were not (system session)."""
    return workitems.stalled(session, WebhookReceipt, older_than=older_than, limit=limit)


def retry_failed(session: Session, receipt_id: int) -> bool:
    """Give a failed receipt a fresh set of attempts."""
    return workitems.retry_failed(session, WebhookReceipt, receipt_id)


finish = workitems.finish
postpone = workitems.postpone
backoff_seconds = workitems.backoff_seconds
PROCESSING_LEASE = workitems.PROCESSING_LEASE
MAX_ATTEMPTS = workitems.MAX_ATTEMPTS


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
