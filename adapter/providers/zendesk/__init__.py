"""Zendesk: webhook verification, event parsing, signed sidebar URLs, and a Client over zenpy.

Webhooks: https://developer.zendesk.com/documentation/webhooks/verifying/
Ticket events: https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/
REST API: https://developer.zendesk.com/api-reference/ticketing/introduction/
Signed app URLs: https://developer.zendesk.com/documentation/apps/build-an-app/building-a-server-side-app/part-5-secure-the-app/
"""

import sys

from adapter.providers.vendor import HELPDESK
from adapter.providers.vendor import Vendor
from adapter.providers.zendesk.app import AppContext
from adapter.providers.zendesk.app import unverified_subdomain
from adapter.providers.zendesk.app import verify_app_token
from adapter.providers.zendesk.client import Client
from adapter.providers.zendesk.client import client_for
from adapter.providers.zendesk.constants import AGENT_ROLES
from adapter.providers.zendesk.constants import APP_KEY_CREDENTIAL
from adapter.providers.zendesk.constants import EMAIL_CREDENTIAL
from adapter.providers.zendesk.constants import EVENT_TYPES
from adapter.providers.zendesk.constants import IGNORED_EVENT_TYPES
from adapter.providers.zendesk.constants import INVOCATION_HEADER
from adapter.providers.zendesk.constants import NAME
from adapter.providers.zendesk.constants import OAUTH_CREDENTIAL
from adapter.providers.zendesk.constants import SECRET_CREDENTIAL
from adapter.providers.zendesk.constants import SIGNATURE_HEADER
from adapter.providers.zendesk.constants import STATUSES
from adapter.providers.zendesk.constants import STORED_HEADERS
from adapter.providers.zendesk.constants import TIMESTAMP_HEADER
from adapter.providers.zendesk.constants import TOKEN_CREDENTIAL
from adapter.providers.zendesk.oauth import APP as OAUTH_APP
from adapter.providers.zendesk.oauth import SETUP_ROLE
from adapter.providers.zendesk.oauth import client_for_installation
from adapter.providers.zendesk.oauth import has_api_access
from adapter.providers.zendesk.oauth import marketplace_webhook_url
from adapter.providers.zendesk.provisioning import Provisioning
from adapter.providers.zendesk.webhooks import EVENT_PARSERS
from adapter.providers.zendesk.webhooks import describe
from adapter.providers.zendesk.webhooks import event_type_of
from adapter.providers.zendesk.webhooks import parse_event
from adapter.providers.zendesk.webhooks import sign
from adapter.providers.zendesk.webhooks import trigger_body
from adapter.providers.zendesk.webhooks import trigger_specs
from adapter.providers.zendesk.webhooks import verify

VENDOR = Vendor(
    name=NAME, display_name="Zendesk", role=HELPDESK, webhooks=sys.modules[__name__], secret_credential=SECRET_CREDENTIAL,
    credentials={"email": EMAIL_CREDENTIAL, "token": TOKEN_CREDENTIAL, "oauth_token": OAUTH_CREDENTIAL,
                 "webhook_secret": SECRET_CREDENTIAL, "app_key": APP_KEY_CREDENTIAL},
    client_for=client_for_installation, oauth=OAUTH_APP,
    installation_prefix="zd", account_suffix=".zendesk.com",
    # Zendesk's agent workspace and its app sandbox domain
    frame_ancestors=("https://*.zendesk.com", "https://*.zdusercontent.com"),
    script_origins=("https://static.zdassets.com",),
    agent_lookup=lambda client, agent_id: client.get_user(agent_id), agent_roles=AGENT_ROLES,
    closed_is_final=True,  # Zendesk archives closed tickets: updates to them are refused
)

__all__ = [
    "AGENT_ROLES", "NAME", "SECRET_CREDENTIAL", "EMAIL_CREDENTIAL", "TOKEN_CREDENTIAL", "OAUTH_CREDENTIAL", "APP_KEY_CREDENTIAL", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "INVOCATION_HEADER", "STORED_HEADERS", "EVENT_TYPES", "IGNORED_EVENT_TYPES", "STATUSES",
    "OAUTH_APP", "SETUP_ROLE", "AppContext", "Client", "Provisioning", "client_for_installation", "has_api_access", "marketplace_webhook_url", "VENDOR", "EVENT_PARSERS", "client_for", "describe", "event_type_of", "parse_event", "sign",
    "trigger_body", "trigger_specs", "unverified_subdomain", "verify", "verify_app_token",
]
