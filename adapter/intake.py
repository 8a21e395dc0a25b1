"""What happens to a verified delivery: classify it, store its receipt, then enqueue its processing."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

from sqlalchemy.engine import Connection

from adapter import queue
from adapter import receipts

log = logging.getLogger("valuedesk.intake")

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
IGNORED = "ignored"
UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Outcome:
    """What became of a delivery."""

    status: str
    event_type: str
    receipt_id: int | None = None


def record(
    connection: Connection,
    source: ModuleType,
    installation_id: str,
    headers: Mapping[str, str],
    body: bytes,
    payload: dict,
) -> Outcome:
    """Store a receipt for a handled event type; deliveries already stored are reported as duplicates."""
    delivery = source.describe(headers, payload)
    if delivery.event_type in source.IGNORED_EVENT_TYPES:
        return Outcome(IGNORED, delivery.event_type)
    if delivery.event_type not in source.EVENT_TYPES:
        return Outcome(UNSUPPORTED, delivery.event_type)
    kept = {name: headers[name] for name in source.STORED_HEADERS if name in headers}
    stored = receipts.store(
        connection,
        installation_id=installation_id,
        provider=source.NAME,
        delivery_id=delivery.delivery_id,
        event_type=delivery.event_type,
        headers=kept,
        body=body,
    )
    return Outcome(ACCEPTED if stored.created else DUPLICATE, delivery.event_type, stored.receipt_id)


def enqueue_processing(receipt_id: int) -> bool:
    """Queue the receipt for processing; on a queue outage the receipt waits for the sweep."""
    try:
        queue.enqueue("process_receipt", receipt_id)
    except Exception as exc:  # the receipt is committed; the periodic sweep re-enqueues it
        log.warning("intake.enqueue_failed", extra={"fields": {"receipt_id": receipt_id, "error": type(exc).__name__}})
        return False
    return True
