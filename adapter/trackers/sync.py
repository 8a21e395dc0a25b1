"""Theme -> tracker issue: send or link a theme, link its tickets, keep the count current (at most hourly).

Every tracker write is an outbox action, so a tracker outage delays the sync and never loses it.
The actions below run in the worker with a tenant session (`context.session`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter import outbox
from adapter.db import SCOPE_KEY
from adapter.db import insert_unless_exists
from adapter.errors import Conflict
from adapter.errors import Missing
from adapter.errors import UnsupportedEvent
from adapter.models import Installation
from adapter.models import Signal
from adapter.models import SignalType
from adapter.models import TrackerLink
from adapter.models import TrackerTicket
from adapter.providers import helpdesk
from adapter.providers.base import TrackerIssue
from adapter.signals import themes
from adapter.trackers import needs
from adapter.trackers import settings as tracker_settings
from adapter.trackers import writeup

COMMENT_INTERVAL = timedelta(hours=1)
LINKS_PER_RUN = 50


def ticket_global_id(installation_id: str, ticket_id: str) -> str:
    """The key a ticket's link has in the tracker (Jira remote link globalId)."""
    return f"valuedesk:{installation_id}:{ticket_id}"


def request_id(installation_id: str, link_id: int) -> str:
    """The create request's id: the same for every retry of one link, in UUID v4 form (Linear takes it as the issue id)."""
    digest = uuid.uuid5(uuid.NAMESPACE_URL, f"valuedesk:{installation_id}:tracker-link:{link_id}")
    return str(uuid.UUID(bytes=digest.bytes, version=4))


def link_of(session: Session, theme_id: int) -> TrackerLink | None:
    """The theme's tracker link (following merges), if any."""
    theme = themes.get_theme(session, theme_id)
    return session.scalar(select(TrackerLink).where(TrackerLink.theme_id == theme.id))


def theme_ticket_ids(session: Session, theme_id: int) -> list[str]:
    """The theme's tickets, in the order they first joined it."""
    first = func.min(Signal.created_at)
    rows = session.execute(select(Signal.ticket_id, first).where(Signal.theme_id == theme_id)
                           .group_by(Signal.ticket_id).order_by(first))
    return [ticket_id for ticket_id, _ in rows]


def _attach_tickets(session: Session, link: TrackerLink) -> int:
    """Record every ticket of the theme against the link; how many were new."""
    added = 0
    for ticket_id in theme_ticket_ids(session, link.theme_id):
        values = {"installation_id": link.installation_id, "link_id": link.id, "ticket_id": ticket_id,
                  "created_at": clock.now()}
        added += insert_unless_exists(session, TrackerTicket, values, ["installation_id", "link_id", "ticket_id"]) is not None
    return added


def _connected(installation: Installation) -> str:
    kind = tracker_settings.settings_of(installation).kind
    if kind is None:
        raise Conflict("No tracker is connected; an admin can connect Jira or Linear.",
                       code="tracker_not_connected")
    return kind


def send_theme(session: Session, installation: Installation, theme_id: int) -> TrackerLink:
    """Create the theme's issue in the connected tracker (through the outbox); the link shows "creating" meanwhile.

    :raise Missing: unknown theme; Conflict: no tracker is connected or the theme already has an issue.
    """
    kind = _connected(installation)
    theme = themes.get_theme(session, theme_id)
    existing = link_of(session, theme.id)
    if existing is not None:
        raise Conflict(f"This theme is already {existing.issue_key or 'being sent'} in "
                                            f"{tracker_settings.NAMES.get(existing.tracker, existing.tracker)}.",
                       code="already_sent")
    link = TrackerLink(theme_id=theme.id, tracker=kind, state="creating", title=theme.title)
    session.add(link)
    session.flush()
    _attach_tickets(session, link)
    outbox.add(session, "tracker.create_issue", {"link_id": link.id}, dedupe_key=f"tracker.create:{link.id}")
    return link


def link_existing(session: Session, installation: Installation, theme_id: int, issue: TrackerIssue) -> TrackerLink:
    """Link the theme to an issue that already exists (an agent pasted its key); its tickets follow.

    :raise Conflict: the theme is linked to another issue.
    """
    kind = _connected(installation)
    theme = themes.get_theme(session, theme_id)
    link = link_of(session, theme.id)
    if link is not None and link.issue_key != issue.key:
        raise Conflict(f"This theme is already linked to {link.issue_key or 'an issue being created'}; "
                                              "unlink it first.",
                       code="already_linked")
    if link is None:
        link = TrackerLink(theme_id=theme.id, tracker=kind, state="linked", reported_tickets=0)
        session.add(link)
    adopt(link, issue)
    session.flush()
    _attach_tickets(session, link)
    _link_soon(session, link)
    return link


def unlink_theme(session: Session, theme_id: int) -> None:
    """Detach the theme from its issue and remove the tickets' links from the issue.

    :raise Missing: the theme has no issue.
    """
    link = link_of(session, theme_id)
    if link is None:
        raise Missing("This theme has no tracker issue.",
                      code="not_linked")
    linked = list(session.scalars(select(TrackerTicket.ticket_id).where(TrackerTicket.link_id == link.id,
                                                                         TrackerTicket.linked_at.is_not(None))))
    if link.issue_key and linked:
        outbox.add(session, "tracker.unlink_tickets", {"issue_key": link.issue_key, "ticket_ids": linked})
    session.delete(link)
    session.flush()


def adopt(link: TrackerLink, issue: TrackerIssue) -> None:
    """Copy what the tracker says about the issue onto the link."""
    link.issue_key, link.issue_id, link.issue_url = issue.key, issue.id or link.issue_id, issue.url or link.issue_url
    link.title, link.status, link.category = issue.title[:250], issue.status[:80], issue.category


def on_signal(session: Session, signal: Signal) -> None:
    """A signal joined a theme: link its ticket to the theme's issue, or send the theme once it is big enough."""
    if signal.theme_id is not None:
        on_theme_grew(session, signal.theme_id)


def on_theme_grew(session: Session, theme_id: int) -> None:
    """Tickets joined the theme (a signal, a merge): link them, or send the theme when the automatic rule says so."""
    installation = session.get(Installation, session.info[SCOPE_KEY])
    link = link_of(session, theme_id)
    if link is not None:
        if _attach_tickets(session, link) and link.state == "linked":
            _link_soon(session, link)
        return
    settings = tracker_settings.settings_of(installation)
    if settings.kind is None or settings.sync != "automatic":
        return
    if len(theme_ticket_ids(session, theme_id)) >= settings.auto_threshold:
        send_theme(session, installation, theme_id)


def on_themes_merged(session: Session, source_id: int, target_id: int) -> None:
    """After a merge the target theme carries the issue: the source's issue moves over when the target has none."""
    source = session.scalar(select(TrackerLink).where(TrackerLink.theme_id == source_id))
    target = session.scalar(select(TrackerLink).where(TrackerLink.theme_id == target_id))
    if source is not None and target is None:
        source.theme_id = target_id
        session.flush()
    on_theme_grew(session, target_id)


def _link_soon(session: Session, link: TrackerLink) -> None:
    outbox.add(session, "tracker.link_tickets", {"link_id": link.id}, dedupe_key=f"tracker.link:{link.id}")


def _client(context):
    tracker = tracker_settings.client(context.session, context.installation)
    if tracker is None:
        raise UnsupportedEvent("No tracker is connected any more; the sync was dropped.")
    return tracker


def _dominant_type(session: Session, theme_id: int) -> SignalType | None:
    counts = Counter(session.scalars(select(Signal.type_key).where(Signal.theme_id == theme_id)))
    if not counts:
        return None
    return session.scalar(select(SignalType).where(SignalType.key == counts.most_common(1)[0][0]))


def _ticket_urls(context, ticket_ids) -> list[str]:
    return [context.helpdesk.ticket_url(ticket_id) for ticket_id in ticket_ids]


# Outbox actions (run by the worker)


def create_issue(context, payload: dict) -> None:
    """Create the theme's issue, or adopt the one an earlier attempt of this same request created."""
    session, installation = context.session, context.installation
    link = session.get(TrackerLink, payload["link_id"])
    if link is None or link.state != "creating":
        return
    tracker = _client(context)
    stats = themes.theme_stats(session, [link.theme_id], quotes=writeup.QUOTES_SHOWN)[0]
    key = request_id(installation.id, link.id)
    issue = tracker.created_before(key)
    if issue is None:
        signal_type = _dominant_type(session, link.theme_id)
        description = writeup.issue_description(stats, _ticket_urls(context, theme_ticket_ids(session, link.theme_id)),
                                                helpdesk(installation.kind).display_name)
        labels = ("valuedesk", signal_type.tag) if signal_type else ("valuedesk",)
        issue = tracker.create_issue(title=stats.title, description=description,
                                     kind=signal_type.key if signal_type else None, labels=labels, request_id=key)
    adopt(link, issue)
    link.state, link.reported_tickets = "linked", stats.tickets
    session.flush()
    _link_soon(session, link)


def link_tickets(context, payload: dict) -> None:
    """Link the theme's not-yet-linked tickets from the issue, then schedule a count update if the count grew."""
    session = context.session
    link = session.get(TrackerLink, payload["link_id"])
    if link is None or link.state != "linked":
        return
    _attach_tickets(session, link)
    tracker = _client(context)
    waiting = list(session.scalars(select(TrackerTicket).where(TrackerTicket.link_id == link.id,
                                                              TrackerTicket.linked_at.is_(None))
                                   .order_by(TrackerTicket.id).limit(LINKS_PER_RUN + 1)))
    helpdesk_name = helpdesk(context.installation.kind).display_name
    for row in waiting[:LINKS_PER_RUN]:
        tracker.link_ticket(link.issue_key, global_id=ticket_global_id(link.installation_id, row.ticket_id),
                            url=context.helpdesk.ticket_url(row.ticket_id), title=f"{helpdesk_name} ticket #{row.ticket_id}")
        row.linked_at = clock.now()
    session.flush()
    needs.after_linked(session, context.installation, tracker, link, [row.ticket_id for row in waiting[:LINKS_PER_RUN]])
    if len(waiting) > LINKS_PER_RUN:
        _link_soon(session, link)
    tickets = len(theme_ticket_ids(session, link.theme_id))
    if tickets > link.reported_tickets:
        not_before = max(clock.now(), link.last_commented_at + COMMENT_INTERVAL) if link.last_commented_at else None
        outbox.add(session, "tracker.comment_count", {"link_id": link.id}, dedupe_key=f"tracker.comment:{link.id}",
                   not_before=not_before)


def comment_count(context, payload: dict) -> None:
    """Tell the issue how many tickets it has now, with the newest words and links (at most once an hour)."""
    session = context.session
    link = session.get(TrackerLink, payload["link_id"])
    if link is None or link.state != "linked":
        return
    now = clock.now()
    if link.last_commented_at and now < link.last_commented_at + COMMENT_INTERVAL:
        outbox.add(session, "tracker.comment_count", payload, dedupe_key=f"tracker.comment:{link.id}",
                   not_before=link.last_commented_at + COMMENT_INTERVAL)
        return
    stats = themes.theme_stats(session, [link.theme_id], quotes=3)[0]
    if stats.tickets <= link.reported_tickets:
        return
    since = link.last_commented_at or link.created_at
    new_ids = [] if not link.reported_tickets else list(session.scalars(
        select(TrackerTicket.ticket_id).where(TrackerTicket.link_id == link.id, TrackerTicket.created_at >= since)
        .order_by(TrackerTicket.id)))
    _client(context).add_comment(link.issue_key, writeup.count_update(stats, link.reported_tickets,
                                                                      _ticket_urls(context, new_ids)))
    link.reported_tickets, link.last_commented_at = stats.tickets, now
    session.flush()


def unlink_tickets(context, payload: dict) -> None:
    """Remove the tickets' links from an issue a theme was detached from."""
    tracker = _client(context)
    for ticket_id in payload["ticket_ids"]:
        tracker.unlink_ticket(payload["issue_key"], global_id=ticket_global_id(context.installation.id, ticket_id),
                              url=context.helpdesk.ticket_url(ticket_id))


def register() -> None:
    """The tracker writes themes record in the outbox (called once at app start by adapter.wiring)."""
    outbox.register("tracker.create_issue", create_issue)
    outbox.register("tracker.link_tickets", link_tickets)
    outbox.register("tracker.comment_count", comment_count)
    outbox.register("tracker.unlink_tickets", unlink_tickets)
