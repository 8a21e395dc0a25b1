"""Route domain events to the domain modules that react to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session

from adapter.events import CommentAdded
from adapter.events import DomainEvent
from adapter.events import TicketAssigned
from adapter.events import TicketCreated
from adapter.events import TicketStatusChanged
from adapter.models import Installation
from adapter.providers.base import Helpdesk


@dataclass
class EventContext:
    """What a handler gets besides the event: the tenant session, the installation and its helpdesk."""

    session: Session
    installation: Installation

    @cached_property
    def helpdesk(self) -> Helpdesk:
        """The installation's helpdesk client, built on first use."""
        from adapter.providers import helpdesk_client

        return helpdesk_client(self.session, self.installation)


Handler = Callable[[DomainEvent, EventContext], None]

# Each feature module adds its handlers here; order within a tuple is the order they run.
HANDLERS: dict[type, tuple[Handler, ...]] = {
    TicketCreated: (),
    CommentAdded: (),
    TicketStatusChanged: (),
    TicketAssigned: (),
}


def handle(event: DomainEvent, context: EventContext) -> int:
    """Run every handler registered for the event's type; returns how many ran."""
    handlers = HANDLERS.get(type(event), ())
    for handler in handlers:
        handler(event, context)
    return len(handlers)
