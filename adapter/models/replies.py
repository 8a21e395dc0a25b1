"""Copy-paste warnings: reply fingerprints with their MinHash band keys, synced macros, and team-level counts."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import SmallInteger
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from adapter import clock
from adapter.db import Base
from adapter.db import BigId
from adapter.db import TenantScoped


class ReplyFingerprint(TenantScoped, Base):
    """One public agent reply as keyed word ids in order; its text is kept only for the retention period."""

    __tablename__ = "reply_fingerprints"
    __table_args__ = (
        UniqueConstraint("installation_id", "comment_id"),
        Index("ix_reply_fingerprints_created", "installation_id", "created_at"),
        # Rows fingerprinted before revision 0010, which the worker re-fingerprints newest first.
        Index("ix_reply_fingerprints_waiting", "installation_id", "id", sqlite_where=sql("version IS NULL"),
              postgresql_where=sql("version IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    comment_id: Mapped[str | None] = mapped_column(String(64), default=None)
    agent_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    words: Mapped[int] = mapped_column(Integer, default=0)
    # version 2: keyed word ids (adapter.replies.fingerprint); None: a MinHash signature from before revision 0010.
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    text: Mapped[str | None] = mapped_column(Text, default=None)


class ReplyKey(Base):
    """One MinHash band key of a fingerprint; replies that share a key are candidates for a near-copy.

    Deliberately narrow (40 rows per reply): no installation column, because the installation is hashed
    into every key, so a lookup only ever meets its own installation's replies (and the rows it leads to
    are read through the tenant-scoped fingerprint table). SQLite stores it WITHOUT ROWID: the primary
    key is the table, so a lookup is one range scan of one b-tree.
    """

    __tablename__ = "reply_keys"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    fingerprint_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)


class MacroText(TenantScoped, Base):
    """A macro or canned response as last synced from the helpdesk."""

    __tablename__ = "macros"
    __table_args__ = (UniqueConstraint("installation_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    synced_at: Mapped[datetime] = mapped_column(default=clock.now)


class ReplyContext(TenantScoped, Base):
    """The customer's latest public message on a ticket, so a check need not call the helpdesk."""

    __tablename__ = "reply_contexts"
    __table_args__ = (UniqueConstraint("installation_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    customer_name: Mapped[str | None] = mapped_column(String(200), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class ReplyCheckWeek(TenantScoped, Base):
    """Team-level weekly counts of pre-send checks. There is deliberately no agent column."""

    __tablename__ = "reply_check_weeks"
    __table_args__ = (UniqueConstraint("installation_id", "week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    week: Mapped[date]
    checks: Mapped[int] = mapped_column(Integer, default=0)
    warned: Mapped[int] = mapped_column(Integer, default=0)
    edited: Mapped[int] = mapped_column(Integer, default=0)
    sent_anyway: Mapped[int] = mapped_column(Integer, default=0)
