"""Fakedesk: a helpdesk that exists in the tests only, to show what a new vendor module needs.

Its "cloud" is the `ACCOUNTS` dict (tickets, comments and the tags written back); deliveries are signed with
HMAC-SHA256 over the raw body. Added to the registry by one line in the test that uses it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime

from adapter.errors import MalformedDelivery
from adapter.errors import NotFound
from adapter.errors import SignatureError
from adapter.errors import UnsupportedEvent
from adapter.events import CommentAdded
from adapter.providers.base import Agent
from adapter.providers.base import Comment
from adapter.providers.base import Delivery
from adapter.providers.base import Ticket
from adapter.providers.vendor import HELPDESK
from adapter.providers.vendor import Vendor
from adapter.security import constant_time_equals
from adapter.security import hmac_sha256_hex

NAME = "fakedesk"
SECRET_CREDENTIAL = "fakedesk_webhook_secret"
SIGNATURE_HEADER = "X-Fakedesk-Signature"
DELIVERY_HEADER = "X-Fakedesk-Delivery"
STORED_HEADERS = ("Content-Type", DELIVERY_HEADER)
EVENT_TYPES = ("comment.created",)
IGNORED_EVENT_TYPES = ("ticket.viewed",)


@dataclass
class Account:
    """One Fakedesk account as the vendor keeps it."""

    tickets: dict[str, Ticket] = field(default_factory=dict)
    comments: dict[str, list[Comment]] = field(default_factory=dict)
    tag_writes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


ACCOUNTS: dict[str, Account] = {}


def sign(secret: str, body: bytes) -> str:
    """The signature header of a delivery."""
    return hmac_sha256_hex(secret, body)


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """Check the delivery's signature.

    :raise SignatureError: when it is missing or wrong.
    """
    if not constant_time_equals(sign(secret, body), headers.get(SIGNATURE_HEADER) or ""):
        raise SignatureError("Fakedesk signature does not match the body.")


def describe(headers: Mapping[str, str], payload: dict) -> Delivery:
    """Delivery id and event type."""
    if not headers.get(DELIVERY_HEADER):
        raise MalformedDelivery(f"A Fakedesk delivery without {DELIVERY_HEADER}.")
    return Delivery(delivery_id=headers[DELIVERY_HEADER], event_type=str(payload.get("event", "")))


def parse_event(installation_id: str, payload: dict, headers: Mapping[str, str] | None = None) -> CommentAdded:
    """The domain event of a delivery."""
    if payload.get("event") != "comment.created":
        raise UnsupportedEvent(f"Unknown Fakedesk event {payload.get('event')!r}.")
    return CommentAdded(installation_id=installation_id, ticket_id=str(payload["ticket_id"]),
                        comment_id=str(payload["comment_id"]), author_role=None, public=None)


class Client:
    """The Helpdesk protocol over one Fakedesk account."""

    def __init__(self, account: str):
        self.account = ACCOUNTS[account]
        self.base_url = f"https://{account}.fakedesk.test"

    def get_ticket(self, ticket_id: str) -> Ticket:
        """The ticket, or NotFound."""
        if ticket_id not in self.account.tickets:
            raise NotFound(f"Fakedesk has no ticket {ticket_id}.", provider=NAME)
        return self.account.tickets[ticket_id]

    def list_comments(self, ticket_id: str) -> list[Comment]:
        """The ticket's messages, oldest first."""
        return list(self.account.comments.get(ticket_id, []))

    def add_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Add tags, keeping the ones already there."""
        ticket = self.get_ticket(ticket_id)
        self.account.tickets[ticket_id] = replace(ticket, tags=tuple(dict.fromkeys([*ticket.tags, *tags])))
        self.account.tag_writes.append((ticket_id, tuple(tags)))

    def remove_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Remove tags."""
        ticket = self.get_ticket(ticket_id)
        self.account.tickets[ticket_id] = replace(ticket, tags=tuple(t for t in ticket.tags if t not in tags))

    def add_private_note(self, ticket_id: str, body: str) -> None:
        """Fakedesk keeps no notes."""

    def list_macros(self) -> list:
        """Fakedesk has no macros."""
        return []

    def list_agents(self) -> list[Agent]:
        """One agent."""
        return [Agent(id="fd-ada", name="Ada Agent")]

    def ticket_url(self, ticket_id: str) -> str:
        """The agent-facing address of a ticket."""
        return f"{self.base_url}/tickets/{ticket_id}"

    def set_status(self, ticket_id: str, status: str) -> None:
        """Change the ticket's status."""
        self.account.tickets[ticket_id] = replace(self.get_ticket(ticket_id), status=status)

    def iter_ticket_ids(self, since: datetime) -> list[str]:
        """Every ticket id."""
        return list(self.account.tickets)

    def me(self) -> Agent:
        """Who the credentials belong to."""
        return self.list_agents()[0]


VENDOR = Vendor(
    name=NAME, display_name="Fakedesk", role=HELPDESK, webhooks=sys.modules[__name__], secret_credential=SECRET_CREDENTIAL,
    credentials={"webhook_secret": SECRET_CREDENTIAL},
    client_for=lambda session, installation, credentials: Client(installation.account),
    installation_prefix="fk", account_suffix=".fakedesk.test", frame_ancestors=("https://*.fakedesk.test",),
)
