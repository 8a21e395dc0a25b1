"""Tracker sync tables: a theme's issue in Jira or Linear, the tickets linked to it, and the playground's sandbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
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

LINK_STATES = ("creating", "linked")


class TrackerLink(TenantScoped, Base):
    """The tracker issue of one theme (at most one per theme); several themes may share an issue."""

    __tablename__ = "tracker_links"
    __table_args__ = (
        UniqueConstraint("installation_id", "theme_id"),
        Index("ix_tracker_links_issue", "installation_id", "tracker", "issue_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("signal_themes.id", ondelete="CASCADE"))
    tracker: Mapped[str] = mapped_column(String(16))
    # "creating" until the tracker confirms the issue; "linked" from then on.
    state: Mapped[str] = mapped_column(String(16), default="creating")
    issue_key: Mapped[str | None] = mapped_column(String(64), default=None)
    issue_id: Mapped[str | None] = mapped_column(String(64), default=None)
    issue_url: Mapped[str | None] = mapped_column(String(500), default=None)
    title: Mapped[str] = mapped_column(String(250), default="")
    status: Mapped[str] = mapped_column(String(80), default="")
    category: Mapped[str] = mapped_column(String(16), default="unstarted")
    # Tickets the issue last told its readers about (description or count comment).
    reported_tickets: Mapped[int] = mapped_column(Integer, default=0)
    last_commented_at: Mapped[datetime | None] = mapped_column(default=None)
    # How many times the issue reached done or cancelled: each time closes the loop once.
    closed_rounds: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class TrackerTicket(TenantScoped, Base):
    """A ticket linked to a theme's issue; `linked_at` is set once the tracker holds the link."""

    __tablename__ = "tracker_tickets"
    __table_args__ = (UniqueConstraint("installation_id", "link_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("tracker_links.id", ondelete="CASCADE"))
    ticket_id: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SandboxIssue(TenantScoped, Base):
    """An issue in the playground's sandbox tracker (stands in for Jira or Linear in `make run`)."""

    __tablename__ = "sandbox_tracker_issues"
    __table_args__ = (UniqueConstraint("installation_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(250))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str | None] = mapped_column(String(40), default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    state: Mapped[str] = mapped_column(String(16), default="unstarted")
    comments: Mapped[list[Any]] = mapped_column(default=list)
    links: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
