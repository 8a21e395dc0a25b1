"""Freshdesk deliveries: a per-installation secret header (Freshdesk does not sign), and parsing.

Automation rules: https://support.freshdesk.com/support/solutions/articles/132589
Product events: https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/serverless-apps/product-events/
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from collections.abc import Mapping
from datetime import datetime

from adapter.errors import MalformedDelivery
from adapter.errors import SignatureError
from adapter.errors import UnsupportedEvent
from adapter.events import AGENT
from adapter.events import CUSTOMER
from adapter.events import CommentAdded
from adapter.events import DomainEvent
from adapter.events import TicketUpdated
from adapter.providers.base import Delivery
from adapter.providers.freshdesk.constants import IGNORED_EVENT_TYPES
from adapter.providers.freshdesk.constants import SECRET_HEADER
from adapter.security import constant_time_equals

_APP_EVENTS = {
    "onConversationCreate": "app.conversation_created",
    "onTicketCreate": "app.ticket_created",
    "onTicketUpdate": "app.ticket_updated",
}


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """Compare the secret header in constant time (Freshdesk sends no signature).

    :raise SignatureError: when it is missing or wrong.
    """
    if not constant_time_equals(headers.get(SECRET_HEADER) or "", secret):
        raise SignatureError(f"Missing or wrong {SECRET_HEADER} header.")


def event_type_of(payload: dict) -> str:
    """Our name for a delivery: `automation.<event>` or `app.<event>`."""
    if payload.get("valuedesk") and isinstance(payload.get("event"), str):
        return f"automation.{payload['event']}"
    return _APP_EVENTS.get(str(payload.get("event")), "")


def _ticket_id(value) -> str:
    text = str(value or "").strip()
    if not text.isdigit():
        raise UnsupportedEvent("Freshdesk delivery has no numeric ticket id.")
    return text


def describe(headers: Mapping[str, str], payload: dict) -> Delivery:
    """Delivery id: (ticket, conversation, event) for app events; automation rules carry no id of their own.

    Automation deliveries only say "look at this ticket"; each one is kept, and the catch-up they
    trigger handles every comment once (comment marks), so a repeated delivery changes nothing.
    """
    event_type = event_type_of(payload)
    if event_type.startswith("app."):
        data = payload.get("data") or {}
        conversation = data.get("conversation") or {}
        ticket_id = conversation.get("ticket_id") or (data.get("ticket") or {}).get("id")
        if not ticket_id:
            raise MalformedDelivery("Freshdesk app event without a ticket id.")
        return Delivery(f"{ticket_id}:{conversation.get('id', '')}:{payload['event']}", event_type)
    if event_type.startswith("automation."):
        return Delivery(f"{payload.get('ticket_id')}:{payload['event']}:{uuid.uuid4().hex}", event_type)
    return Delivery(uuid.uuid4().hex, event_type)


def _automation(installation_id: str, payload: dict) -> TicketUpdated:
    return TicketUpdated(installation_id=installation_id, ticket_id=_ticket_id(payload.get("ticket_id")))


def _conversation_created(installation_id: str, payload: dict) -> CommentAdded:
    conversation = (payload.get("data") or {}).get("conversation") or {}
    if "id" not in conversation:
        raise UnsupportedEvent("onConversationCreate without a conversation id.")
    return CommentAdded(
        installation_id=installation_id,
        ticket_id=_ticket_id(conversation.get("ticket_id")),
        comment_id=str(conversation["id"]),
        author_role=CUSTOMER if conversation.get("incoming") else AGENT,
        public=not conversation.get("private", False),
        author_id=str(conversation["user_id"]) if conversation.get("user_id") else None,
    )


def _ticket_created(installation_id: str, payload: dict) -> TicketUpdated:
    ticket = (payload.get("data") or {}).get("ticket") or {}
    return TicketUpdated(installation_id=installation_id, ticket_id=_ticket_id(ticket.get("id")))


EVENT_PARSERS: dict[str, Callable[[str, dict], DomainEvent]] = {
    "automation.ticket_created": _automation,
    "automation.ticket_updated": _automation,
    "app.conversation_created": _conversation_created,
    "app.ticket_created": _ticket_created,
}


def parse_event(installation_id: str, payload: dict, headers: Mapping[str, str] | None = None) -> DomainEvent | None:
    """Turn a Freshdesk delivery into a domain event; None for ignored events.

    :raise UnsupportedEvent: for unknown events or deliveries without a ticket id.
    """
    event_type = event_type_of(payload)
    if event_type in IGNORED_EVENT_TYPES:
        return None
    parser = EVENT_PARSERS.get(event_type)
    if parser is None:
        raise UnsupportedEvent(f"Unknown Freshdesk event {event_type or '(none)'!r}.")
    return parser(installation_id, payload)


def automation_body(event: str) -> str:
    """The JSON an automation rule sends: the ticket id only; everything else is read through the API."""
    return json.dumps({"valuedesk": 1, "event": event, "ticket_id": "{{ticket.id}}"})


def automation_rules(webhook_url: str, secret: str) -> str:
    """Step-by-step automation rules to paste into Freshdesk, filled in for one installation."""
    steps = []
    for number, (title, trigger, event) in enumerate(
        (
            ("Valuedesk: ticket created", "Ticket creation rule, condition: any ticket", "ticket_created"),
            ("Valuedesk: ticket updated",
             "Ticket update rule, events: 'Reply is sent', 'Note is added', 'Customer replies', "
             "'Status is changed' and 'Agent is updated' (match any)", "ticket_updated"),
        ),
        start=1,
    ):
        steps.append(
            f"Rule {number}: {title}\n"
            f"  Admin > Workflows > Automations > {trigger}\n"
            f"  Action: Trigger webhook\n"
            f"    Request type:  POST\n"
            f"    URL:           {webhook_url}\n"
            f"    Custom header: {SECRET_HEADER}: {secret}\n"
            f"    Encoding:      JSON, advanced (custom) content:\n"
            f"    {automation_body(event)}\n"
        )
    return "\n".join(steps)
