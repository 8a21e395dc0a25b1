"""Commitments: promises agents make in replies (or add by hand), reminded privately, and ended honestly.

Kept: the promised update goes out before the due time (a public reply that is not itself another deferral).
Updated: a reply pushes the time out ("still checking, I'll write by Monday"): the new time stands, not a miss.
Done: the agent says so. Missed: the due time passes first. Closed: the ticket was solved with the promise
open (counted neither way: solving is not keeping). Cancelled: the ticket was deleted, spam or merged away.
Reminders and misses reach the agent alone (the sidebar) and happen exactly once, even with several workers.
Tasks Valuedesk suggests (tell linked customers an issue shipped) are not promises: never missed or counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from adapter import clock
from adapter import dispatch
from adapter import outbox
from adapter.commitments import deferral
from adapter.commitments.detect import detect
from adapter.commitments.schedule import Schedule
from adapter.db import insert_unless_exists
from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.errors import Missing
from adapter.errors import ProviderError
from adapter.events import AGENT
from adapter.events import CommentAdded
from adapter.events import TicketAssigned
from adapter.events import TicketStatusChanged
from adapter.installations import feature_settings
from adapter.installations import merged_settings
from adapter.installations import store_feature_settings
from adapter.models import Commitment
from adapter.models import Installation
from adapter.providers import helpdesk_client

# Off by default; when on, it says only that a follow-up is due on this ticket, never that one was missed.
DUE_TAG = "vd_followup_due"
MERGED_TAGS = ("closed_by_merge",)
MAX_TEXT = 1000


@dataclass(frozen=True)
class CommitmentSettings:
    """What admins decide about follow-up commitments."""

    lead_minutes: int = 60
    default_business_days: int = 1
    lead_digest: bool = False
    helpdesk_tags: bool = False


def settings_of(installation: Installation) -> CommitmentSettings:
    """The installation's commitment settings, with defaults for anything unset."""
    return feature_settings(installation, "commitments", CommitmentSettings)


def update_settings(installation: Installation, **changes) -> CommitmentSettings:
    """Validate and store new commitment settings.

    :raise DomainError: InvalidInput naming the setting that is out of range.
    """
    current = merged_settings(installation, "commitments", CommitmentSettings, changes)
    if not isinstance(current["lead_minutes"], int) or not 5 <= current["lead_minutes"] <= 7 * 24 * 60:
        raise InvalidInput("The reminder lead time must be between 5 minutes and 7 days.", code="invalid_setting", fields={"lead_minutes": "5–10080"})
    if not isinstance(current["default_business_days"], int) or not 1 <= current["default_business_days"] <= 10:
        raise InvalidInput("A promise without a time falls due after 1 to 10 business days.", code="invalid_setting", fields={"default_business_days": "1–10"})
    for name in ("lead_digest", "helpdesk_tags"):
        if not isinstance(current[name], bool):
            raise InvalidInput(f"{name} is true or false.", code="invalid_setting", fields={name: "true or false"})
    store_feature_settings(installation, "commitments", current)
    return CommitmentSettings(**current)


def schedule_of(installation: Installation) -> Schedule:
    """The installation's business hours."""
    return Schedule.from_installation(installation.timezone, installation.business_hours)


def _due_tag(session: Session, installation: Installation, ticket_id: str, *, add: bool) -> None:
    """Add or remove the ticket's "follow-up due" tag, when the admin turned helpdesk tags on."""
    if settings_of(installation).helpdesk_tags:
        kind = "helpdesk.add_tags" if add else "helpdesk.remove_tags"
        outbox.add(session, kind, {"ticket_id": ticket_id, "tags": [DUE_TAG]})


def _on_ticket(session: Session, ticket_id: str, states: tuple[str, ...] = ("open",)) -> list[Commitment]:
    return list(session.scalars(select(Commitment).where(Commitment.ticket_id == ticket_id,
                                                         Commitment.state.in_(states)).order_by(Commitment.id)))


def _close(session: Session, installation: Installation, commitment: Commitment, state: str, *,
           comment_id: str | None = None) -> None:
    commitment.state, commitment.closed_at = state, clock.now()
    commitment.outcome_comment_id = comment_id
    if commitment.reminded_at is not None:
        _due_tag(session, installation, commitment.ticket_id, add=False)


def _answer(session: Session, installation: Installation, commitment: Commitment, comment_id: str,
            reply: deferral.Reading) -> None:
    """What a later public reply by an agent means for one promise on the ticket."""
    if commitment.task:
        _close(session, installation, commitment, "done", comment_id=comment_id)  # the suggested update went out
    elif commitment.state == "missed":
        if commitment.outcome_comment_id is None:  # the honest late update: the miss stands, the tag goes
            commitment.outcome_comment_id = comment_id
            _due_tag(session, installation, commitment.ticket_id, add=False)
    elif not reply.defers:
        _close(session, installation, commitment, "kept", comment_id=comment_id)
    elif reply.due_at is not None and reply.due_at > commitment.due_at:
        commitment.due_at, commitment.updates = reply.due_at, commitment.updates + 1
        if commitment.reminded_at is not None:
            _due_tag(session, installation, commitment.ticket_id, add=False)
        commitment.reminded_at = None
    # A deferral without a new time ("still looking into it") keeps the promise open and its time as it was.


def on_comment(event: CommentAdded, context) -> None:
    """Webhook handler: a public agent reply answers earlier promises on the ticket and may make a new one."""
    if event.author_role != AGENT or not event.public:
        return
    session, installation = context.session, context.installation
    comment = context.comment(event.ticket_id, event.comment_id)
    written_at = comment.created_at or clock.now()
    settings = settings_of(installation)
    found = detect(comment.body, written_at, schedule_of(installation), default_days=settings.default_business_days)
    reply = deferral.read(comment.body, found)
    answered = [c for c in _on_ticket(session, event.ticket_id, ("open", "missed"))
                if c.source_comment_id != event.comment_id and c.created_at <= written_at]
    for commitment in answered:
        _answer(session, installation, commitment, event.comment_id, reply)
    if not found.promise or (reply.defers and any(not c.task and c.state == "open" for c in answered)):
        return  # a deferral moves the open promise; it is not a second one
    agent_id = event.author_id or comment.author_id
    values = {
        "installation_id": installation.id, "ticket_id": event.ticket_id, "agent_id": agent_id,
        "agent_name": comment.author_name or context.agent_name(agent_id), "text": found.sentence[:MAX_TEXT],
        "due_at": found.due_at, "due_text": found.due_text, "vague": found.vague, "conditional": found.conditional,
        "source_comment_id": event.comment_id, "manual": False, "task": False, "updates": 0, "state": "open",
        "created_at": written_at, "snoozes": 0,
    }
    insert_unless_exists(session, Commitment, values, ["installation_id", "source_comment_id"])


def on_status(event: TicketStatusChanged, context) -> None:
    """Webhook handler: solving closes open promises (neither kept nor missed); deletion, spam or a merge cancels."""
    if event.status not in ("solved", "closed", "deleted", "spam"):
        return
    open_ones = _on_ticket(context.session, event.ticket_id)
    if not open_ones:
        return
    cancelled = event.status in ("deleted", "spam")
    if event.status == "closed" and not cancelled:
        cancelled = any(tag in MERGED_TAGS for tag in context.ticket(event.ticket_id).tags)
    for commitment in open_ones:
        _close(context.session, context.installation, commitment, "cancelled" if cancelled else "closed")


def on_assigned(event: TicketAssigned, context) -> None:
    """Webhook handler: open promises move with the ticket to its new assignee, with a note saying so."""
    if event.assignee_id is None:
        return
    name = event.assignee_name or context.agent_name(event.assignee_id)
    for commitment in _on_ticket(context.session, event.ticket_id):
        if commitment.agent_id == event.assignee_id:
            continue
        commitment.agent_id, commitment.agent_name = event.assignee_id, name
        due = _local_label(commitment.due_at, schedule_of(context.installation))
        # Says what the customer is waiting for and who has it now; never who made or missed it.
        outbox.add(context.session, "helpdesk.add_note", {
            "ticket_id": event.ticket_id,
            "body": f"Valuedesk: the customer is waiting for a follow-up, now with {name or 'the new assignee'}: "
                    f"\u201c{commitment.text}\u201d, due {due}.",
        })


def _local_label(moment: datetime, schedule: Schedule) -> str:
    return f"{schedule.local(moment):%a %d %b %H:%M} ({schedule.timezone})"


def _first_name(full_name: str | None) -> str:
    return (full_name or "").split(" ")[0] or "there"


def drafted_update(commitment: Commitment, customer_name: str | None, schedule: Schedule) -> str:
    """An honest update for the customer after a missed promise, for the agent to edit and send."""
    promised = f"{schedule.local(commitment.due_at):%A %H:%M}"
    return (f"Hi {_first_name(customer_name)}, I promised you an update by {promised} and I'm sorry it's later "
            f"than that. Here's where things stand: [what you know so far]. I'll update you again by [a time "
            f"you can keep].")


def remind_and_miss(session: Session, installation: Installation, now: datetime | None = None) -> tuple[int, int]:
    """Mark overdue promises missed, and remind agents of those due within the lead time; each exactly once.

    Both reach the agent alone, in the sidebar; nothing about them is written to the ticket but the optional
    "follow-up due" tag. Suggested tasks are reminded but never missed.
    """
    now = now or clock.now()
    schedule = schedule_of(installation)
    missed = 0
    for commitment_id in session.scalars(select(Commitment.id).where(Commitment.state == "open",
                                                                      Commitment.task.is_(False),
                                                                      Commitment.due_at <= now)):
        # The conditional update is the claim: of two workers, only one sees rowcount 1.
        claimed = session.execute(update(Commitment).where(Commitment.id == commitment_id, Commitment.state == "open")
                                  .values(state="missed", closed_at=now)
                                  .execution_options(synchronize_session=False)).rowcount
        if claimed:
            commitment = session.get(Commitment, commitment_id, populate_existing=True)
            try:
                customer = helpdesk_client(session, installation).get_ticket(commitment.ticket_id).requester_name
            except ProviderError:  # the nudge still helps without the customer's name
                customer = None
            commitment.nudge = drafted_update(commitment, customer, schedule)
            if commitment.reminded_at is None:  # overdue without a reminder: the ticket still has a follow-up due
                _due_tag(session, installation, commitment.ticket_id, add=True)
            missed += 1
    lead = timedelta(minutes=settings_of(installation).lead_minutes)
    reminded = 0
    for commitment_id in session.scalars(select(Commitment.id).where(
            Commitment.state == "open", Commitment.reminded_at.is_(None), Commitment.due_at <= now + lead)):
        claimed = session.execute(update(Commitment).where(Commitment.id == commitment_id, Commitment.state == "open",
                                                           Commitment.reminded_at.is_(None))
                                  .values(reminded_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed:
            commitment = session.get(Commitment, commitment_id, populate_existing=True)
            _due_tag(session, installation, commitment.ticket_id, add=True)
            reminded += 1
    session.flush()
    return missed, reminded


def get(session: Session, commitment_id: int) -> Commitment:
    """One commitment.

    :raise DomainError: Missing when the installation has none with this id.
    """
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise Missing(f"There is no commitment {commitment_id}.", code="unknown_commitment")
    return commitment


def _future(due_at: datetime) -> datetime:
    if due_at.tzinfo is None:
        raise InvalidInput("Give the due time with its timezone (e.g. 2026-11-27T17:00:00+01:00).", code="invalid_due", fields={"due_at": "needs a timezone"})
    if due_at <= clock.now():
        raise InvalidInput("The due time has already passed; pick a time in the future.", code="due_in_past", fields={"due_at": "in the past"})
    return due_at


def add_manual(session: Session, ticket_id: str, text: str, due_at: datetime, agent_id: str, agent_name: str) -> Commitment:
    """A promise the agent records by hand.

    :raise DomainError: InvalidInput for an empty text or a due time in the past.
    """
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("Say what you promised.", code="empty_text", fields={"text": "required"})
    commitment = Commitment(ticket_id=ticket_id, agent_id=agent_id, agent_name=agent_name, text=text[:MAX_TEXT],
                            due_at=_future(due_at), manual=True, task=False, vague=False, conditional=False,
                            state="open")
    session.add(commitment)
    session.flush()
    return commitment


def _require_open(commitment: Commitment) -> None:
    if commitment.state != "open":
        raise Conflict(f"This commitment is already {commitment.state}.", code="not_open")


def mark_done(session: Session, installation: Installation, commitment: Commitment) -> Commitment:
    """The agent followed up some other way (a call, a chat)."""
    _require_open(commitment)
    _close(session, installation, commitment, "done")
    session.flush()
    return commitment


def reschedule(session: Session, installation: Installation, commitment: Commitment, due_at: datetime,
               reason: str | None = None) -> Commitment:
    """Move the due time (a snooze when a reason is given); the reminder will come again.

    :raise DomainError: Conflict unless open, InvalidInput for a due time in the past.
    """
    _require_open(commitment)
    commitment.due_at = _future(due_at)
    if reason is not None:
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInput("Say why you are snoozing it, for your own notes.", code="reason_required", fields={"reason": "required"})
        commitment.snooze_reason, commitment.snoozes = reason[:300], commitment.snoozes + 1
    if commitment.reminded_at is not None:
        _due_tag(session, installation, commitment.ticket_id, add=False)
    commitment.reminded_at = None
    session.flush()
    return commitment


def register() -> None:
    """Commitments react to agent replies, status changes and reassignment (called once at app start by adapter.wiring)."""
    dispatch.on(CommentAdded, on_comment)
    dispatch.on(TicketStatusChanged, on_status)
    dispatch.on(TicketAssigned, on_assigned)
