"""Tables. Every tenant table carries installation_id and is reached only through scoped sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from adapter import clock
from adapter.db import Base
from adapter.db import BigId
from adapter.db import TenantScoped

HELPDESK_KINDS = ("zendesk", "freshdesk", "playground")
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


RECEIPT_STATES = ("pending", "processing", "done", "failed", "ignored")


class WebhookReceipt(TenantScoped, Base):
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
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)


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


class PlaygroundTicket(TenantScoped, Base):
    """A ticket of the built-in playground helpdesk, so every feature can be tried without credentials."""

    __tablename__ = "playground_tickets"
    __table_args__ = (Index("ix_playground_tickets_installation", "installation_id", "updated_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_email: Mapped[str] = mapped_column(String(320))
    organization: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee: Mapped[str | None] = mapped_column(String(200), default=None)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    comments: Mapped[list[PlaygroundComment]] = relationship(
        back_populates="ticket", order_by="PlaygroundComment.id", cascade="all, delete-orphan"
    )


class PlaygroundComment(TenantScoped, Base):
    """A message on a playground ticket: a customer's, an agent's public reply, or a private note."""

    __tablename__ = "playground_comments"
    __table_args__ = (Index("ix_playground_comments_ticket", "installation_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("playground_tickets.id", ondelete="CASCADE"))
    author_role: Mapped[str] = mapped_column(String(16))
    author_name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    ticket: Mapped[PlaygroundTicket] = relationship(back_populates="comments")
