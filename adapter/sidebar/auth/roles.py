"""Roles come from the helpdesk (and the installation's lead and admin lists), and are asked again every 15 minutes."""

from __future__ import annotations

import logging
from dataclasses import replace

from adapter import clock
from adapter.credentials import CredentialStore
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.errors import NotFound
from adapter.errors import ProviderError
from adapter.models import Installation
from adapter.providers import helpdesk
from adapter.providers import vendors
from adapter.providers.base import Agent
from adapter.providers.vendor import HELPDESK
from adapter.sidebar.auth.credentials import is_live
from adapter.sidebar.auth.sessions import AgentSession

ROLE_RECHECK_SECONDS = 15 * 60
AGENT_CACHE_SECONDS = 5 * 60  # well inside the recheck, so a cached answer never stretches it
# (installation, agent) -> (when the helpdesk answered, epoch seconds; what it said)
agent_cache: dict[tuple[str, str], tuple[float, Agent]] = {}
log = logging.getLogger(__name__)


def rechecked_hosts() -> tuple[str, ...]:
    """The helpdesks whose agents' roles are asked again every 15 minutes."""
    return tuple(vendor.name for vendor in vendors(HELPDESK) if vendor.agent_lookup)


def role_for(installation: Installation, agent_id: str, helpdesk_admin: bool = False) -> str:
    """admin for the helpdesk's administrators and the configured admins, lead for the configured leads, else agent."""
    settings = installation.settings or {}
    if helpdesk_admin or agent_id in set(map(str, settings.get("admin_agent_ids") or ())):
        return "admin"
    return "lead" if agent_id in set(map(str, settings.get("lead_agent_ids") or ())) else "agent"


def helpdesk_agent(installation: Installation, credentials: CredentialStore, agent_id: str, *,
                   fresh: bool = False) -> tuple[Agent, float]:
    """What the helpdesk says about one agent (a Zendesk user, a Freshdesk agent) and when it said it.

    :raise ApiError: 401 when the helpdesk does not know the agent.
    """
    key = (installation.id, agent_id)
    now = clock.wall().timestamp()
    cached = agent_cache.get(key)
    if cached and not fresh and now - cached[0] < AGENT_CACHE_SECONDS:
        return cached[1], cached[0]
    try:
        vendor = helpdesk(installation.kind)
        agent = vendor.agent_lookup(vendor.client_for(credentials.session, installation, credentials), agent_id)
    except NotFound:
        agent_cache.pop(key, None)
        raise ApiError(401, "unknown_agent", "The helpdesk does not know this agent.") from None
    agent_cache[key] = (now, agent)
    return agent, now


def fresh_role(agent: AgentSession, installation: Installation) -> AgentSession:
    """The session, with its role asked of the helpdesk again when the last answer is older than 15 minutes.

    A helpdesk that cannot answer leaves the identity but not the privileges: the session acts as an agent until it
    can be asked again. An agent the helpdesk no longer knows, or no longer as an agent, is signed out (401).

    :raise ApiError: 401.
    """
    if agent.host not in rechecked_hosts() or clock.wall().timestamp() - agent.checked_at < ROLE_RECHECK_SECONDS:
        return agent
    session = request_session(installation.id)
    verified = agent.verified
    if agent.host == "freshdesk" and verified and not is_live(session, agent.credential_id):
        verified = False  # the browser's credential was revoked or idle too long: verify again
    try:
        record, checked_at = helpdesk_agent(installation, CredentialStore(session, installation.id), agent.agent_id)
    except ProviderError as exc:
        log.warning("sidebar.role_recheck_failed", extra={"fields": {"installation": installation.id,
                                                                      "error": type(exc).__name__}})
        return replace(agent, role="agent")
    allowed = helpdesk(installation.kind).agent_roles
    if allowed is not None and record.role not in allowed:
        raise ApiError(401, "not_an_agent", "Only agents and admins can use Valuedesk.")
    role = role_for(installation, agent.agent_id, helpdesk_admin=record.role == "admin") if verified else "agent"
    return replace(agent, role=role, verified=verified, checked_at=checked_at,
                   credential_id=agent.credential_id if verified else None)
