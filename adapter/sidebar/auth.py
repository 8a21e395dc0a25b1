"""Agent sessions for the sidebar: issued after the helpdesk's signed context checks out, then sent as a bearer token."""

from __future__ import annotations

import functools
from dataclasses import asdict
from dataclasses import dataclass

from flask import current_app
from flask import g
from flask import request
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from adapter.db import request_session
from adapter.errors import ApiError
from adapter.models import Installation

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

    @property
    def is_lead(self) -> bool:
        """Leads and admins may approve actions above an agent's limit."""
        return self.role in ("lead", "admin")

    @property
    def is_admin(self) -> bool:
        """Admins may open the console and change settings."""
        return self.role == "admin"


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


def current_agent() -> AgentSession:
    """The agent of this request (set by `agent_required`)."""
    return g.agent


def authenticate() -> AgentSession:
    """Read the bearer token, check the installation is active, and bind the request to it."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing_session", "Sign in through the helpdesk sidebar; no session token was sent.")
    agent = read_token(token.strip())
    installation = request_session(agent.installation_id).get(Installation, agent.installation_id)
    if installation is None or not installation.is_active:
        raise ApiError(401, "installation_disabled", "This Valuedesk installation is disabled.")
    g.agent = agent
    g.installation = installation
    return agent


def agent_required(view):
    """Decorator: the view runs only for a valid agent session, scoped to its installation."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        authenticate()
        return view(*args, **kwargs)

    return wrapper
