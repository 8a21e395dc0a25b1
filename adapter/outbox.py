"""The outbox: outbound writes recorded in the same transaction as their cause, sent by a job after commit.

A helpdesk or tracker outage therefore delays a write and never loses it: the action stays pending,
is retried with backoff (honouring Retry-After), and the admin console lists what is pending or failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.db import SCOPE_KEY
from adapter.db import insert_unless_exists
from adapter.errors import NotFound
from adapter.errors import UnsupportedEvent
from adapter.models.outbox import OutboxAction

log = logging.getLogger("valuedesk.outbox")
_PENDING = "valuedesk.outbox.pending"

Action = Callable[[object, dict], None]


def _on_ticket(write: Action) -> Action:
    """A helpdesk write to one ticket: when the ticket no longer exists there is nothing to retry."""

    def run(context, payload: dict) -> None:
        try:
            write(context, payload)
        except NotFound:
            raise UnsupportedEvent(f"Ticket {payload['ticket_id']} no longer exists in the helpdesk.") from None

    run.__name__ = write.__name__
    return run


@_on_ticket
def _helpdesk_add_tags(context, payload: dict) -> None:
    context.helpdesk.add_tags(payload["ticket_id"], payload["tags"])


@_on_ticket
def _helpdesk_remove_tags(context, payload: dict) -> None:
    context.helpdesk.remove_tags(payload["ticket_id"], payload["tags"])


@_on_ticket
def _helpdesk_add_note(context, payload: dict) -> None:
    context.helpdesk.add_private_note(payload["ticket_id"], payload["body"])


@_on_ticket
def _helpdesk_set_status(context, payload: dict) -> None:
    context.helpdesk.set_status(payload["ticket_id"], payload["status"])


# Each kind of write, explicitly: the helpdesk's here, the features' added by their `register` at app start.
ACTIONS: dict[str, Action] = {
    "helpdesk.add_tags": _helpdesk_add_tags,
    "helpdesk.remove_tags": _helpdesk_remove_tags,
    "helpdesk.add_note": _helpdesk_add_note,
    "helpdesk.set_status": _helpdesk_set_status,
}
# What hands a committed action to the job queue: (action id, delay in seconds); create_app sets it.
_senders: list[Callable[[int, float], None]] = []


def register(kind: str, action: Action) -> None:
    """Make `kind` a write features can record (called at app start; registering again changes nothing)."""
    ACTIONS[kind] = action


def send_with(sender: Callable[[int, float], None]) -> None:
    """Hand committed actions to `sender` (the job queue)."""
    _senders[:] = [sender]


def add(session: Session, kind: str, payload: dict, *, dedupe_key: str | None = None,
        installation_id: str | None = None, not_before: datetime | None = None) -> OutboxAction | None:
    """Record a write to send once this transaction commits (or at `not_before`).

    With `dedupe_key`, at most one action with that key waits at a time: None when one is pending
    already (it has not started, so it will see the change that asked for it).
    """
    if kind not in ACTIONS:
        raise ValueError(f"unknown outbox action {kind!r}")
    if dedupe_key is not None:
        existing = session.scalar(select(OutboxAction).where(OutboxAction.dedupe_key == dedupe_key))
        if existing is not None and existing.status == "pending":
            return None
        if existing is not None:
            existing.dedupe_key = None  # sent, running or given up: the key is free for the next write
    if dedupe_key is None:
        action = OutboxAction(kind=kind, payload=payload)
        if installation_id:
            action.installation_id = installation_id
        if not_before is not None:
            action.next_attempt_at = not_before
        session.add(action)
        session.flush()
    else:  # a concurrent writer may take the same key first; theirs will do
        values = {"installation_id": installation_id or session.info[SCOPE_KEY], "kind": kind, "payload": payload,
                  "dedupe_key": dedupe_key, "created_at": clock.now(), "next_attempt_at": not_before or clock.now()}
        action_id = insert_unless_exists(session, OutboxAction, values, ["installation_id", "dedupe_key"])
        if action_id is None:
            return None
        action = session.get(OutboxAction, action_id)
    delay = (not_before - clock.now()).total_seconds() if not_before is not None else 0.0
    session.info.setdefault(_PENDING, []).append((action.id, max(delay, 0.0)))
    return action


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for action_id, delay in session.info.pop(_PENDING, ()):
        try:
            if not _senders:
                raise RuntimeError("no job queue is wired to the outbox")
            _senders[0](action_id, delay)
        except Exception as exc:  # committed, so the periodic sweep sends it
            log.warning("outbox.enqueue_failed", extra={"fields": {"action_id": action_id, "error": type(exc).__name__}})


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
