"""The descriptor every vendor module exports as `VENDOR`: what the rest of the service needs to know about it."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

HELPDESK = "helpdesk"
TRACKER = "tracker"
BILLING = "billing"


@dataclass(frozen=True)
class Vendor:
    """One vendor: its name, role, webhook channel, credentials, client and where its sidebar is framed from."""

    name: str  # in URLs (/webhooks/<name>/...), installation kinds and tracker settings
    display_name: str  # as a sentence names it mid-line: "Zendesk ticket #4", "playground ticket #4"
    role: str  # HELPDESK, TRACKER or BILLING
    long_name: str = ""  # as a sentence names it on its own ("the playground helpdesk"); display_name when empty
    # The module (or object) that verifies and parses its webhooks: NAME, SECRET_CREDENTIAL, STORED_HEADERS,
    # EVENT_TYPES, IGNORED_EVENT_TYPES, verify, describe, parse_event. None for vendors that send none.
    webhooks: Any = None
    # Credential schema: the connect form's field name -> the stored credential's name.
    credentials: Mapping[str, str] = field(default_factory=dict)
    secret_credential: str | None = None  # the credential its webhooks are signed with
    # Helpdesk: (session, installation, credentials) -> Helpdesk. Tracker: (session, settings, credentials) -> Tracker
    # or None. Billing: (installation, credentials) -> Billing.
    client_for: Callable[..., Any] | None = None
    builtin: bool = False  # the playground's own (sandbox), never offered to a real installation
    oauth: Any = None  # an adapter.oauth.OAuthApp when an admin can connect it with OAuth from the console
    # Helpdesks
    installation_prefix: str = ""  # installation ids start with it: zd-acme-4f9c2a
    account_suffix: str = ""  # removed from what people paste (acme.zendesk.com -> acme)
    frame_ancestors: tuple[str, ...] = ()  # origins that frame our sidebar (the CSP's frame-ancestors)
    script_origins: tuple[str, ...] = ()  # the vendor's sidebar SDK, the only scripts not served by us
    # (client, agent id) -> Agent, to ask the helpdesk an agent's role again; None: roles are never rechecked
    agent_lookup: Callable[[Any, str], Any] | None = None
    agent_roles: tuple[str, ...] | None = None  # helpdesk roles allowed in the sidebar; None: every agent
    closed_is_final: bool = False  # a "closed" ticket takes no more notes, tags or status changes
    # Trackers
    connection: Callable[[dict], dict] | None = None  # the connect form's values -> settings; raises InvalidInput
    min_credentials: int = 1  # how many of `credentials` the connect form must fill
    credentials_missing: str = ""  # what to say when fewer are filled
    credentials_missing_fields: Mapping[str, str] = field(default_factory=dict)
    refused: str = ""  # one message whatever went wrong when the tracker refuses the connection
    key_of: Callable[[str], str | None] | None = None  # the issue key in a pasted key or URL
    webhook_help: Callable[[str, str | None, str], str] | None = None  # (url, secret, project) -> set-up steps

    @property
    def prose_name(self) -> str:
        """The name a sentence uses on its own."""
        return self.long_name or self.display_name
