"""Durable work items (webhook receipts, outbox actions): claim once, finish, back off, sweep what stalled."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session
from sqlalchemy.orm import mapped_column

from adapter import clock

PROCESSING_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
_ERROR_LIMIT = 500
STATES = ("pending", "processing", "done", "failed", "ignored")


class WorkItem:
    """Mixin: the columns every durable work item carries."""

    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)


def claim(session: Session, model: type, item_id: int, now: datetime | None = None):
    """Mark an item as being worked on by us; None when it is done, failed or held by a live worker."""
    now = now or clock.now()
    result = session.execute(
        update(model)
        .where(
            model.id == item_id,
            or_(model.status == "pending",
                (model.status == "processing") & (model.claimed_at < now - PROCESSING_LEASE)),
        )
        .values(status="processing", claimed_at=now, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return session.get(model, item_id, populate_existing=True)


def finish(item: WorkItem, status: str = "done", note: str | None = None) -> None:
    """Record that the item was handled ("done") or deliberately skipped ("ignored", with why)."""
    item.status = status
    item.processed_at = clock.now()
    item.last_error = note[:_ERROR_LIMIT] if note else None


def postpone(item: WorkItem, error: str, delay_seconds: float) -> bool:
    """Hand the item back for a later attempt; False (and marked failed) once attempts run out."""
    item.last_error = error[:_ERROR_LIMIT]
    if item.attempts >= MAX_ATTEMPTS:
        item.status = "failed"
        item.processed_at = clock.now()
        return False
    item.status = "pending"
    item.claimed_at = None
    item.next_attempt_at = clock.now() + timedelta(seconds=delay_seconds)
    return True


def backoff_seconds(attempts: int) -> float:
    """Delay before the next attempt after `attempts` failures: 30 s doubling to at most 1 h."""
    return float(min(30 * 2 ** max(attempts - 1, 0), 3600))


SWEEP_BATCH = 500


def stalled(session: Session, model: type, *, older_than: timedelta, limit: int = SWEEP_BATCH,
            after: int = 0) -> list[int]:
    """Ids (above `after`) of items that should have been worked on by now but were not (system session)."""
    now = clock.now()
    return list(
        session.scalars(
            select(model.id)
            .where(
                model.id > after,
                or_(
                    (model.status == "pending") & (model.next_attempt_at < now - older_than),
                    (model.status == "processing") & (model.claimed_at < now - PROCESSING_LEASE),
                ),
            )
            .order_by(model.id)
            .limit(limit)
        )
    )


def retry_failed(session: Session, model: type, item_id: int) -> bool:
    """Give a failed item a fresh set of attempts (the admin's "retry" button)."""
    result = session.execute(
        update(model)
        .where(model.id == item_id, model.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=clock.now(), claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
