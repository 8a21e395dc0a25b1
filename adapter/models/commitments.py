"""Follow-up commitments: what an agent promised on a ticket, when it falls due, and how it ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from adapter import clock
from adapter.db import Base
from adapter.db import BigId
from adapter.db import TenantScoped

COMMITMENT_STATES = ("open", "kept", "missed", "cancelled", "done")


class Commitment(TenantScoped, Base):
    """A promise to follow up, found in a reply or added by hand."""

    __tablename__ = "commitments"
    __table_args__ = (
        UniqueConstraint("installation_id", "source_comment_id"),
        Index("ix_commitments_due", "installation_id", "state", "due_at"),
        Index("ix_commitments_ticket", "installation_id", "ticket_id"),
        Index("ix_commitments_agent", "installation_id", "agent_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str | None] = mapped_column(String(64), default=None)
    agent_name: Mapped[str | None] = mapped_column(String(200), default=None)
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime]
    due_text: Mapped[str | None] = mapped_column(String(120), default=None)
    vague: Mapped[bool] = mapped_column(Boolean, default=False)
    conditional: Mapped[bool] = mapped_column(Boolean, default=False)
    source_comment_id: Mapped[str | None] = mapped_column(String(64), default=None)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome_comment_id: Mapped[str | None] = mapped_column(String(64), default=None)
    snooze_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    snoozes: Mapped[int] = mapped_column(Integer, default=0)
    # The honest update drafted for the agent when the promise was missed (shown to them alone).
    nudge: Mapped[str | None] = mapped_column(Text, default=None)
