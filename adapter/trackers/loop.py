"""Closing the loop: when a theme's issue ships (or is cancelled), every linked ticket hears about it.

For each linked ticket: a private note, the `vd_issue_done` tag (`vd_issue_wontfix` when cancelled), a
suggested follow-up for the assignee with a drafted message quoting the customer (a task Valuedesk asks
for, not a promise the agent made: never missed, never counted), and a reopen when the installation opted
in. Each ticket is its own outbox action, so one failing ticket delays only itself. Every agent whose
confirmed signal fed the issue gets a private thank-you in their sidebar when it ships. Reopening the issue
removes the tag and withdraws the suggested follow-ups that have not been acted on.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from adapter import clock
from adapter import dispatch
from adapter import notices
from adapter import outbox
from adapter.commitments.service import schedule_of
from adapter.db import insert_unless_exists
from adapter.errors import NotFound
from adapter.errors import UnsupportedEvent
from adapter.events import TrackerIssueChanged
from adapter.models import Commitment
from adapter.models import Installation
from adapter.models import Signal
from adapter.models import TrackerLink
from adapter.models import TrackerTicket
from adapter.providers import helpdesk
from adapter.providers.base import CANCELLED
from adapter.providers.base import DONE
from adapter.providers.base import TrackerIssue
from adapter.trackers import settings as tracker_settings
from adapter.trackers import writeup
from adapter.trackers.sync import adopt

CLOSED = (DONE, CANCELLED)
DONE_TAG = "vd_issue_done"
WONTFIX_TAG = "vd_issue_wontfix"
TAGS = {DONE: DONE_TAG, CANCELLED: WONTFIX_TAG}


def on_issue_changed(event: TrackerIssueChanged, context) -> None:
    """Webhook handler: update the links to this issue and close (or reopen) the loop on a state change."""
    links = session_links(context.session, event.tracker, event.issue_key, event.issue_id)
    issue = TrackerIssue(key=event.issue_key, id=event.issue_id, title=event.title, url=event.url,
                         status=event.status, category=event.category)
    for link in links:
        if event.deleted:
            context.session.delete(link)  # the theme can be sent again; tickets keep their history
            continue
        apply(context.session, context.installation, link, issue)


def session_links(session: Session, tracker: str, key: str, issue_id: str) -> list[TrackerLink]:
    """Links of this installation to the issue, by key or by id (a Jira issue moved to another project changes key)."""
    matches = [TrackerLink.issue_key == key] + ([TrackerLink.issue_id == issue_id] if issue_id else [])
    return list(session.scalars(select(TrackerLink).where(TrackerLink.tracker == tracker, TrackerLink.state == "linked",
                                                          or_(*matches)).order_by(TrackerLink.id)))


def apply(session: Session, installation: Installation, link: TrackerLink, issue: TrackerIssue) -> str | None:
    """Record the issue's new state; "closed" or "reopened" when that moved the loop, else None."""
    previous = link.category
    adopt(link, issue)
    if issue.category in CLOSED and previous not in CLOSED:
        link.closed_rounds += 1
        tickets = _linked_tickets(session, link)
        if issue.category == DONE:
            _thank(session, link, len(tickets))
        for ticket_id in tickets:
            outbox.add(session, "tracker.close_ticket_loop",
                       {"link_id": link.id, "ticket_id": ticket_id, "round": link.closed_rounds,
                        "category": issue.category},
                       dedupe_key=f"tracker.close:{link.id}:{link.closed_rounds}:{ticket_id}"[:200])
        session.flush()
        return "closed"
    if previous in CLOSED and issue.category not in CLOSED:
        _reopen(session, link, previous)
        session.flush()
        return "reopened"
    session.flush()
    return None


def _linked_tickets(session: Session, link: TrackerLink) -> list[str]:
    return list(session.scalars(select(TrackerTicket.ticket_id).where(TrackerTicket.link_id == link.id)
                                .order_by(TrackerTicket.id)))


def _thank(session: Session, link: TrackerLink, tickets: int) -> None:
    """A private thank-you to each agent whose confirmed signal fed the issue that just shipped."""
    customers = session.scalar(select(func.count(func.distinct(func.coalesce(Signal.customer_id, Signal.ticket_id))))
                               .where(Signal.theme_id == link.theme_id)) or tickets
    agents = session.scalars(select(Signal.agent_id).where(Signal.theme_id == link.theme_id,
                                                           Signal.agent_id.is_not(None)).distinct())
    for agent_id in agents:
        notices.tell(session, agent_id, "shipped", writeup.thank_you(link.issue_key, link.title, customers),
                     url=link.issue_url, dedupe_key=f"shipped:{link.id}:{link.closed_rounds}:{agent_id}")


def _commitment_prefix(link: TrackerLink) -> str:
    return f"issue:{link.id}:"


def _reopen(session: Session, link: TrackerLink, previous: str) -> None:
    for ticket_id in _linked_tickets(session, link):
        outbox.add(session, "helpdesk.remove_tags", {"ticket_id": ticket_id, "tags": [TAGS[previous]]})
        outbox.add(session, "helpdesk.add_note", {"ticket_id": ticket_id,
                                                  "body": writeup.reopened_note(link.issue_key, link.title, link.status)})
    session.execute(update(Commitment).where(Commitment.state == "open",
                                             Commitment.source_comment_id.startswith(_commitment_prefix(link)))
                    .values(state="cancelled", closed_at=clock.now()).execution_options(synchronize_session=False))


def _first_words(session: Session, link: TrackerLink, ticket_id: str) -> str | None:
    return session.scalar(select(Signal.quote).where(Signal.ticket_id == ticket_id, Signal.theme_id == link.theme_id)
                          .order_by(Signal.created_at).limit(1))


def close_ticket(context, payload: dict) -> None:
    """Note, tag, follow-up and optional reopen for one linked ticket."""
    session, installation = context.session, context.installation
    link = session.get(TrackerLink, payload["link_id"])
    category = payload["category"]
    if link is None or link.closed_rounds != payload["round"] or link.category not in CLOSED:
        return  # unlinked or reopened since: nothing to announce
    ticket_id = payload["ticket_id"]
    try:
        ticket = context.ticket(ticket_id)
    except NotFound:
        raise UnsupportedEvent(f"Ticket {ticket_id} no longer exists in the helpdesk.") from None
    desk = helpdesk(installation.kind)
    if ticket.status == "closed" and desk.closed_is_final:
        raise UnsupportedEvent(f"{desk.display_name} ticket {ticket_id} is closed and can no longer be changed.")
    outbox.add(session, "helpdesk.add_note", {"ticket_id": ticket_id, "body": writeup.closed_note(
        link.issue_key, link.title, category, link.status)})
    outbox.add(session, "helpdesk.add_tags", {"ticket_id": ticket_id, "tags": [TAGS[category]]})
    if tracker_settings.settings_of(installation).reopen_tickets and ticket.status == "solved":
        outbox.add(session, "helpdesk.set_status", {"ticket_id": ticket_id, "status": "open"})
    schedule = schedule_of(installation)
    tomorrow = schedule.add_business_days(schedule.local(clock.now()).date(), 1)
    values = {
        "installation_id": installation.id, "ticket_id": ticket_id, "agent_id": ticket.assignee_id,
        "agent_name": ticket.assignee_name, "text": writeup.commitment_text(link.issue_key, category),
        "due_at": schedule.closing(tomorrow), "due_text": "next business day", "vague": False, "conditional": False,
        "source_comment_id": f"{_commitment_prefix(link)}{payload['round']}:{ticket_id}"[:64], "manual": False,
        "task": True, "updates": 0, "state": "open", "created_at": clock.now(), "snoozes": 0,
        "nudge": writeup.drafted_message(ticket.requester_name, _first_words(session, link, ticket_id), category),
    }
    insert_unless_exists(session, Commitment, values, ["installation_id", "source_comment_id"])


def register() -> None:
    """Issue changes close the loop on linked tickets (called once at app start by adapter.wiring)."""
    dispatch.on(TrackerIssueChanged, on_issue_changed)
    outbox.register("tracker.close_ticket_loop", close_ticket)
