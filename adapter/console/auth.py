"""Console sessions (a signed cookie) and CSRF protection for every console form."""

from __future__ import annotations

import functools
import secrets

from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from adapter.db import request_session
from adapter.models import Installation
from adapter.security import constant_time_equals
from adapter.sidebar.auth import AgentSession

ENTRY_MAX_AGE_SECONDS = 60
_ENTRY_SALT = "valuedesk.console.entry.v1"
_KEY = "console"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_ENTRY_SALT)


def entry_token(agent: AgentSession) -> str:
    """A one-minute token that opens the console for an admin (handed out by the sidebar)."""
    return _serializer().dumps({"installation_id": agent.installation_id, "agent_id": agent.agent_id,
                                "agent_name": agent.agent_name, "role": agent.role})


def enter(token: str) -> bool:
    """Start a console session from an entry token; False when it is forged, expired or not an admin's."""
    try:
        data = _serializer().loads(token, max_age=ENTRY_MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired):
        return False
    if data.get("role") != "admin":
        return False
    begin(AgentSession(host="console", **data))
    return True


def begin(agent: AgentSession) -> None:
    """Store the console session in the signed cookie, with a fresh CSRF token."""
    session.clear()
    session[_KEY] = {"installation_id": agent.installation_id, "agent_id": agent.agent_id,
                     "agent_name": agent.agent_name, "role": agent.role}
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = False


def check_admin_token(token: str) -> bool:
    """True when `token` is the bootstrap VALUEDESK_ADMIN_TOKEN."""
    admin_token = current_app.config["VALUEDESK"].admin_token
    return bool(admin_token) and constant_time_equals(token, admin_token)


def csrf_token() -> str:
    """The session's CSRF token (for hidden form fields)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a form post whose CSRF token does not match the session's."""
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
    if not constant_time_equals(sent or "", session.get("csrf") or "-"):
        abort(400, "This form expired or was not sent from the console; reload the page and try again.")


def console_required(view):
    """Decorator: the page needs a console session for an active installation; posts need the CSRF token."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        data = session.get(_KEY)
        if not data:
            return redirect(url_for("console.login", next=request.path))
        installation = request_session(data["installation_id"]).get(Installation, data["installation_id"])
        if installation is None or not installation.is_active:
            session.clear()
            return redirect(url_for("console.login"))
        if request.method == "POST":
            check_csrf()
        g.installation = installation
        g.agent = AgentSession(host="console", **data)
        return view(*args, **kwargs)

    return wrapper
