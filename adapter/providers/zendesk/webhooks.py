"""Zendesk webhook deliveries: signature check and parsing into domain events."""

from __future__ import annotations

import json
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
from adapter.events import TicketAssigned
from adapter.events import TicketCreated
from adapter.events import TicketStatusChanged
from adapter.providers.base import Delivery
from adapter.providers.zendesk.constants import IGNORED_EVENT_TYPES
from adapter.providers.zendesk.constants import INVOCATION_HEADER
from adapter.providers.zendesk.constants import SIGNATURE_HEADER
from adapter.providers.zendesk.constants import STATUSES
from adapter.providers.zendesk.constants import TIMESTAMP_HEADER
from adapter.providers.zendesk.constants import TOLERANCE
from adapter.security import constant_time_equals
from adapter.security import hmac_sha256_base64
from adapter.security import within_window


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature Zendesk sends: base64(HMAC-SHA256(secret, timestamp + body))."""
    return hmac_sha256_base64(secret, timestamp.encode("utf-8") + body)


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """Check the signature over the raw body and the timestamp window.

    :raise SignatureError: on a missing, wrong or stale signature.
    """
    signature = headers.get(SIGNATURE_HEADER)
    timestamp = headers.get(TIMESTAMP_HEADER)
    if not signature or not timestamp:
        raise SignatureError(f"Missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header.")
    # Sign the timestamp exactly as it arrived; parse it only for the replay window.
    if not constant_time_equals(sign(secret, timestamp, body), signature):
        raise SignatureError("Signature does not match the body.")
    try:
        sent_at = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise SignatureError(f"{TIMESTAMP_HEADER} is not an ISO-8601 time.") from None
    if sent_at.tzinfo is None or not within_window(sent_at, now, TOLERANCE):
        raise SignatureError("Delivery timestamp is outside the 5-minute window.")


def event_type_of(payload: dict) -> str:
    """Our name for a delivery's event: `trigger.<event>` or the Zendesk type without its prefix."""
    zendesk_type = payload.get("type")
    if isinstance(zendesk_type, str) and zendesk_type.startswith("zen:event-type:"):
        return zendesk_type.removeprefix("zen:event-type:")
    if payload.get("valuedesk") and isinstance(payload.get("event"), str):
        return f"trigger.{payload['event']}"
    return ""


def describe(headers: Mapping[str, str], payload: dict) -> Delivery:
    """Delivery id (the invocation id) and event type of a Zendesk delivery."""
    delivery_id = headers.get(INVOCATION_HEADER) or payload.get("id")
    if not delivery_id:
        raise MalformedDelivery(f"Missing {INVOCATION_HEADER} header.")
    return Delivery(delivery_id=str(delivery_id), event_type=event_type_of(payload))


def _status(value) -> str | None:
    text = str(value or "").strip().lower()
    return text if text in STATUSES else None


def _id(value) -> str | None:
    text = str(value or "").strip()
    return text if text.isdigit() else None


def _trigger_comment(installation_id: str, payload: dict) -> CommentAdded:
    # Trigger bodies carry ids only; author role and visibility are read through the API.
    return CommentAdded(
        installation_id=installation_id,
        ticket_id=_required_id(payload, "ticket_id"),
        comment_id=_required_id(payload, "comment_id"),
        author_role=None,
        public=None,
        author_id=_id(payload.get("actor_id")),
    )


def _trigger_created(installation_id: str, payload: dict) -> TicketCreated:
    return TicketCreated(installation_id=installation_id, ticket_id=_required_id(payload, "ticket_id"))


def _trigger_status(installation_id: str, payload: dict) -> TicketStatusChanged:
    # {{ticket.status}} may be a translated label; an unknown value is looked up through the API.
    return TicketStatusChanged(
        installation_id=installation_id,
        ticket_id=_required_id(payload, "ticket_id"),
        status=_status(payload.get("status")),
    )


def _trigger_assignee(installation_id: str, payload: dict) -> TicketAssigned:
    return TicketAssigned(
        installation_id=installation_id,
        ticket_id=_required_id(payload, "ticket_id"),
        assignee_id=_id(payload.get("assignee_id")),
    )


def _event_ticket_id(payload: dict) -> str:
    detail_id = _id((payload.get("detail") or {}).get("id"))
    subject = str(payload.get("subject") or "")
    return detail_id or _required_id({"ticket_id": subject.removeprefix("zen:ticket:")}, "ticket_id")


def _event_comment(installation_id: str, payload: dict) -> CommentAdded:
    comment = (payload.get("event") or {}).get("comment") or {}
    author = comment.get("author") or {}
    if "id" not in comment or "is_public" not in comment:
        raise UnsupportedEvent("ticket.comment_added without a comment id or visibility.")
    return CommentAdded(
        installation_id=installation_id,
        ticket_id=_event_ticket_id(payload),
        comment_id=str(comment["id"]),
        author_role=AGENT if author.get("is_staff") else CUSTOMER,
        public=bool(comment["is_public"]),
        author_id=_id(author.get("id")),
    )


def _event_created(installation_id: str, payload: dict) -> TicketCreated:
    return TicketCreated(installation_id=installation_id, ticket_id=_event_ticket_id(payload))


def _event_status(installation_id: str, payload: dict) -> TicketStatusChanged:
    event = payload.get("event") or {}
    return TicketStatusChanged(
        installation_id=installation_id,
        ticket_id=_event_ticket_id(payload),
        status=_status(event.get("current")),
        previous_status=_status(event.get("previous")),
    )


def _event_assignment(installation_id: str, payload: dict) -> TicketAssigned:
    return TicketAssigned(
        installation_id=installation_id,
        ticket_id=_event_ticket_id(payload),
        assignee_id=_id((payload.get("event") or {}).get("current")),
    )


def _required_id(payload: dict, key: str) -> str:
    value = _id(payload.get(key))
    if value is None:
        raise UnsupportedEvent(f"Zendesk delivery has no numeric {key}.")
    return value


EVENT_PARSERS: dict[str, Callable[[str, dict], DomainEvent]] = {
    "trigger.comment_added": _trigger_comment,
    "trigger.ticket_created": _trigger_created,
    "trigger.status_changed": _trigger_status,
    "trigger.assignee_changed": _trigger_assignee,
    "ticket.comment_added": _event_comment,
    "ticket.created": _event_created,
    "ticket.status_changed": _event_status,
    "ticket.agent_assignment_changed": _event_assignment,
}


def parse_event(installation_id: str, payload: dict, headers: Mapping[str, str] | None = None) -> DomainEvent | None:
    """Turn a trigger or event-subscription delivery into a domain event; None for ignored events.

    :raise UnsupportedEvent: for unknown event types or deliveries missing their ids.
    """
    event_type = event_type_of(payload)
    if event_type in IGNORED_EVENT_TYPES:
        return None
    parser = EVENT_PARSERS.get(event_type)
    if parser is None:
        raise UnsupportedEvent(f"Unknown Zendesk event {event_type or '(none)'!r}.")
    return parser(installation_id, payload)


def trigger_body(event: str) -> str:
    """The JSON body our triggers send: ids and placeholders only, never comment text."""
    body = {"valuedesk": 1, "event": event, "ticket_id": "{{ticket.id}}", "actor_id": "{{current_user.id}}"}
    if event == "comment_added":
        body["comment_id"] = "{{ticket.latest_comment.id}}"
    elif event == "status_changed":
        body["status"] = "{{ticket.status}}"
    elif event == "assignee_changed":
        body["assignee_id"] = "{{ticket.assignee.id}}"
    return json.dumps(body)


def trigger_specs(webhook_id: str, *, description: str = "Created by Valuedesk; removed by `valuedesk installations "
                                                          "disconnect`.") -> dict[str, dict]:
    """The triggers `connect` creates (or the app's requirements declare), keyed by the event each one reports.

    `webhook_id` is the webhook's id, or in requirements.json the webhook requirement's identifier.
    """
    changed = {"field": "update_type", "operator": "is", "value": "Change"}

    def spec(title: str, event: str, all_conditions: list, any_conditions: list | None = None) -> dict:
        return {
            "title": f"Valuedesk: {title}",
            "active": True,
            "description": description,
            "conditions": {"all": all_conditions, "any": any_conditions or []},
            "actions": [{"field": "notification_webhook", "value": [webhook_id, trigger_body(event)]}],
        }

    return {
        "comment_added": spec(
            "comment added",
            "comment_added",
            [],
            [
                {"field": "comment_is_public", "operator": "is", "value": "true"},
                {"field": "comment_is_public", "operator": "is", "value": "false"},
            ],
        ),
        "status_changed": spec(
            "status changed", "status_changed", [changed, {"field": "status", "operator": "changed", "value": None}]
        ),
        "assignee_changed": spec(
            "assignee changed",
            "assignee_changed",
            [changed, {"field": "assignee_id", "operator": "changed", "value": None}],
        ),
    }
