"""Who is using the sidebar: sessions issued once the helpdesk vouched for the agent, then sent as a bearer token.

Zendesk signs the agent (its JWT); Freshdesk does not, so a Freshdesk agent verifies once with their own API key
(`freshdesk`). Roles come from the helpdesk and the installation's lead and admin lists and are asked again every
15 minutes (`roles`), refresh included.
"""

from adapter.sidebar.auth.access import admin_required
from adapter.sidebar.auth.access import agent_db
from adapter.sidebar.auth.access import agent_required
from adapter.sidebar.auth.access import authenticate
from adapter.sidebar.auth.access import current_agent
from adapter.sidebar.auth.freshdesk import FreshdeskSession
from adapter.sidebar.auth.freshdesk import app_by_key
from adapter.sidebar.auth.freshdesk import app_by_token
from adapter.sidebar.auth.freshdesk import freshdesk_session
from adapter.sidebar.auth.freshdesk import install_freshdesk
from adapter.sidebar.auth.freshdesk import installation_by_key
from adapter.sidebar.auth.freshdesk import verify_freshdesk
from adapter.sidebar.auth.roles import ROLE_RECHECK_SECONDS
from adapter.sidebar.auth.roles import agent_cache
from adapter.sidebar.auth.roles import role_for
from adapter.sidebar.auth.sessions import ROLES
from adapter.sidebar.auth.sessions import SESSION_MAX_AGE_SECONDS
from adapter.sidebar.auth.sessions import AgentSession
from adapter.sidebar.auth.sessions import issue_token
from adapter.sidebar.auth.sessions import read_token
from adapter.sidebar.auth.sessions import signed_session_key
from adapter.sidebar.auth.zendesk import link_zendesk_app
from adapter.sidebar.auth.zendesk import zendesk_agent

__all__ = [
    "ROLES", "ROLE_RECHECK_SECONDS", "SESSION_MAX_AGE_SECONDS", "AgentSession", "FreshdeskSession", "admin_required",
    "app_by_key", "app_by_token", "installation_by_key",
    "agent_cache", "agent_db", "agent_required", "authenticate", "current_agent", "freshdesk_session",
    "install_freshdesk", "issue_token", "link_zendesk_app", "read_token", "role_for", "signed_session_key",
    "verify_freshdesk", "zendesk_agent",
]
