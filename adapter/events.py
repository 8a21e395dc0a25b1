"""Frozen domain events: the only input the domain modules see from vendors."""

from __future__ import annotations

from dataclasses import dataclass

CUSTOMER = "customer"
AGENT = "agent"
SYSTEM = "system"
AUTHOR_ROLES = (CUSTOMER, AGENT, SYSTEM)


@dataclass(frozen=True)
class TicketCreated:
    """A new ticket was opened."""

    installation_id: str
    ticket_id: str


@dataclass(frozen=True)
class CommentAdded:
    """A message was added to a ticket; its text is fetched through the provider, never taken from the hook.

    `author_role` and `public` are None when the delivery did not say (Zendesk trigger bodies carry
    ids only); dispatch fills them in from the helpdesk API before any handler runs.
    """

    installation_id: str
    ticket_id: str
    comment_id: str
    author_role: str | None
    public: bool | None
    author_id: str | None = None


@dataclass(frozen=True)
class TicketStatusChanged:
    """A ticket moved to another status (open, pending, solved, closed, spam, deleted, merged)."""

    installation_id: str
    ticket_id: str
    status: str | None
    previous_status: str | None = None


@dataclass(frozen=True)
class TicketAssigned:
    """A ticket was assigned to another agent."""

    installation_id: str
    ticket_id: str
    assignee_id: str | None
    assignee_name: str | None = None


@dataclass(frozen=True)
class TicketUpdated:
    """Something changed on a ticket, without saying what (Freshdesk automation rules); catch up from the API."""

    installation_id: str
    ticket_id: str


@dataclass(frozen=True)
class RefundUpdated:
    """A billing provider reported a refund's status (e.g. Stripe's refund.failed after the card bounced it)."""

    installation_id: str
    refund_id: str
    status: str
    action_ref: str | None = None
    failure_reason: str | None = None


@dataclass(frozen=True)
class TrackerIssueChanged:
    """A Jira or Linear issue changed state (or was deleted); `category` is done, cancelled, in_progress, unstarted."""

    installation_id: str
    tracker: str
    issue_key: str
    issue_id: str
    title: str
    status: str
    category: str
    url: str = ""
    deleted: bool = False


DomainEvent = (TicketCreated | CommentAdded | TicketStatusChanged | TicketAssigned | TicketUpdated | RefundUpdated
               | TrackerIssueChanged)
