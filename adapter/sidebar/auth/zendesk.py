"""Zendesk: the signed-URL JWT posted with the sidebar's first page load, and linking the app to its installation."""

from __future__ import annotations

import re

import jwt

from adapter.connections import INSTALLATION_TOKEN
from adapter.connections import find_installation
from adapter.credentials import CredentialStore
from adapter.db import get_db
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.errors import SignatureError
from adapter.limits import note_failure
from adapter.limits import refuse_while_backing_off
from adapter.models import Installation
from adapter.providers import zendesk
from adapter.security import constant_time_equals
from adapter.sidebar.auth.roles import helpdesk_agent
from adapter.sidebar.auth.roles import role_for
from adapter.sidebar.auth.sessions import AgentSession

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
    agent, checked_at = helpdesk_agent(installation, credentials, context.user_id)
    if agent.role not in zendesk.AGENT_ROLES:
        raise ApiError(401, "not_an_agent", "Only agents and admins can use Valuedesk.")
    role = role_for(installation, agent.id, helpdesk_admin=agent.role == "admin")
    return AgentSession(installation_id, agent.id, agent.name, role=role, host="zendesk",
                        checked_at=checked_at), installation


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
    pem = zendesk.Provisioning(zendesk.client_for(installation, credentials)).app_public_key(app_id)
    credentials.set(zendesk.APP_KEY_CREDENTIAL, pem)
    session.commit()
    return pem


def _unverified_claims(token: str) -> dict:
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}


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
        pem = zendesk.Provisioning(zendesk.client_for(installation, credentials)).app_public_key(app_id)
        credentials.set(zendesk.APP_KEY_CREDENTIAL, pem)
        state = {**((installation.settings or {}).get("zendesk") or {}), "app_id": app_id,
                 "app_installation_id": app_installation_id}
        installation.settings = {**(installation.settings or {}), "zendesk": state}
