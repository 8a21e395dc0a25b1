"""Who may act: agents' verified helpdesk identities and console sessions, kept server-side so they can be revoked."""

from __future__ import annotations

from datetime import datetime

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


class AgentCredential(TenantScoped, Base):
    """Valuedesk's own credential for one agent in one browser, issued after the helpdesk vouched for the agent.

    Only a SHA-256 of the secret is stored; the browser holds the secret itself.
    """

    __tablename__ = "agent_credentials"
    __table_args__ = (Index("ix_agent_credentials_agent", "installation_id", "agent_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_used_at: Mapped[datetime] = mapped_column(default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class ConsoleSession(TenantScoped, Base):
    """One signed-in admin console; the cookie carries its secret, logout ends it here for every copy of the cookie."""

    __tablename__ = "console_sessions"
    # The entry link a session was opened with is unique, so a link works once.
    __table_args__ = (UniqueConstraint("installation_id", "secret_hash"), UniqueConstraint("installation_id", "entry_nonce"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    entry_nonce: Mapped[str | None] = mapped_column(String(64), default=None)
    agent_id: Mapped[str] = mapped_column(String(64))
    agent_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class OAuthState(TenantScoped, Base):
    """One authorization an admin started with a vendor: single use, ten minutes, bound to that admin's console."""

    __tablename__ = "oauth_states"
    __table_args__ = (Index("ix_oauth_states_installation", "installation_id", "vendor"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    vendor: Mapped[str] = mapped_column(String(32))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the `state` sent to the vendor
    verifier: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)  # PKCE code verifier, sealed
    account: Mapped[str] = mapped_column(String(255), default="")
    agent_id: Mapped[str] = mapped_column(String(64))  # the admin who started it; only their console may finish it
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
