"""Route domain events to the domain modules that react to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from functools import cached_property

from sqlalchemy.orm import Session

from adapter.db import insert_unless_exists
from adapter.errors import NotFound
from adapter.errors import ProviderError
from adapter.events import CommentAdded
from adapter.events import DomainEvent
from adapter.events import TicketStatusChanged
from adapter.models import CommentMark
from adapter.models import Installation
from adapter.providers import helpdesk_client
from adapter.providers.base import Comment
from adapter.providers.base import Helpdesk
from adapter.providers.base import Ticket


@dataclass
class EventContext:
    """What a handler gets besides the event: the tenant session, the installation and its helpdesk.

    Tickets and comments fetched through it are cached for the job, so several handlers reading
    the same message cost one API call.
    """

    session: Session
    installation: Installation
    _tickets: dict[str, Ticket] = field(default_factory=dict)
    _comments: dict[str, list[Comment]] = field(default_factory=dict)
    _agents: dict[str, str] | None = None

    @cached_property
    def helpdesk(self) -> Helpdesk:
        """The installation's helpdesk client, built on first use."""
        return helpdesk_client(self.session, self.installation)

    def ticket(self, ticket_id: str) -> Ticket:
        """The ticket, fetched once per job."""
        if ticket_id not in self._tickets:
            self._tickets[ticket_id] = self.helpdesk.get_ticket(ticket_id)
        return self._tickets[ticket_id]

    def comments(self, ticket_id: str) -> list[Comment]:
        """The ticket's comments, fetched once per job."""
        if ticket_id not in self._comments:
            self._comments[ticket_id] = self.helpdesk.list_comments(ticket_id)
        return self._comments[ticket_id]

    def comment(self, ticket_id: str, comment_id: str) -> Comment:
        """One comment of the ticket.

        :raise NotFound: when the helpdesk has no such comment.
        """
        for comment in self.comments(ticket_id):
            if comment.id == str(comment_id):
                return comment
        raise NotFound(f"Ticket {ticket_id} has no comment {comment_id}.")

    def agent_name(self, agent_id: str | None) -> str | None:
        """An agent's display name, from the helpdesk's agent list (read once per job)."""
        if agent_id is None:
            return None
        if self._agents is None:
            try:
                self._agents = {a.id: a.name for a in self.helpdesk.list_agents()}
            except ProviderError:  # a name is nice to have; the commitment works without one
                self._agents = {}
        return self._agents.get(str(agent_id))

    def emit(self, event: DomainEvent) -> int:
        """Handle an event derived while handling another (e.g. comments found by a catch-up)."""
        return handle(event, self)


def resolve(event: DomainEvent, context: EventContext) -> DomainEvent:
    """Fill in what a delivery did not say (trigger bodies carry ids only) from the helpdesk API."""
    if isinstance(event, CommentAdded) and (event.author_role is None or event.public is None):
        comment = context.comment(event.ticket_id, event.comment_id)
        return replace(event, author_role=comment.author_role, public=comment.public,
                       author_id=event.author_id or comment.author_id)
    if isinstance(event, TicketStatusChanged) and event.status is None:
        return replace(event, status=context.ticket(event.ticket_id).status)
    return event


Handler = Callable[[DomainEvent, EventContext], None]

# Each feature adds its handlers with `on` at app start (adapter.wiring); they run in the order they were added.
HANDLERS: dict[type, tuple[Handler, ...]] = {}


def on(event_type: type, handler: Handler) -> None:
    """Run `handler` for every event of `event_type` (adding it again changes nothing)."""
    if handler not in HANDLERS.get(event_type, ()):
        HANDLERS[event_type] = (*HANDLERS.get(event_type, ()), handler)


def _first_delivery(context: EventContext, event: CommentAdded) -> bool:
    """Mark the comment as handled; False when another delivery (or path) already handled it."""
    values = {"installation_id": event.installation_id, "ticket_id": event.ticket_id, "comment_id": event.comment_id}
    return insert_unless_exists(context.session, CommentMark, values, ["installation_id", "ticket_id", "comment_id"]) is not None


def handle(event: DomainEvent, context: EventContext) -> int:
    """Resolve the event, then run every handler registered for its type; returns how many ran.

    A comment is handled once however many deliveries announce it: the mark is written in the same
    transaction as the handlers' work, so a failed attempt leaves no mark behind.
    """
    handlers = HANDLERS.get(type(event), ())
    if not handlers:
        return 0
    event = resolve(event, context)
    if isinstance(event, CommentAdded) and not _first_delivery(context, event):
        return 0
    for handler in handlers:
        handler(event, context)
    return len(handlers)
