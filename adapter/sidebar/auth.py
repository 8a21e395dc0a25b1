"""Agent sessions for the sidebar: issued after the helpdesk's signed context checks out, then sent as a bearer token."""

from __future__ import annotations

import functools
import hashlib
import re
import time
from dataclasses import asdict
from dataclasses import dataclass

import jwt
from flask import current_app
from flask import g
from flask import request
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from adapter.connections import INSTALLATION_TOKEN
from adapter.connections import find_installation
from adapter.connections import store_freshdesk_key
from adapter.credentials import CredentialStore
from adapter.db import get_db
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.errors import NotFound
from adapter.errors import SignatureError
from adapter.limits import note_failure
from adapter.limits import refuse_while_backing_off
from adapter.models import Installation
from adapter.providers import freshdesk
from adapter.providers import zendesk
from adapter.providers.base import Agent
from adapter.security import constant_time_equals

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
    # False when the helpdesk could not vouch for who the agent is (Freshdesk's sidebar);
    # recorded on every money action.
    verified: bool = True

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


def _bootstrap_admin(token: str) -> AgentSession | None:
    """The self-hosting admin, when the bearer is VALUEDESK_ADMIN_TOKEN (installation named in a header)."""
    admin_token = current_app.config["VALUEDESK"].admin_token
    if not admin_token or not constant_time_equals(token, admin_token):
        return None
    installation_id = request.headers.get("X-Valuedesk-Installation", "").strip()
    if not installation_id:
        raise ApiError(400, "missing_installation", "Name the installation in the X-Valuedesk-Installation header.")
    return AgentSession(installation_id, "bootstrap-admin", "Administrator", role="admin", host="admin")


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


def authenticate() -> AgentSession:
    """Read the bearer token, check the installation is active, and bind the request to it.

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


def admin_required(view):
    """Decorator: the view runs only for an admin of the session's installation."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not authenticate().is_admin:
            raise ApiError(403, "admins_only", "Only admins of this helpdesk can do that.")
        return view(*args, **kwargs)

    return wrapper


def agent_db():
    """The tenant session of the current agent's installation."""
    return request_session(current_agent().installation_id)


# Zendesk: the signed-URL JWT posted with the first page load.

_AGENT_TTL_SECONDS = 600
_agent_cache: dict[tuple[str, str], tuple[float, Agent]] = {}
_JKU = re.compile(r"^https://([a-z0-9-]+)\.zendesk\.com/api/v2/apps/(\d+)/public_key\.pem$")


def zendesk_agent(token: str) -> tuple[AgentSession, Installation]:
    """Verify a ZAF JWT and build the agent's session; the role comes from Zendesk, not the browser.

    :raise ApiError: 401 when the token, installation or agent does not check out.
    """
    subdomain = zendesk.unverified_subdomain(token)
    if subdomain is None:
        raise ApiError(401, "invalid_app_token", "This is not a Zendesk app token.")
    with get_db().system() as session:
        installation = find_installation(session, "zendesk", subdomain)
        installation_id = installation.id if installation else None
    if installation_id is None:
        raise ApiError(401, "not_installed", f"Valuedesk is not connected to {subdomain}.zendesk.com yet.")
    session = request_session(installation_id)
    installation = session.get(Installation, installation_id)
    if not installation.is_active:
        raise ApiError(401, "installation_disabled", "This Valuedesk installation is disabled.")
    credentials = CredentialStore(session, installation_id)
    state = (installation.settings or {}).get("zendesk") or {}
    key = credentials.get(zendesk.APP_KEY_CREDENTIAL) or _fetch_app_key(session, installation, credentials, token)
    try:
        context = zendesk.verify_app_token(token, key, subdomain, app_installation_id=state.get("app_installation_id"))
    except SignatureError as exc:
        raise ApiError(401, "invalid_app_token", exc.message) from None
    if context.user_id is None:
        raise ApiError(401, "unknown_agent", "Zendesk's token did not say which agent opened the sidebar.")
    agent = _zendesk_user(installation, credentials, context.user_id)
    if agent.role not in zendesk.AGENT_ROLES:
        raise ApiError(401, "not_an_agent", "Only agents and admins can use Valuedesk.")
    role = _role_for(installation, agent.id, helpdesk_admin=agent.role == "admin")
    return AgentSession(installation_id, agent.id, agent.name, role=role, host="zendesk"), installation


def _fetch_app_key(session, installation: Installation, credentials: CredentialStore, token: str) -> str:
    """Fetch the app's public key once from this account's own Zendesk API and keep it."""
    state = (installation.settings or {}).get("zendesk") or {}
    app_id = state.get("app_id")
    if not app_id:
        # The token names its key's URL; use the app id only when that URL is this account's Zendesk.
        jku = str(((_unverified_claims(token).get("cnf") or {}).get("jku")) or "")
        match = _JKU.match(jku)
        if match and match.group(1) == installation.account:
            app_id = match.group(2)
    if not app_id:
        raise ApiError(401, "app_not_linked",
                       "The Valuedesk app is not linked yet; run `valuedesk installations connect zendesk` again.")
    pem = zendesk.client_for(installation, credentials).app_public_key(app_id)
    credentials.set(zendesk.APP_KEY_CREDENTIAL, pem)
    session.commit()
    return pem


def _unverified_claims(token: str) -> dict:
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}


def _zendesk_user(installation: Installation, credentials: CredentialStore, user_id: str) -> Agent:
    return _cached_agent(installation.id, user_id,
                         lambda: zendesk.client_for(installation, credentials).get_user(user_id))


def _cached_agent(installation_id: str, agent_id: str, fetch) -> Agent:
    key = (installation_id, agent_id)
    cached = _agent_cache.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    agent = fetch()
    _agent_cache[key] = (time.monotonic() + _AGENT_TTL_SECONDS, agent)
    return agent


def _role_for(installation: Installation, agent_id: str, helpdesk_admin: bool = False) -> str:
    settings = installation.settings or {}
    if helpdesk_admin or agent_id in set(map(str, settings.get("admin_agent_ids") or ())):
        return "admin"
    return "lead" if agent_id in set(map(str, settings.get("lead_agent_ids") or ())) else "agent"


def _installation_by_token(installation_id: str, token: str | None) -> tuple[Installation, CredentialStore]:
    refuse_while_backing_off()
    session = request_session(installation_id)
    installation = session.get(Installation, installation_id)
    credentials = CredentialStore(session, installation_id) if installation else None
    if installation is None or not constant_time_equals(credentials.get(INSTALLATION_TOKEN), token or ""):
        note_failure()
        raise ApiError(401, "invalid_installation_token", "The installation token does not match.")
    if not installation.is_active:
        raise ApiError(401, "installation_disabled", "This Valuedesk installation is disabled.")
    return installation, credentials


def freshdesk_agent(installation_id: str, token: str | None, agent_id: str) -> tuple[AgentSession, Installation]:
    """A session for the FDK sidebar: the installation token proves the app; the agent id is checked to exist.

    Freshdesk does not sign who the agent is, so the session is marked unverified and money
    actions record that.

    :raise ApiError: 401 for a wrong token or an unknown agent.
    """
    installation, credentials = _installation_by_token(installation_id, token)
    try:
        agent = _cached_agent(installation_id, agent_id,
                              lambda: freshdesk.client_for(installation, credentials).get_agent(agent_id))
    except NotFound:
        raise ApiError(401, "unknown_agent", "Freshdesk does not know this agent.") from None
    role = _role_for(installation, agent.id)
    return AgentSession(installation_id, agent.id, agent.name, role=role, host="freshdesk", verified=False), installation


def install_freshdesk(installation_id: str, token: str | None, domain: str, api_key: str) -> None:
    """Store the API key the FDK app's onAppInstall sends, proven by the installation token."""
    installation, _ = _installation_by_token(installation_id, token)
    store_freshdesk_key(request_session(installation_id), installation, domain, api_key)


def link_zendesk_app(subdomain: str, app_id: str, app_installation_id: str, token: str | None) -> None:
    """Record which Zendesk app installation serves this account and keep its public key.

    :raise ApiError: 401 for an unknown account or a wrong installation token.
    """
    refuse_while_backing_off()
    with get_db().system() as session:
        installation = find_installation(session, "zendesk", subdomain)
        if installation is None:
            raise ApiError(401, "not_installed", f"Valuedesk is not connected to {subdomain}.zendesk.com.")
        credentials = CredentialStore(session, installation.id)
        if not constant_time_equals(credentials.get(INSTALLATION_TOKEN), token or ""):
            note_failure()
            raise ApiError(401, "invalid_installation_token", "The installation token does not match.")
        pem = zendesk.client_for(installation, credentials).app_public_key(app_id)
        credentials.set(zendesk.APP_KEY_CREDENTIAL, pem)
        state = {**((installation.settings or {}).get("zendesk") or {}), "app_id": app_id,
                 "app_installation_id": app_installation_id}
        installation.settings = {**(installation.settings or {}), "zendesk": state}
