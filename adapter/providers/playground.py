"""The playground helpdesk: tickets kept in our own database, and events signed the way vendors sign theirs.

It lets `make run` show every feature with no credentials, and it doubles as a documented signed
channel (`POST /webhooks/playground/<installation>`) for load tests and custom integrations.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.errors import MalformedDelivery
from adapter.errors import NotFound
from adapter.errors import SignatureError
from adapter.errors import UnsupportedEvent
from adapter.events import AGENT
from adapter.events import CUSTOMER
from adapter.events import CommentAdded
from adapter.events import DomainEvent
from adapter.events import TicketAssigned
from adapter.events import TicketCreated
from adapter.events import TicketStatusChanged
from adapter.events import TrackerIssueChanged
from adapter.models import PlaygroundComment
from adapter.models import PlaygroundTicket
from adapter.providers.base import Agent
from adapter.providers.base import Comment
from adapter.providers.base import Delivery
from adapter.providers.base import Macro
from adapter.providers.base import Ticket
from adapter.providers.vendor import HELPDESK
from adapter.providers.vendor import Vendor
from adapter.security import constant_time_equals
from adapter.security import hmac_sha256_hex
from adapter.security import within_window

NAME = "playground"
SECRET_CREDENTIAL = "webhook_secret"
SIGNATURE_HEADER = "X-Valuedesk-Signature"
TIMESTAMP_HEADER = "X-Valuedesk-Timestamp"
DELIVERY_HEADER = "X-Valuedesk-Delivery"
STORED_HEADERS = ("Content-Type", TIMESTAMP_HEADER, DELIVERY_HEADER)
TOLERANCE = timedelta(minutes=5)

EVENT_TYPES = ("ticket.created", "comment.created", "ticket.status_changed", "ticket.assigned", "tracker.issue_updated")
IGNORED_EVENT_TYPES = ("ticket.viewed",)

AGENTS = (
    Agent(id="agent-sam", name="Sam Rivera", email="sam@example.com", role="agent"),
    Agent(id="agent-priya", name="Priya Natarajan", email="priya@example.com", role="admin"),
)

MACROS = (
    Macro(
        id="macro-refund-policy",
        title="Refund policy",
        body=(
            "Thanks for reaching out! Refunds are available within 30 days of purchase. "
            "You can request one from Settings > Billing > Request refund, and it usually arrives "
            "within 5-10 business days. Let us know if there is anything else we can help with."
        ),
    ),
    Macro(
        id="macro-export-known-issue",
        title="CSV export: known issue",
        body=(
            "Thanks for letting us know. Our engineering team is aware that large CSV exports can time "
            "out and is working on a fix. In the meantime, exporting one month at a time works reliably. "
            "We appreciate your patience."
        ),
    ),
    Macro(
        id="macro-password-reset",
        title="Password reset",
        body=(
            "To reset your password, click 'Forgot password' on the sign-in page and follow the link we "
            "email you. The link is valid for 24 hours. If it does not arrive, check your spam folder."
        ),
    ),
)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for a delivery: sha256=hex(HMAC(secret, timestamp + "." + body))."""
    return "sha256=" + hmac_sha256_hex(secret, timestamp.encode("ascii") + b"." + body)


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """Check signature and freshness of a delivery.

    :raise SignatureError: on a missing, wrong or stale signature.
    """
    signature = headers.get(SIGNATURE_HEADER)
    timestamp = headers.get(TIMESTAMP_HEADER)
    if not signature or not timestamp:
        raise SignatureError(f"Missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header.")
    try:
        sent_at = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise SignatureError(f"{TIMESTAMP_HEADER} must be Unix seconds.") from None
    if not constant_time_equals(sign(secret, timestamp, body), signature):
        raise SignatureError("Signature does not match the body.")
    if not within_window(sent_at, now, TOLERANCE):
        raise SignatureError("Delivery timestamp is outside the 5-minute window.")


def describe(headers: Mapping[str, str], payload: dict) -> Delivery:
    """Delivery id and event type of a playground delivery."""
    delivery_id = headers.get(DELIVERY_HEADER) or payload.get("delivery_id")
    if not delivery_id:
        raise MalformedDelivery(f"Missing {DELIVERY_HEADER} header.")
    return Delivery(delivery_id=str(delivery_id), event_type=str(payload.get("event", "")))


def _ticket_created(installation_id: str, payload: dict) -> TicketCreated:
    return TicketCreated(installation_id=installation_id, ticket_id=str(payload["ticket_id"]))


def _comment_created(installation_id: str, payload: dict) -> CommentAdded:
    return CommentAdded(
        installation_id=installation_id,
        ticket_id=str(payload["ticket_id"]),
        comment_id=str(payload["comment_id"]),
        author_role=payload.get("author_role", CUSTOMER),
        public=bool(payload.get("public", True)),
        author_id=payload.get("author_id"),
    )


def _status_changed(installation_id: str, payload: dict) -> TicketStatusChanged:
    return TicketStatusChanged(
        installation_id=installation_id,
        ticket_id=str(payload["ticket_id"]),
        status=str(payload["status"]),
        previous_status=payload.get("previous_status"),
    )


def _assigned(installation_id: str, payload: dict) -> TicketAssigned:
    return TicketAssigned(
        installation_id=installation_id,
        ticket_id=str(payload["ticket_id"]),
        assignee_id=payload.get("assignee_id"),
        assignee_name=payload.get("assignee_name"),
    )


def _issue_updated(installation_id: str, payload: dict) -> TrackerIssueChanged:
    return TrackerIssueChanged(
        installation_id=installation_id,
        tracker="sandbox",
        issue_key=str(payload["issue_key"]),
        issue_id=str(payload.get("issue_id") or ""),
        title=str(payload.get("title") or ""),
        status=str(payload.get("status") or ""),
        category=str(payload["category"]),
        url=str(payload.get("url") or ""),
    )


EVENT_PARSERS: dict[str, Callable[[str, dict], DomainEvent]] = {
    "ticket.created": _ticket_created,
    "comment.created": _comment_created,
    "ticket.status_changed": _status_changed,
    "ticket.assigned": _assigned,
    "tracker.issue_updated": _issue_updated,
}


def parse_event(installation_id: str, payload: dict, headers: Mapping[str, str] | None = None) -> DomainEvent | None:
    """Turn a playground payload into a domain event; None for deliberately ignored events.

    :raise UnsupportedEvent: for an event type we do not know.
    """
    event = payload.get("event")
    if event in IGNORED_EVENT_TYPES:
        return None
    parser = EVENT_PARSERS.get(event)
    if parser is None:
        raise UnsupportedEvent(f"Unknown playground event {event!r}.")
    try:
        return parser(installation_id, payload)
    except (KeyError, TypeError):
        raise UnsupportedEvent(f"Playground event {event!r} is missing a required field.") from None


def delivery_payload(event: str, **fields) -> tuple[dict[str, str], bytes, dict]:
    """Headers, body and payload of a delivery the playground emits for its own ticket changes."""
    payload = {"event": event, **fields}
    body = json.dumps(payload, sort_keys=True).encode("utf-8")
    delivery_id = f"{event}:{fields.get('comment_id') or fields.get('ticket_id')}:{fields.get('status', '')}"
    if event == "ticket.assigned":
        delivery_id += f":{fields.get('assignee_id')}:{clock.now().timestamp()}"
    if event == "tracker.issue_updated":
        delivery_id = f"{event}:{fields.get('issue_key')}:{fields.get('category')}:{clock.now().timestamp()}"
    headers = {"Content-Type": "application/json", DELIVERY_HEADER: delivery_id}
    return headers, body, payload


class Client:
    """The Helpdesk protocol over the playground tables of one installation."""

    def __init__(self, session: Session, installation_id: str, base_url: str = ""):
        self.session = session
        self.installation_id = installation_id
        self.base_url = base_url.rstrip("/")

    def _ticket(self, ticket_id: str) -> PlaygroundTicket:
        try:
            key = int(ticket_id)
        except (TypeError, ValueError):
            raise NotFound(f"No playground ticket {ticket_id!r}.", provider=NAME) from None
        ticket = self.session.get(PlaygroundTicket, key)
        if ticket is None:
            raise NotFound(f"No playground ticket {ticket_id}.", provider=NAME)
        return ticket

    def ticket_url(self, ticket_id: str) -> str:
        """Where a person opens this ticket."""
        return f"{self.base_url}/playground/tickets/{ticket_id}"

    def get_ticket(self, ticket_id: str) -> Ticket:
        """The ticket with requester, organization, assignee and tags."""
        row = self._ticket(ticket_id)
        assignee = next((a for a in AGENTS if a.name == row.assignee), None)
        return Ticket(
            id=str(row.id),
            subject=row.subject,
            status=row.status,
            requester_name=row.requester_name,
            requester_email=row.requester_email,
            requester_id=row.requester_email,
            organization=row.organization,
            assignee_id=assignee.id if assignee else None,
            assignee_name=row.assignee,
            tags=tuple(row.tags or ()),
            url=self.ticket_url(str(row.id)),
        )

    def list_comments(self, ticket_id: str) -> list[Comment]:
        """Every message on the ticket, oldest first."""
        row = self._ticket(ticket_id)
        return [
            Comment(
                id=str(c.id),
                ticket_id=str(row.id),
                author_role=c.author_role,
                author_id=agent_id_for(c.author_name) if c.author_role == AGENT else row.requester_email,
                author_name=c.author_name,
                body=c.body,
                public=c.public,
                created_at=c.created_at,
            )
            for c in row.comments
        ]

    def add_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Add tags, keeping the ones already there."""
        row = self._ticket(ticket_id)
        row.tags = list(dict.fromkeys([*(row.tags or []), *tags]))
        self.session.flush()

    def remove_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Remove the listed tags only."""
        row = self._ticket(ticket_id)
        row.tags = [t for t in (row.tags or []) if t not in set(tags)]
        self.session.flush()

    def add_private_note(self, ticket_id: str, body: str) -> None:
        """Add an internal note that the customer never sees."""
        row = self._ticket(ticket_id)
        self.session.add(
            PlaygroundComment(
                installation_id=self.installation_id,
                ticket_id=row.id,
                author_role="system",
                author_name="Valuedesk",
                body=body,
                public=False,
            )
        )
        row.updated_at = clock.now()
        self.session.flush()

    def set_status(self, ticket_id: str, status: str) -> None:
        """Move the ticket to another status (used to reopen when an issue ships)."""
        self._ticket(ticket_id).status = status
        self.session.flush()

    def list_macros(self) -> list[Macro]:
        """The playground's canned replies."""
        return list(MACROS)

    def list_agents(self) -> list[Agent]:
        """The playground's agents."""
        return list(AGENTS)

    def iter_ticket_ids(self, since: datetime) -> list[str]:
        """Ids of tickets updated since `since`, oldest first (for backfills)."""
        return [
            str(i)
            for i in self.session.scalars(
                select(PlaygroundTicket.id)
                .where(PlaygroundTicket.updated_at >= since)
                .order_by(PlaygroundTicket.updated_at, PlaygroundTicket.id)
            )
        ]


def agent_id_for(name: str) -> str | None:
    """The id of the playground agent called `name`."""
    return next((a.id for a in AGENTS if a.name == name), None)


def client_from(session: Session, installation, credentials) -> Client:
    """The playground helpdesk of an installation, with ticket links on this service."""
    return Client(session, installation.id, current_app.config["VALUEDESK"].public_url)


VENDOR = Vendor(
    name=NAME, display_name="playground", long_name="the playground helpdesk", role=HELPDESK,
    webhooks=sys.modules[__name__], secret_credential=SECRET_CREDENTIAL, credentials={"webhook_secret": SECRET_CREDENTIAL},
    client_for=client_from, builtin=True, installation_prefix="pg",
)
