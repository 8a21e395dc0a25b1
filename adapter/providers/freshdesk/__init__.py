"""Freshdesk: webhook secret check, event parsing, and an API v2 client over requests.

API: https://developers.freshdesk.com/api/
Automation webhooks: https://support.freshdesk.com/support/solutions/articles/132589
App SDK 3.0 product events: https://developers.freshworks.com/docs/app-sdk/v3.0/
"""

import sys

from adapter.providers.freshdesk.client import Client
from adapter.providers.freshdesk.client import RateBudget
from adapter.providers.freshdesk.client import client_for
from adapter.providers.freshdesk.constants import API_KEY_CREDENTIAL
from adapter.providers.freshdesk.constants import APP_KEY_DIGEST
from adapter.providers.freshdesk.constants import APP_KEY_HEADER
from adapter.providers.freshdesk.constants import EVENT_TYPES
from adapter.providers.freshdesk.constants import IGNORED_EVENT_TYPES
from adapter.providers.freshdesk.constants import NAME
from adapter.providers.freshdesk.constants import SECRET_CREDENTIAL
from adapter.providers.freshdesk.constants import SECRET_HEADER
from adapter.providers.freshdesk.constants import STORED_HEADERS
from adapter.providers.freshdesk.webhooks import EVENT_PARSERS
from adapter.providers.freshdesk.webhooks import automation_body
from adapter.providers.freshdesk.webhooks import automation_rules
from adapter.providers.freshdesk.webhooks import describe
from adapter.providers.freshdesk.webhooks import event_type_of
from adapter.providers.freshdesk.webhooks import key_digest
from adapter.providers.freshdesk.webhooks import parse_event
from adapter.providers.freshdesk.webhooks import sent_at
from adapter.providers.freshdesk.webhooks import verify
from adapter.providers.freshdesk.webhooks import verify_app
from adapter.providers.vendor import HELPDESK
from adapter.providers.vendor import Vendor

VENDOR = Vendor(
    name=NAME, display_name="Freshdesk", role=HELPDESK, webhooks=sys.modules[__name__], secret_credential=SECRET_CREDENTIAL,
    credentials={"api_key": API_KEY_CREDENTIAL, "webhook_secret": SECRET_CREDENTIAL},
    client_for=lambda session, installation, credentials: client_for(installation, credentials),
    installation_prefix="fd", account_suffix=".freshdesk.com",
    # Freshdesk's and Freshworks' agent UIs
    frame_ancestors=("https://*.freshdesk.com", "https://*.freshworks.com", "https://*.myfreshworks.com"),
    script_origins=("https://static.freshdev.io",),
    agent_lookup=lambda client, agent_id: client.get_agent(agent_id),
)

__all__ = [
    "API_KEY_CREDENTIAL", "APP_KEY_DIGEST", "APP_KEY_HEADER", "EVENT_PARSERS", "EVENT_TYPES", "IGNORED_EVENT_TYPES", "NAME", "SECRET_CREDENTIAL",
    "SECRET_HEADER", "STORED_HEADERS", "Client", "RateBudget", "VENDOR", "automation_body", "automation_rules", "client_for",
    "describe", "event_type_of", "key_digest", "parse_event", "sent_at", "verify", "verify_app",
]
