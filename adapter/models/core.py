"""Core tables: installations, credentials, webhook receipts, comment marks and ticket snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from adapter import clock
from adapter.db import Base
from adapter.db import BigId
from adapter.db import TenantScoped
from adapter.workitems import STATES
from adapter.workitems import WorkItem

DEFAULT_BUSINESS_HOURS = {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}


class Installation(Base):
    """One helpdesk account (a Zendesk subdomain, a Freshdesk domain, or the playground)."""

    __tablename__ = "installations"
    __table_args__ = (UniqueConstraint("kind", "account"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    business_hours: Mapped[dict[str, Any]] = mapped_column(default=lambda: dict(DEFAULT_BUSINESS_HOURS))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    uninstalled_at: Mapped[datetime | None] = mapped_column(default=None)  # its data is deleted N days later

    @property
    def is_active(self) -> bool:
        """False once an admin has disabled the installation."""
        return self.disabled_at is None


class Credential(TenantScoped, Base):
    """A secret of one installation (API token, signing secret), encrypted at rest."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("installation_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


RECEIPT_STATES = STATES


class WebhookReceipt(TenantScoped, WorkItem, Base):
    """A vendor delivery exactly as it arrived, committed before we acknowledge it."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (
        UniqueConstraint("installation_id", "provider", "delivery_id"),
        Index("ix_webhook_receipts_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    delivery_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)


class CommentMark(TenantScoped, Base):
    """A comment whose CommentAdded handlers have run, so every delivery path handles it exactly once."""

    __tablename__ = "comment_marks"
    __table_args__ = (UniqueConstraint("installation_id", "ticket_id", "comment_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    comment_id: Mapped[str] = mapped_column(String(64))
    handled_at: Mapped[datetime] = mapped_column(default=clock.now)


class TicketSnapshot(TenantScoped, Base):
    """What we last knew of a ticket, to turn "something changed" deliveries into precise events."""

    __tablename__ = "ticket_snapshots"
    __table_args__ = (UniqueConstraint("installation_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(32), default=None)
    assignee_id: Mapped[str | None] = mapped_column(String(64), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
