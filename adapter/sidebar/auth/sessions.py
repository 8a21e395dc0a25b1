"""Sidebar session tokens: who the agent is, for which installation, and when the helpdesk last vouched for the role."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from adapter.errors import ApiError

SESSION_MAX_AGE_SECONDS = 2 * 60 * 60
_SALT = "valuedesk.sidebar.session.v1"
ROLES = ("agent", "lead", "admin")


@dataclass(frozen=True)
class AgentSession:
    """Who is using the sidebar, for which installation, through which host."""

    installation_id: str
    agent_id: str
    agent_name: str
    role: str = "agent"
    host: str = "playground"
    # False while the helpdesk has not vouched for who the agent is (a Freshdesk agent who has not verified yet):
    # such a session may request money actions, never approve them or administer anything.
    verified: bool = True
    # When the helpdesk last confirmed the role (the service's wall clock, epoch seconds); rechecked every 15 minutes.
    checked_at: float = 0.0
    # Freshdesk: the credential this browser verified with, so revoking it ends the verified sessions it opened.
    credential_id: int | None = None

    @property
    def is_lead(self) -> bool:
        """Leads and admins the helpdesk vouched for may approve actions above an agent's limit."""
        return self.verified and self.role in ("lead", "admin")

    @property
    def is_admin(self) -> bool:
        """Admins the helpdesk vouched for may open the console and change settings."""
        return self.verified and self.role == "admin"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_token(agent: AgentSession) -> str:
    """A signed, expiring token carrying the agent session."""
    return _serializer().dumps(asdict(agent))


def read_token(token: str) -> AgentSession:
    """Verify and decode a session token.

    :raise ApiError: 401 when it is forged, malformed or expired.
    """
    try:
        data = _serializer().loads(token, max_age=SESSION_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise ApiError(401, "session_expired", "Your Valuedesk session expired; reopen the ticket to continue.") from None
    except BadSignature:
        raise ApiError(401, "invalid_session", "This request does not carry a valid Valuedesk session.") from None
    try:
        return AgentSession(**data)
    except TypeError:
        raise ApiError(401, "invalid_session", "This request does not carry a valid Valuedesk session.") from None


def signed_session_key(header: str) -> str | None:
    """A rate-limit key for a bearer token we signed (expired or not), or None for anything else."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        _serializer().loads(token.strip())
    except BadSignature:
        return None
    return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
