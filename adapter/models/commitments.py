"""Follow-up commitments: what an agent promised on a ticket, when it falls due, and how it ended; and the
agent's private notices."""

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

# kept: the promised update went out; done: the agent says so; missed: the due time passed first; closed: the ticket
# was solved with the promise open (not counted either way); cancelled: the ticket was deleted, spam or merged.
COMMITMENT_STATES = ("open", "kept", "done", "missed", "closed", "cancelled")


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
    # A follow-up Valuedesk suggests (tell linked customers an issue shipped), not a promise the agent made:
    # shown with its draft, never reminded as a promise, never missed, never counted.
    task: Mapped[bool] = mapped_column(Boolean, default=False)
    # How often a later reply pushed the due time out (an honest update, not a miss).
    updates: Mapped[int] = mapped_column(Integer, default=0)
    # The honest update drafted for the agent when the promise was missed (shown to them alone).
    nudge: Mapped[str | None] = mapped_column(Text, default=None)


class AgentNotice(TenantScoped, Base):
    """Something Valuedesk tells one agent privately in their sidebar (a thank-you when their report shipped)."""

    __tablename__ = "agent_notices"
    __table_args__ = (
        UniqueConstraint("installation_id", "dedupe_key"),
        Index("ix_agent_notices_agent", "installation_id", "agent_id", "dismissed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    dismissed_at: Mapped[datetime | None] = mapped_column(default=None)
