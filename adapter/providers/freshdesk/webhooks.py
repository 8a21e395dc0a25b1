"""Freshdesk deliveries: a per-installation secret header (Freshdesk does not sign), and parsing.

Automation rules: https://support.freshdesk.com/support/solutions/articles/132589
Product events: https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/serverless-apps/product-events/
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from adapter.errors import MalformedDelivery
from adapter.errors import SignatureError
from adapter.errors import UnsupportedEvent
from adapter.events import AGENT
from adapter.events import CUSTOMER
from adapter.events import CommentAdded
from adapter.events import DomainEvent
from adapter.events import TicketUpdated
from adapter.providers.base import Delivery
from adapter.providers.freshdesk.constants import APP_KEY_HEADER
from adapter.providers.freshdesk.constants import IGNORED_EVENT_TYPES
from adapter.providers.freshdesk.constants import SECRET_HEADER
from adapter.security import constant_time_equals
from adapter.security import loads_bounded

# Freshdesk retries a failed webhook after 5, 30 and 60 more minutes (~, third-party docs), and the FDK app sends at
# once: a delivery whose own time is older than this is a replay, refused. Nearer replays are duplicates.
REPLAY_WINDOW = timedelta(hours=2)
CLOCK_SKEW = timedelta(minutes=5)

_APP_EVENTS = {
    "onConversationCreate": "app.conversation_created",
    "onTicketCreate": "app.ticket_created",
    "onTicketUpdate": "app.ticket_updated",
}


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """Compare the secret header in constant time (Freshdesk sends no signature), then the delivery's own time.

    :raise SignatureError: when it is missing or wrong, or the delivery is a replay.
    """
    if not constant_time_equals(headers.get(SECRET_HEADER) or "", secret):
        raise SignatureError(f"Missing or wrong {SECRET_HEADER} header.")
    _within_window(body, now)


def key_digest(api_key: str) -> str:
    """What the marketplace app's key is compared by (a fixed length, so the comparison leaks nothing)."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def verify_app(headers: Mapping[str, str], body: bytes, digest: str, now: datetime) -> None:
    """The marketplace app's deliveries: its key (against the stored digest) instead of a secret, the same window.

    :raise SignatureError: when the key is missing or not the registered one, or the delivery is a replay.
    """
    if not constant_time_equals(key_digest(headers.get(APP_KEY_HEADER) or ""), digest):
        raise SignatureError(f"Missing or wrong {APP_KEY_HEADER} header.")
    _within_window(body, now)


def _within_window(body: bytes, now: datetime) -> None:
    try:
        payload = loads_bounded(body)
    except ValueError:
        return  # the view answers for a body that is not JSON
    when = sent_at(payload) if isinstance(payload, dict) else None
    if when is not None and not now - REPLAY_WINDOW <= when <= now + CLOCK_SKEW:
        raise SignatureError(f"The delivery was made at {when:%Y-%m-%d %H:%M} UTC, outside the "
                             f"{REPLAY_WINDOW.seconds // 3600}-hour window for Freshdesk deliveries; it is refused as a replay.")


def _rendered(value) -> str | None:
    """A placeholder's value as Freshdesk filled it in; None when missing or left as the placeholder itself."""
    text = str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""
    return text[:64] if text and "{{" not in text else None


def _moment(value) -> datetime | None:
    """An epoch (seconds or milliseconds) or an ISO 8601 time with an offset; None for anything else."""
    text = _rendered(value)
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment.astimezone(UTC) if moment.tzinfo else None  # a time without a zone could be any
    try:
        return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def sent_at(payload: dict) -> datetime | None:
    """The delivery's own time: an app event's `timestamp`, or the ticket's updated_at an automation rule sends."""
    return _moment(payload.get("updated_at") if payload.get("valuedesk") else payload.get("timestamp"))


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
    """Delivery id from the content that identifies the event, as Freshdesk gives it no id of its own.

    App events: (ticket, conversation, event), and the time of a ticket update. Automation rules: (ticket, event, the ticket's updated_at), so the same
    rule firing for the same change is one delivery however often it is sent. A rule made before updated_at was in
    the body gets a fresh id each time; the catch-up it triggers handles every comment once (comment marks).
    """
    event_type = event_type_of(payload)
    if event_type.startswith("app."):
        data = payload.get("data") or {}
        conversation = data.get("conversation") or {}
        ticket_id = conversation.get("ticket_id") or (data.get("ticket") or {}).get("id")
        if not ticket_id:
            raise MalformedDelivery("Freshdesk app event without a ticket id.")
        # A ticket changes many times: each update is its own delivery, told apart by when Freshworks sent it.
        moment = sent_at(payload) if payload["event"] == "onTicketUpdate" else None
        version = f":{moment.isoformat()}" if moment else ""
        return Delivery(f"{ticket_id}:{conversation.get('id', '')}:{payload['event']}{version}", event_type)
    if event_type.startswith("automation."):
        moment = _moment(payload.get("updated_at"))
        version = moment.isoformat() if moment else _rendered(payload.get("updated_at"))
        return Delivery(f"{payload.get('ticket_id')}:{payload['event']}:{version or uuid.uuid4().hex}", event_type)
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


def _ticket_changed(installation_id: str, payload: dict) -> TicketUpdated:
    """A ticket created or updated in the app's account: the catch-up reads what changed through the API."""
    ticket = (payload.get("data") or {}).get("ticket") or {}
    return TicketUpdated(installation_id=installation_id, ticket_id=_ticket_id(ticket.get("id")))


EVENT_PARSERS: dict[str, Callable[[str, dict], DomainEvent]] = {
    "automation.ticket_created": _automation,
    "automation.ticket_updated": _automation,
    "app.conversation_created": _conversation_created,
    "app.ticket_created": _ticket_changed,
    "app.ticket_updated": _ticket_changed,
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
    """The JSON an automation rule sends: the ticket id and when it last changed; the rest is read through the API.

    updated_at (UNVERIFIED placeholder name, used by other Freshdesk integrations) identifies the change; if an
    account leaves it unrendered, the delivery is still accepted, without dedupe or a replay window.
    """
    return json.dumps({"valuedesk": 1, "event": event, "ticket_id": "{{ticket.id}}", "updated_at": "{{ticket.updated_at}}"})


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
