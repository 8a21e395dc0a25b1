"""Every API request: its bearer session, the installation it is bound to, and a role no older than 15 minutes."""

from __future__ import annotations

import functools

from flask import current_app
from flask import g
from flask import request

from adapter.db import request_session
from adapter.errors import ApiError
from adapter.limits import note_failure
from adapter.limits import refuse_while_backing_off
from adapter.models import Installation
from adapter.security import constant_time_equals
from adapter.sidebar.auth.roles import fresh_role
from adapter.sidebar.auth.sessions import AgentSession
from adapter.sidebar.auth.sessions import read_token


def current_agent() -> AgentSession:
    """The agent of this request (set by `agent_required`)."""
    return g.agent


def _bootstrap_admin(token: str) -> AgentSession | None:
    """The self-hosting admin, when the bearer is VALUEDESK_ADMIN_TOKEN (installation named in a header)."""
    admin_token = current_app.config["VALUEDESK"].admin_token
    if not admin_token or not constant_time_equals(token, admin_token):
        return None
    installation_id = request.headers.get("X-Valuedesk-Installation", "").strip()
    if not installation_id:
        raise ApiError(400, "missing_installation", "Name the installation in the X-Valuedesk-Installation header.")
    return AgentSession(installation_id, "bootstrap-admin", "Administrator", role="admin", host="admin")


def authenticate() -> AgentSession:
    """Read the bearer token, check the installation is active, re-check a stale role, and bind the request.

    A token we did not sign is a guess at the admin token: it is counted against the caller's address, and while the
    address must wait it is refused unchecked (429).
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing_session", "Sign in through the helpdesk sidebar; no session token was sent.")
    try:
        agent = read_token(token.strip())
    except ApiError as exc:
        if exc.code != "invalid_session":
            raise  # a real session that ran out, not a guess
        refuse_while_backing_off()
        agent = _bootstrap_admin(token.strip())
        if agent is None:
            note_failure()
            raise
    installation = request_session(agent.installation_id).get(Installation, agent.installation_id)
    if installation is None or not installation.is_active:
        raise ApiError(401, "installation_disabled", "This Valuedesk installation is disabled.")
    g.installation = installation
    g.agent = fresh_role(agent, installation)
    return g.agent


def agent_required(view):
    """Decorator: the view runs only for a valid agent session, scoped to its installation."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        authenticate()
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """Decorator: the view runs only for an admin of the session's installation whom the helpdesk vouched for."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        agent = authenticate()
        if not agent.is_admin:
            if agent.role == "admin":
                raise ApiError(403, "unverified", "Admin settings need an identity the helpdesk vouches for: verify "
                               "yourself in the Valuedesk sidebar first.")
            raise ApiError(403, "admins_only", "Only admins of this helpdesk can do that.")
        return view(*args, **kwargs)

    return wrapper


def agent_db():
    """The tenant session of the current agent's installation."""
    return request_session(current_agent().installation_id)
