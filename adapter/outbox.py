"""The outbox: outbound writes recorded in the same transaction as their cause, sent by a job after commit.

A helpdesk or tracker outage therefore delays a write and never loses it: the action stays pending,
is retried with backoff (honouring Retry-After), and the admin console lists what is pending or failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter.models.outbox import OutboxAction

log = logging.getLogger("valuedesk.outbox")
_PENDING = "valuedesk.outbox.pending"

Action = Callable[[object, dict], None]


def _helpdesk_add_tags(context, payload: dict) -> None:
    context.helpdesk.add_tags(payload["ticket_id"], payload["tags"])


def _helpdesk_remove_tags(context, payload: dict) -> None:
    context.helpdesk.remove_tags(payload["ticket_id"], payload["tags"])


def _helpdesk_add_note(context, payload: dict) -> None:
    context.helpdesk.add_private_note(payload["ticket_id"], payload["body"])


def _helpdesk_set_status(context, payload: dict) -> None:
    context.helpdesk.set_status(payload["ticket_id"], payload["status"])


# Each kind of write, explicitly; feature modules add theirs here.
ACTIONS: dict[str, Action] = {
    "helpdesk.add_tags": _helpdesk_add_tags,
    "helpdesk.remove_tags": _helpdesk_remove_tags,
    "helpdesk.add_note": _helpdesk_add_note,
    "helpdesk.set_status": _helpdesk_set_status,
}


def add(session: Session, kind: str, payload: dict, *, dedupe_key: str | None = None,
        installation_id: str | None = None) -> OutboxAction | None:
    """Record a write to send once this transaction commits; None when a pending one with `dedupe_key` exists."""
    if kind not in ACTIONS:
        raise ValueError(f"unknown outbox action {kind!r}")
    if dedupe_key is not None:
        existing = session.scalar(select(OutboxAction).where(OutboxAction.dedupe_key == dedupe_key))
        if existing is not None:
            return None
    action = OutboxAction(kind=kind, payload=payload, dedupe_key=dedupe_key)
    if installation_id:
        action.installation_id = installation_id
    session.add(action)
    session.flush()
    session.info.setdefault(_PENDING, []).append(action.id)
    return action


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for action_id in session.info.pop(_PENDING, ()):
        try:
            from adapter import queue

            queue.enqueue("run_outbox_action", action_id)
        except Exception as exc:  # committed, so the periodic sweep sends it
            log.warning("outbox.enqueue_failed", extra={"fields": {"action_id": action_id, "error": type(exc).__name__}})


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
