"""Console sessions (a row per sign-in, its secret in the signed cookie), one-use entry links, and CSRF protection."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

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
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from adapter import clock
from adapter.db import get_db
from adapter.db import request_session
from adapter.models import ConsoleSession
from adapter.models import Installation
from adapter.providers import zendesk
from adapter.providers.zendesk import SETUP_ROLE
from adapter.security import constant_time_equals
from adapter.sidebar.auth import AgentSession

ENTRY_MAX_AGE_SECONDS = 60
SESSION_LIFETIME = timedelta(hours=12)
_ENTRY_SALT = "valuedesk.console.entry.v2"
_KEY = "console"
# A Zendesk account not connected yet opens the console from its sidebar for this step alone: whoever connects must
# approve at Zendesk as an admin, and only then do roles come from Zendesk.
SETUP_ENDPOINTS = ("console.connect_start", "console.connect_callback")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_ENTRY_SALT)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def entry_token(agent: AgentSession) -> str:
    """A one-minute, one-use token that opens the console for an admin (handed out by the sidebar)."""
    return _serializer().dumps({"installation_id": agent.installation_id, "agent_id": agent.agent_id,
                                "agent_name": agent.agent_name, "role": agent.role,
                                "nonce": secrets.token_urlsafe(16)})


@dataclass(frozen=True)
class Entry:
    """What a valid entry link offers: this admin, in this installation."""

    agent: AgentSession
    nonce: str
    installation_name: str


def read_entry(token: str) -> Entry | None:
    """The entry a token offers, or None when it is forged, expired, not an admin's or for a disabled installation."""
    try:
        data = _serializer().loads(token, max_age=ENTRY_MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired):
        return None
    if data.get("role") not in ("admin", SETUP_ROLE) or not data.get("nonce"):
        return None
    with get_db().system() as lookup:
        installation = lookup.get(Installation, data["installation_id"])
        if installation is None or not installation.is_active:
            return None
        name = installation.name
    agent = AgentSession(data["installation_id"], data["agent_id"], data["agent_name"], role=data["role"],
                         host="console")
    return Entry(agent, data["nonce"], name)


def enter(entry: Entry) -> bool:
    """Start the console session an entry offers; False when its link was used already."""
    try:
        begin(entry.agent, entry_nonce=entry.nonce)
    except IntegrityError:
        return False
    return True


def begin(agent: AgentSession, *, entry_nonce: str | None = None) -> None:
    """End this browser's console session, if any, and start a new one: a row here, its secret in the cookie.

    :raise IntegrityError: when `entry_nonce` was used for a session before.
    """
    secret = secrets.token_urlsafe(32)
    with get_db().tenant(agent.installation_id) as writer:
        writer.add(ConsoleSession(secret_hash=_hash(secret), entry_nonce=entry_nonce, agent_id=agent.agent_id,
                                  agent_name=agent.agent_name, role=agent.role))
    sign_out()
    session[_KEY] = {"installation_id": agent.installation_id, "secret": secret}
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = False


def sign_out() -> None:
    """End this browser's console session on the server (every copy of its cookie stops working) and clear the cookie."""
    data = session.get(_KEY) or {}
    if data.get("installation_id") and data.get("secret"):
        with get_db().tenant(data["installation_id"]) as writer:
            writer.execute(update(ConsoleSession).where(ConsoleSession.secret_hash == _hash(data["secret"]),
                                                        ConsoleSession.ended_at.is_(None))
                           .values(ended_at=clock.now()).execution_options(synchronize_session=False))
    session.clear()


def current() -> tuple[Installation, AgentSession] | None:
    """The installation (detached, to read) and admin of this browser's console session, when it is live."""
    data = session.get(_KEY) or {}
    if not isinstance(data, dict) or not data.get("installation_id") or not data.get("secret"):
        return None
    with get_db().tenant(data["installation_id"]) as reader:
        row = reader.scalar(select(ConsoleSession).where(ConsoleSession.secret_hash == _hash(data["secret"])))
        installation = reader.get(Installation, data["installation_id"])
        if installation is not None:
            reader.expunge(installation)
    if row is None or row.ended_at is not None or row.created_at + SESSION_LIFETIME < clock.now():
        return None
    if installation is None or not installation.is_active:
        return None
    return installation, AgentSession(installation.id, row.agent_id, row.agent_name, role=row.role, host="console")


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


def _setup_step() -> bool:
    """True for the pages a setup session may open: the Connections page and connecting its own helpdesk."""
    if request.endpoint == "console.connections_page":
        return True
    return request.endpoint in SETUP_ENDPOINTS and (request.view_args or {}).get("vendor") == zendesk.NAME


def console_required(view):
    """Decorator: the page needs a live console session for an active installation; posts need the CSRF token."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        signed_in = current()
        if signed_in is None:
            session.pop(_KEY, None)
            return redirect(url_for("console.login", next=request.path))
        if request.method == "POST":
            check_csrf()
        if signed_in[1].role == SETUP_ROLE and not _setup_step():
            return redirect(url_for("console.connections_page"))
        installation_id = signed_in[0].id
        g.installation, g.agent = request_session(installation_id).get(Installation, installation_id), signed_in[1]
        return view(*args, **kwargs)

    return wrapper
