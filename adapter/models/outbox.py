"""The outbox: writes to helpdesks and trackers, stored with the change that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from adapter import clock
from adapter.db import Base
from adapter.db import BigId
from adapter.db import TenantScoped
from adapter.workitems import WorkItem


class OutboxAction(TenantScoped, WorkItem, Base):
    """One outbound write (add a tag, post a note, comment on an issue), retried until it lands."""

    __tablename__ = "outbox_actions"
    __table_args__ = (
        UniqueConstraint("installation_id", "dedupe_key"),
        Index("ix_outbox_actions_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set when at most one pending action of a kind may exist (e.g. one tracker comment per hour).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
