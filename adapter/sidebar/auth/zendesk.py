"""Zendesk: the signed-URL JWT posted with the sidebar's first page load, and linking the app to its installation."""

from __future__ import annotations

import logging
import re

import jwt
from flask import current_app

from adapter import lifecycle
from adapter import oauth
from adapter.connections import INSTALLATION_TOKEN
from adapter.connections import find_installation
from adapter.credentials import CredentialStore
from adapter.db import get_db
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.errors import SignatureError
from adapter.installations import create_installation
from adapter.limits import note_failure
from adapter.limits import refuse_while_backing_off
from adapter.models import Installation
from adapter.providers import zendesk
from adapter.security import constant_time_equals
from adapter.sidebar.auth.roles import helpdesk_agent
from adapter.sidebar.auth.roles import role_for
from adapter.sidebar.auth.sessions import AgentSession

log = logging.getLogger("valuedesk.sidebar")
_JKU = re.compile(r"^https://([a-z0-9-]+)\.zendesk\.com/api/v2/apps/(\d+)/public_key\.pem$")


def zendesk_agent(token: str) -> tuple[AgentSession, Installation]:
    """Verify a ZAF JWT and build the agent's session; the role comes from Zendesk, not the browser.

    A Marketplace account (the operator configured the app's public key) needs nothing before: its first signed load
    creates the installation, or takes an uninstalled one back. Until an admin connects Zendesk the session has the
    setup role, which only opens the console's Connect step.

    :raise ApiError: 401 when the token, installation or agent does not check out.
    """
    subdomain = zendesk.unverified_subdomain(token)
    if subdomain is None:
        raise ApiError(401, "invalid_app_token", "This is not a Zendesk app token.")
    marketplace_key = current_app.config["VALUEDESK"].zendesk_app_public_key
    with get_db().system() as session:
        installation = find_installation(session, "zendesk", subdomain)
        if marketplace_key and (installation is None or installation.uninstalled_at is not None):
            # Verified before anything is created: an unsigned or forged token creates nothing.
            installation = _install(session, subdomain, _verified(token, marketplace_key, subdomain))
        installation_id = installation.id if installation else None
    if installation_id is None:
        raise ApiError(401, "not_installed", f"Valuedesk is not connected to {subdomain}.zendesk.com yet.")
    session = request_session(installation_id)
    installation = session.get(Installation, installation_id)
    if not installation.is_active:
        raise ApiError(401, "installation_disabled", "This Valuedesk installation is disabled.")
    credentials = CredentialStore(session, installation_id)
    linked_key = credentials.get(zendesk.APP_KEY_CREDENTIAL)
    key = linked_key or marketplace_key or _fetch_app_key(session, installation, credentials, token)
    context = _verified(token, key, subdomain)
    recorded = zendesk_state(installation).get("app_installation_id")
    if recorded and context.app_installation_id != recorded:
        if linked_key or not marketplace_key:  # a self-hoster's private app is linked to one installation
            raise ApiError(401, "invalid_app_token", "The Zendesk app token belongs to another app installation.")
        _app_reinstalled(session, installation, context.app_installation_id)
    if context.user_id is None:
        raise ApiError(401, "unknown_agent", "Zendesk's token did not say which agent opened the sidebar.")
    if not zendesk.has_api_access(credentials):
        return AgentSession(installation_id, context.user_id, f"Zendesk user {context.user_id}", role=zendesk.SETUP_ROLE,
                            host="zendesk"), installation
    agent, checked_at = helpdesk_agent(installation, credentials, context.user_id)
    if agent.role not in zendesk.AGENT_ROLES:
        raise ApiError(401, "not_an_agent", "Only agents and admins can use Valuedesk.")
    role = role_for(installation, agent.id, helpdesk_admin=agent.role == "admin")
    return AgentSession(installation_id, agent.id, agent.name, role=role, host="zendesk",
                        checked_at=checked_at), installation


def _verified(token: str, key: str, subdomain: str) -> zendesk.AppContext:
    try:
        return zendesk.verify_app_token(token, key, subdomain)
    except SignatureError as exc:
        raise ApiError(401, "invalid_app_token", exc.message) from None


def zendesk_state(installation: Installation) -> dict:
    """What Valuedesk recorded about the Zendesk account (webhook, triggers, app installation)."""
    return dict((installation.settings or {}).get("zendesk") or {})


def _install(session, subdomain: str, context: zendesk.AppContext) -> Installation:
    """Create the installation a verified Marketplace load names, or take an uninstalled one back (system session)."""
    installation = find_installation(session, "zendesk", subdomain)
    if installation is None:
        installation = create_installation(session, kind="zendesk", account=subdomain)
        log.info("zendesk.installed", extra={"fields": {"installation_id": installation.id}})
    else:
        lifecycle.reinstall(session, installation)
        log.info("zendesk.reinstalled", extra={"fields": {"installation_id": installation.id}})
    app_id = current_app.config["VALUEDESK"].zendesk_app_id
    state = {**zendesk_state(installation), "app_installation_id": context.app_installation_id,
             **({"app_id": app_id} if app_id else {})}
    installation.settings = {**(installation.settings or {}), "zendesk": state}
    session.flush()
    return installation


def _app_reinstalled(session, installation: Installation, app_installation_id: str) -> None:
    """The app was removed and installed again in Zendesk (which says nothing): its old webhook went with it, so the
    old grant and secret go too, and an admin connects again."""
    done = oauth.revoke(session, installation, zendesk.OAUTH_APP)
    state = {k: v for k, v in zendesk_state(installation).items() if k not in ("webhook_id", "connected_by")}
    installation.settings = {**(installation.settings or {}), "zendesk": {**state,
                                                                          "app_installation_id": app_installation_id}}
    session.commit()
    log.info("zendesk.app_reinstalled", extra={"fields": {"installation_id": installation.id, "steps": len(done)}})


def _fetch_app_key(session, installation: Installation, credentials: CredentialStore, token: str) -> str:
    """Fetch the app's public key once from this account's own Zendesk API and keep it."""
    app_id = zendesk_state(installation).get("app_id")
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
