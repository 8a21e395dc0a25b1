"""Freshdesk: the FDK app proves the installation; the agent proves who they are once, with their own API key.

The marketplace app proves its installation with the domain and the administrator's API key it registered
(`adapter.freshdesk_app`), an app made with the CLI with the installation id and token; Freshworks adds either
to requests server-side.

Freshdesk signs nothing about who opened the sidebar, and the app's front end (the agent's browser) could name any
agent. So a session is unverified until the agent shows Freshdesk their own API key through Valuedesk once: Freshdesk
answers `GET /api/v2/agents/me` with the agent the key belongs to, the key is dropped, and Valuedesk gives that
browser its own credential for the agent. Roles are then read with the installation's key, never from the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapter import clock
from adapter.connections import INSTALLATION_TOKEN
from adapter.connections import find_installation
from adapter.connections import store_freshdesk_key
from adapter.credentials import CredentialStore
from adapter.db import get_db
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.errors import AuthError
from adapter.errors import InvalidInput
from adapter.freshdesk_app import freshdesk_subdomain
from adapter.limits import note_failure
from adapter.limits import refuse_while_backing_off
from adapter.models import Installation
from adapter.providers import freshdesk
from adapter.security import constant_time_equals
from adapter.sidebar.auth import credentials as agent_credentials
from adapter.sidebar.auth.roles import helpdesk_agent
from adapter.sidebar.auth.roles import role_for
from adapter.sidebar.auth.sessions import AgentSession

# What the sidebar tells an agent about their verification (the `verification` field of a session).
VERIFIED, NOT_YET, EXPIRED, OTHER_AGENT = "verified", "not_verified", "expired", "other_agent"


@dataclass(frozen=True)
class FreshdeskSession:
    """A sidebar session for the FDK app, where it stands on verification, and a new credential when one was issued."""

    agent: AgentSession
    installation: Installation
    verification: str
    credential: str | None = None


def _active(installation_id: str) -> tuple[Installation, CredentialStore]:
    session = request_session(installation_id)
    installation = session.get(Installation, installation_id)
    if not installation.is_active:
        raise ApiError(401, "installation_disabled", "This Valuedesk installation is disabled.")
    return installation, CredentialStore(session, installation_id)


def app_by_token(installation_id: str, token: str | None) -> tuple[Installation, CredentialStore]:
    """The installation an app made with the CLI proves with its installation id and token.

    :raise ApiError: 401 for a wrong token or a disabled installation.
    """
    refuse_while_backing_off()
    session = request_session(installation_id)
    stored = CredentialStore(session, installation_id).get(INSTALLATION_TOKEN) \
        if session.get(Installation, installation_id) else None
    if not constant_time_equals(stored, token or ""):
        note_failure()
        raise ApiError(401, "invalid_installation_token", "The installation token does not match.")
    return _active(installation_id)


def installation_by_key(domain: str, key: str | None) -> str:
    """The id of the installation a marketplace app proves with its domain and the administrator's key it registered.

    :raise ApiError: 401, the same for an unknown domain, an uninstalled account and a wrong key.
    """
    refuse_while_backing_off()
    installation_id = stored = None
    with get_db().system() as session:
        try:
            installation = find_installation(session, freshdesk.NAME, freshdesk_subdomain(domain))
        except InvalidInput:
            installation = None
        if installation is not None:
            installation_id = installation.id
            stored = CredentialStore(session, installation_id).get(freshdesk.APP_KEY_DIGEST)
    if not constant_time_equals(stored, freshdesk.key_digest(key or "")):
        note_failure()
        raise ApiError(401, "app_not_recognised", "Valuedesk does not recognise this Freshdesk app: the account is not "
                       "installed or was uninstalled, or the API key in the app's settings is not the one it registered.")
    return installation_id


def app_by_key(domain: str, key: str | None) -> tuple[Installation, CredentialStore]:
    """The active installation a marketplace app proves with its domain and key (`installation_by_key`)."""
    return _active(installation_by_key(domain, key))


def freshdesk_session(app: tuple[Installation, CredentialStore], agent_id: str, secret: str | None) -> FreshdeskSession:
    """A session for the FDK sidebar: verified when the browser holds this agent's live credential, else unverified.

    An unverified session is an agent of this account the helpdesk has not named: it may request money actions,
    never approve them or administer anything.

    :raise ApiError: 401 for a wrong installation token or an agent Freshdesk does not know.
    """
    installation, credentials = app
    installation_id = installation.id
    record, checked_at = helpdesk_agent(installation, credentials, agent_id)
    credential = agent_credentials.find(request_session(installation_id), secret)
    if credential is not None and credential.agent_id != record.id:
        verification, credential = OTHER_AGENT, None
    elif credential is None:
        verification = EXPIRED if secret else NOT_YET
    else:
        verification = VERIFIED
        credential.last_used_at = clock.now()
    role = role_for(installation, record.id, helpdesk_admin=record.role == "admin") if credential else "agent"
    agent = AgentSession(installation_id, record.id, record.name, role=role, host="freshdesk",
                         verified=credential is not None, checked_at=checked_at,
                         credential_id=credential.id if credential else None)
    return FreshdeskSession(agent, installation, verification)


def verify_freshdesk(app: tuple[Installation, CredentialStore], agent_id: str, api_key: str) -> FreshdeskSession:
    """Verify the agent with their own Freshdesk API key (used once, never stored) and issue this browser a credential.

    :raise ApiError: 400 when Freshdesk refuses the key or it belongs to another agent (both count as failed sign-ins).
    """
    installation, credentials = app
    installation_id = installation.id
    try:
        owner = freshdesk.Client(installation.account, api_key).me()
    except AuthError:
        note_failure()
        raise ApiError(400, "api_key_refused", "Freshdesk did not accept that API key. Copy yours from your profile "
                       "(Profile settings > View API key) and try again.", fields={"api_key": "refused by Freshdesk"}) \
            from None
    if owner.id != agent_id:
        note_failure()
        raise ApiError(400, "api_key_of_another_agent", "That API key belongs to another Freshdesk agent; paste your "
                       "own (Profile settings > View API key).", fields={"api_key": "another agent's key"})
    record, checked_at = helpdesk_agent(installation, credentials, owner.id, fresh=True)
    credential, secret = agent_credentials.issue(request_session(installation_id), record.id)
    agent = AgentSession(installation_id, record.id, record.name, host="freshdesk", checked_at=checked_at,
                         role=role_for(installation, record.id, helpdesk_admin=record.role == "admin"),
                         credential_id=credential.id)
    return FreshdeskSession(agent, installation, VERIFIED, credential=secret)


def install_freshdesk(installation_id: str, token: str | None, domain: str, api_key: str) -> None:
    """Store the API key the FDK app's onAppInstall sends, proven by the installation token."""
    installation, _ = app_by_token(installation_id, token)
    store_freshdesk_key(request_session(installation_id), installation, domain, api_key)
