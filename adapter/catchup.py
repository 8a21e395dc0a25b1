"""Catching up on a ticket: turn "something changed" into the precise events that changed it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adapter import clock
from adapter import dispatch
from adapter.events import CommentAdded
from adapter.events import TicketAssigned
from adapter.events import TicketStatusChanged
from adapter.events import TicketUpdated
from adapter.models import TicketSnapshot

# Comments older than this (or than the installation) are history, handled by an explicit backfill.
WINDOW = timedelta(days=7)


def catch_up(event: TicketUpdated, context) -> None:
    """Emit CommentAdded for the ticket's recent comments, and status/assignee changes since the last look."""
    since = max(context.installation.created_at, clock.now() - WINDOW)
    for comment in context.comments(event.ticket_id):
        if comment.created_at is not None and comment.created_at < since:
            continue
        context.emit(CommentAdded(event.installation_id, event.ticket_id, comment.id, comment.author_role,
                                  comment.public, comment.author_id))
    ticket = context.ticket(event.ticket_id)
    snapshot = context.session.scalar(select(TicketSnapshot).where(TicketSnapshot.ticket_id == event.ticket_id))
    if snapshot is None:
        snapshot = TicketSnapshot(ticket_id=event.ticket_id)
        context.session.add(snapshot)
    if snapshot.status != ticket.status:
        context.emit(TicketStatusChanged(event.installation_id, event.ticket_id, ticket.status, snapshot.status))
    if snapshot.assignee_id != ticket.assignee_id and (snapshot.id is not None or ticket.assignee_id):
        context.emit(TicketAssigned(event.installation_id, event.ticket_id, ticket.assignee_id, ticket.assignee_name))
    snapshot.status, snapshot.assignee_id = ticket.status, ticket.assignee_id
    context.session.flush()


def register() -> None:
    """A ticket update without details catches up on what it missed (called once at app start by adapter.wiring)."""
    dispatch.on(TicketUpdated, catch_up)
