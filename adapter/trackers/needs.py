"""Linear customer requests: each ticket linked to an issue also becomes a customer need on it, in the customer's words.

A need's id is derived from the installation, the ticket and the issue, so linking the same ticket again (after an
unlink, or from another theme) finds the need Linear already has instead of making a second one. When Linear says the
workspace's plan has no customer requests, that is recorded once on the installation, no further need is attempted,
and the console's trackers page says so until an admin asks to try again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter import outbox
from adapter.errors import NotOnPlan
from adapter.models import Installation
from adapter.models import Signal
from adapter.models import TrackerLink
from adapter.models import TrackerTicket
from adapter.trackers import settings as tracker_settings

BODY_LIMIT = 5000
# Mailbox providers whose domain says nothing about the customer's company: the address itself names the customer.
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net",
    "web.de", "mail.com", "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "zoho.com",
})


@dataclass(frozen=True)
class Customer:
    """Who asked, as Linear's customer: `external_id` matches the same customer on every need."""

    external_id: str
    name: str


def customer_of(organization: str | None, email: str | None) -> Customer | None:
    """The requester's organisation in the helpdesk; else their company's email domain; else their email address."""
    if organization and organization.strip():
        name = " ".join(organization.split())[:200]
        return Customer(external_id=name, name=name)
    address = (email or "").strip().lower()
    if "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1]
    if domain and domain not in FREE_MAIL:
        return Customer(external_id=domain, name=domain)
    return Customer(external_id=address, name=address)


def need_id(installation_id: str, ticket_id: str, issue_id: str) -> str:
    """The need's id, in UUID v4 form: the same for one ticket on one issue, however often it is linked."""
    digest = uuid.uuid5(uuid.NAMESPACE_URL, f"valuedesk:{installation_id}:customer-need:{ticket_id}:{issue_id}")
    return str(uuid.UUID(bytes=digest.bytes, version=4))


def need_body(quotes: list[str]) -> str:
    """The customer's own words, each quote a Markdown block quote."""
    blocks = ["\n".join(f"> {line}" if line.strip() else ">" for line in quote.strip().splitlines()) for quote in quotes]
    return "\n\n".join(blocks)[:BODY_LIMIT]


def unavailable(installation: Installation) -> str:
    """What Linear said when it refused customer requests for this workspace ("" while they are on)."""
    return tracker_settings.settings_of(installation).needs_unavailable


def _supports(tracker) -> bool:
    return hasattr(tracker, "add_customer_need")


def after_linked(session: Session, installation: Installation, tracker, link: TrackerLink, ticket_ids: list[str]) -> int:
    """Queue a customer need for each newly linked ticket, when the tracker has them and the plan allows; how many."""
    if not _supports(tracker) or unavailable(installation):
        return 0
    queued = 0
    for ticket_id in ticket_ids:
        queued += outbox.add(session, "tracker.customer_need", {"link_id": link.id, "ticket_id": ticket_id},
                             dedupe_key=f"tracker.need:{link.id}:{ticket_id}") is not None
    return queued


def _record_unavailable(installation: Installation, message: str) -> None:
    tracker_settings.store_changes(installation, needs_unavailable=message[:300] or "Linear refused customer requests.",
                                   needs_unavailable_at=clock.now().isoformat(timespec="minutes"))


def try_again(session: Session, installation: Installation) -> int:
    """Clear the "unavailable" record and queue a need for every ticket already linked to a Linear issue; how many."""
    tracker_settings.store_changes(installation, needs_unavailable="", needs_unavailable_at="")
    rows = session.execute(select(TrackerTicket.link_id, TrackerTicket.ticket_id).join(
        TrackerLink, TrackerLink.id == TrackerTicket.link_id).where(
        TrackerLink.tracker == "linear", TrackerLink.state == "linked", TrackerTicket.linked_at.is_not(None)))
    queued = 0
    for link_id, ticket_id in rows:
        queued += outbox.add(session, "tracker.customer_need", {"link_id": link_id, "ticket_id": ticket_id},
                             dedupe_key=f"tracker.need:{link_id}:{ticket_id}") is not None
    session.flush()
    return queued


# Outbox action (run by the worker)


def create_need(context, payload: dict) -> None:
    """Make the ticket a customer need on its link's issue; an unavailable plan is recorded once and ends the attempts."""
    session, installation = context.session, context.installation
    link = session.get(TrackerLink, payload["link_id"])
    if link is None or link.state != "linked" or unavailable(installation):
        return
    tracker = tracker_settings.client(session, installation)
    if tracker is None or not _supports(tracker):
        return  # disconnected, or moved to a tracker without customer requests
    signals = list(session.scalars(select(Signal).where(Signal.theme_id == link.theme_id,
                                                        Signal.ticket_id == payload["ticket_id"]).order_by(Signal.id)))
    if not signals:
        return  # the ticket's signals were undone or moved since it was linked
    who = customer_of(signals[0].organization, signals[0].customer_id)
    try:
        tracker.add_customer_need(link.issue_id or link.issue_key,
                                  need_id=need_id(installation.id, payload["ticket_id"], link.issue_id or link.issue_key),
                                  url=context.helpdesk.ticket_url(payload["ticket_id"]),
                                  body=need_body([signal.quote for signal in signals]),
                                  customer_id=who.external_id if who else None, customer_name=who.name if who else None)
    except NotOnPlan as exc:
        _record_unavailable(installation, exc.message)
        session.flush()


def register() -> None:
    """The customer-need write (called once at app start by adapter.wiring)."""
    outbox.register("tracker.customer_need", create_need)
