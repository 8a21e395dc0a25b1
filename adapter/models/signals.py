"""Signal tables: the taxonomy, suggestions, confirmed signals, themes, the learned model and backfills."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from adapter import clock
from adapter.db import Base
from adapter.db import BigId
from adapter.db import TenantScoped


class SignalType(TenantScoped, Base):
    """One kind of signal an installation tracks, with its helpdesk tag, colour and rules."""

    __tablename__ = "signal_types"
    __table_args__ = (UniqueConstraint("installation_id", "key"), UniqueConstraint("installation_id", "tag"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(60))
    tag: Mapped[str] = mapped_column(String(80))
    color: Mapped[str] = mapped_column(String(7))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Built-in phrases for this key apply unless the admin turns them off.
    use_default_rules: Mapped[bool] = mapped_column(Boolean, default=True)
    phrases: Mapped[list[Any]] = mapped_column(default=list)
    patterns: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Suggestion(TenantScoped, Base):
    """A signal type the analysis suggested for one customer message, waiting for an agent's decision."""

    __tablename__ = "signal_suggestions"
    __table_args__ = (
        UniqueConstraint("installation_id", "ticket_id", "comment_id", "type_key"),
        Index("ix_signal_suggestions_ticket", "installation_id", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    comment_id: Mapped[str] = mapped_column(String(64))
    type_key: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)
    quote: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="suggested")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class Theme(TenantScoped, Base):
    """Signals about the same problem ("Export to CSV times out")."""

    __tablename__ = "signal_themes"
    __table_args__ = (Index("ix_signal_themes_installation", "installation_id", "merged_into_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("signal_themes.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class Signal(TenantScoped, Base):
    """A confirmed signal: the customer's words, who said them, and the theme they belong to."""

    __tablename__ = "signals"
    __table_args__ = (
        Index("ix_signals_created", "installation_id", "created_at"),
        Index("ix_signals_ticket", "installation_id", "ticket_id"),
        Index("ix_signals_theme", "installation_id", "theme_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    comment_id: Mapped[str | None] = mapped_column(String(64), default=None)
    type_key: Mapped[str] = mapped_column(String(40))
    quote: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(String(320), default=None)
    customer_name: Mapped[str | None] = mapped_column(String(200), default=None)
    organization: Mapped[str | None] = mapped_column(String(200), default=None)
    agent_id: Mapped[str | None] = mapped_column(String(64), default=None)
    agent_name: Mapped[str | None] = mapped_column(String(200), default=None)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("signal_themes.id", ondelete="SET NULL"), default=None)
    suggestion_id: Mapped[int | None] = mapped_column(
        ForeignKey("signal_suggestions.id", ondelete="SET NULL"), default=None
    )
    source: Mapped[str] = mapped_column(String(16), default="agent")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SignalModel(TenantScoped, Base):
    """The installation's learned model (one row, replaced on retraining)."""

    __tablename__ = "signal_models"
    __table_args__ = (UniqueConstraint("installation_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    examples: Mapped[int] = mapped_column(Integer)
    positives: Mapped[dict[str, Any]] = mapped_column(default=dict)
    trained_at: Mapped[datetime] = mapped_column(default=clock.now)


class BackfillRun(TenantScoped, Base):
    """Progress of a backfill over the helpdesk's history, so it can resume where it stopped."""

    __tablename__ = "backfill_runs"
    __table_args__ = (Index("ix_backfill_runs_installation", "installation_id", "kind", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    since: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="running")
    processed: Mapped[int] = mapped_column(Integer, default=0)
    suggestions: Mapped[int] = mapped_column(Integer, default=0)
    last_ticket_id: Mapped[str | None] = mapped_column(String(64), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class TaggedTicket(TenantScoped, Base):
    """A ticket of the helpdesk's history as the backfill read it: its tags and its customer's words (for bootstrapping)."""

    __tablename__ = "signal_tagged_tickets"
    __table_args__ = (UniqueConstraint("installation_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime] = mapped_column(default=clock.now)
