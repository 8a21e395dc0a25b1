"""What happens inside the playground helpdesk: tickets change, and each change emits a delivery like a vendor's."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter import intake
from adapter.commitments import service as commitments
from adapter.credentials import CredentialStore
from adapter.installations import PLAYGROUND_ID
from adapter.installations import create_installation
from adapter.models import Commitment
from adapter.models import Installation
from adapter.models import PlaygroundComment
from adapter.models import PlaygroundTicket
from adapter.models import ReplyCheckWeek
from adapter.models import SandboxIssue
from adapter.models import Signal
from adapter.models import Theme
from adapter.playground import sample
from adapter.providers import playground
from adapter.providers import sandbox_tracker
from adapter.security import new_secret
from adapter.signals import taxonomy

STATUSES = ("new", "open", "pending", "solved", "closed")


def emit(session: Session, event: str, **fields) -> int | None:
    """Record a playground delivery through the same intake as vendor webhooks; the receipt id to enqueue."""
    headers, body, payload = playground.delivery_payload(event, **fields)
    outcome = intake.record(session.connection(), playground, PLAYGROUND_ID, headers, body, payload)
    return outcome.receipt_id if outcome.status == intake.ACCEPTED else None


def add_comment(
    session: Session, ticket: PlaygroundTicket, *, author_role: str, author_name: str, body: str, public: bool
) -> tuple[PlaygroundComment, int | None]:
    """Add a message to a ticket and emit comment.created; returns the comment and its receipt id."""
    comment = PlaygroundComment(
        installation_id=PLAYGROUND_ID,
        ticket_id=ticket.id,
        author_role=author_role,
        author_name=author_name,
        body=body,
        public=public,
    )
    session.add(comment)
    ticket.updated_at = clock.now()
    if author_role == "customer" and ticket.status in ("pending", "solved"):
        ticket.status = "open"
    elif author_role == "agent" and public and ticket.status in ("new", "open"):
        ticket.status = "pending"
    session.flush()
    receipt_id = emit(
        session,
        "comment.created",
        ticket_id=ticket.id,
        comment_id=comment.id,
        author_role=author_role,
        public=public,
        author_id=playground.agent_id_for(author_name) if author_role == "agent" else None,
    )
    return comment, receipt_id


def set_status(session: Session, ticket: PlaygroundTicket, status: str) -> int | None:
    """Move a ticket to another status and emit ticket.status_changed."""
    previous = ticket.status
    if previous == status:
        return None
    ticket.status = status
    ticket.updated_at = clock.now()
    session.flush()
    return emit(session, "ticket.status_changed", ticket_id=ticket.id, status=status, previous_status=previous)


def create_ticket(
    session: Session, *, subject: str, requester_name: str, requester_email: str, organization: str | None, body: str
) -> tuple[PlaygroundTicket, list[int]]:
    """Open a ticket with the customer's first message; returns it and the receipt ids to enqueue."""
    ticket = PlaygroundTicket(
        installation_id=PLAYGROUND_ID,
        subject=subject,
        requester_name=requester_name,
        requester_email=requester_email,
        organization=organization,
        status="new",
        tags=[],
    )
    session.add(ticket)
    session.flush()
    receipts = [emit(session, "ticket.created", ticket_id=ticket.id)]
    _, receipt_id = add_comment(
        session, ticket, author_role="customer", author_name=requester_name, body=body, public=True
    )
    receipts.append(receipt_id)
    return ticket, [r for r in receipts if r]


def ensure_installation(session: Session) -> Installation:
    """The playground installation, created with its webhook secret on first use (system session)."""
    installation = session.get(Installation, PLAYGROUND_ID)
    if installation is None:
        installation = create_installation(
            session,
            kind="playground",
            account="playground",
            name="Playground (sample data)",
            timezone="Europe/London",
            installation_id=PLAYGROUND_ID,
        )
        taxonomy.update_settings(installation, competitors=list(sample.COMPETITORS))
    store = CredentialStore(session, PLAYGROUND_ID)
    if store.get(playground.SECRET_CREDENTIAL) is None:
        store.set(playground.SECRET_CREDENTIAL, new_secret())
    return installation


def seed_tickets(session: Session, *, reset: bool = False) -> list[int]:
    """Create the sample tickets (tenant session); returns receipt ids to enqueue. Idempotent unless `reset`."""
    existing = session.scalars(select(PlaygroundTicket)).all()
    if existing and not reset:
        return []
    for ticket in existing:
        session.delete(ticket)
    session.flush()
    now = clock.now()
    receipt_ids: list[int] = []
    for spec in sample.TICKETS:
        first = sample.message_times(now, spec["messages"][0][0])
        ticket = PlaygroundTicket(
            installation_id=PLAYGROUND_ID,
            subject=spec["subject"],
            requester_name=spec["requester_name"],
            requester_email=spec["requester_email"],
            organization=spec["organization"],
            status=spec["status"],
            assignee=spec["assignee"],
            tags=[],
            created_at=first,
            updated_at=first,
        )
        session.add(ticket)
        session.flush()
        for minutes_ago, role, name, public, body in spec["messages"]:
            comment = PlaygroundComment(
                installation_id=PLAYGROUND_ID,
                ticket_id=ticket.id,
                author_role=role,
                author_name=name,
                body=body,
                public=public,
                created_at=sample.message_times(now, minutes_ago),
            )
            session.add(comment)
            session.flush()
            ticket.updated_at = comment.created_at
            receipt_ids.append(
                emit(session, "comment.created", ticket_id=ticket.id, comment_id=comment.id, author_role=role,
                     public=public, author_id=playground.agent_id_for(name) if role == "agent" else None)
            )
    return [r for r in receipt_ids if r]


def seed_history(session: Session) -> int:
    """Add the sample signal history (tenant session); nothing when signals already exist."""
    if session.scalar(select(Signal.id).limit(1)) is not None:
        return 0
    now = clock.now()
    themes: dict[str, Theme] = {}
    for n, (days_ago, type_key, title, quote, customer, organization) in enumerate(sample.HISTORY):
        theme = None
        if title:
            theme = themes.get(title) or Theme(title=title, created_at=now - timedelta(days=days_ago))
            themes[title] = theme
            session.add(theme)
            session.flush()
        session.add(Signal(ticket_id=f"sample-{100 + n}", type_key=type_key, quote=quote, customer_name=customer,
                           customer_id=customer.lower().replace(" ", ".") + "@sample.example",
                           organization=organization, agent_name="Sample history", source="agent",
                           theme_id=theme.id if theme else None, created_at=now - timedelta(days=days_ago)))
    session.flush()
    return len(sample.HISTORY)


def seed_team_history(session: Session, installation: Installation) -> bool:
    """Add seven past weeks of team follow-ups and pre-send checks, and turn the team digest on, so the tour's
    dashboard has something to show (tenant session); False when already there."""
    if session.scalar(select(ReplyCheckWeek.id).limit(1)) is not None:
        return False
    now = clock.now()
    monday = datetime.combine(clock.monday_of(now.date()), time(15), tzinfo=UTC)
    for weeks_ago, kept, missed, missed_text, missed_time in sample.FOLLOWUP_HISTORY:
        due = monday - timedelta(weeks=weeks_ago)
        for n in range(kept + missed):
            state = "missed" if n < missed else "kept"
            session.add(Commitment(ticket_id=f"sample-{weeks_ago}{n:02d}", agent_name="Sample history", state=state,
                                   text=missed_text if state == "missed" else "I'll get back to you with an update today.",
                                   due_text=missed_time if state == "missed" else "today",
                                   due_at=due + timedelta(hours=n % 40), created_at=due - timedelta(days=1),
                                   closed_at=due + timedelta(hours=n % 40)))
    for weeks_ago, checks, warned, edited, anyway in sample.CHECK_HISTORY:
        session.add(ReplyCheckWeek(week=clock.monday_of(now.date()) - timedelta(weeks=weeks_ago), checks=checks,
                                   warned=warned, edited=edited, sent_anyway=anyway))
    commitments.update_settings(installation, lead_digest=True)
    session.flush()
    return True


def set_issue_state(session: Session, issue: SandboxIssue, state: str, base_url: str) -> int | None:
    """Move a sandbox tracker issue to another state and emit what Jira's or Linear's webhook would say."""
    if issue.state == state:
        return None
    issue.state = state
    issue.updated_at = clock.now()
    session.flush()
    view = sandbox_tracker.Client(session, base_url).issue(issue)
    return emit(session, "tracker.issue_updated", issue_key=view.key, issue_id=view.id, title=view.title,
                status=view.status, category=view.category, url=view.url)
