"""Tables of the built-in playground helpdesk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from adapter import clock
from adapter.db import Base
from adapter.db import BigId
from adapter.db import TenantScoped


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
