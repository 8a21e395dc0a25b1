"""Playground pages and its small helpdesk API (send as customer or agent, change status, new ticket)."""

from __future__ import annotations

from datetime import timedelta

import marshmallow as ma
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy import select

from adapter import clock
from adapter.db import get_db
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.installations import PLAYGROUND_ID
from adapter.intake import enqueue_processing
from adapter.models import Installation
from adapter.models import PlaygroundTicket
from adapter.models import SandboxIssue
from adapter.playground import helpdesk
from adapter.playground.blueprint import api_bp
from adapter.playground.blueprint import bp
from adapter.providers import playground as provider
from adapter.providers import sandbox_tracker

MAX_MESSAGE = 20_000


def _session():
    session = request_session(PLAYGROUND_ID)
    if session.get(Installation, PLAYGROUND_ID) is None:
        abort(404, "The playground has no data yet; run `valuedesk demo-data` (make run does).")
    return session


def _ticket(session, ticket_id: int) -> PlaygroundTicket:
    ticket = session.get(PlaygroundTicket, ticket_id)
    if ticket is None:
        raise ApiError(404, "ticket_not_found", f"The playground has no ticket {ticket_id}.")
    return ticket


def _tickets(session) -> list[PlaygroundTicket]:
    return list(session.scalars(select(PlaygroundTicket).order_by(PlaygroundTicket.id)))


@bp.get("/")
def index():
    """Open the first sample ticket."""
    tickets = _tickets(_session())
    if not tickets:
        abort(404, "The playground has no tickets; run `valuedesk demo-data --reset`.")
    return redirect(url_for("playground.ticket", ticket_id=tickets[0].id))


@bp.get("/tickets/<int:ticket_id>")
def ticket(ticket_id: int):
    """A helpdesk-like ticket view with the Valuedesk sidebar in an iframe."""
    session = _session()
    current = session.get(PlaygroundTicket, ticket_id)
    if current is None:
        abort(404, f"The playground has no ticket {ticket_id}.")
    return render_template(
        "playground/ticket.html",
        tickets=_tickets(session),
        ticket=current,
        agents=provider.AGENTS,
        macros=provider.MACROS,
        statuses=helpdesk.STATUSES,
        now=clock.now(),
        ahead_minutes=int(clock.offset().total_seconds() // 60),
    )


class CommentIn(ma.Schema):
    author_role = ma.fields.String(required=True, validate=ma.validate.OneOf(("customer", "agent")))
    body = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_MESSAGE))
    public = ma.fields.Boolean(load_default=True)
    agent_id = ma.fields.String(load_default=None)


class StatusIn(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(helpdesk.STATUSES))


class TicketIn(ma.Schema):
    subject = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    requester_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    requester_email = ma.fields.Email(required=True)
    organization = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200))
    body = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_MESSAGE))


class CommentOut(ma.Schema):
    id = ma.fields.Integer()
    author_role = ma.fields.String()
    author_name = ma.fields.String()
    body = ma.fields.String()
    public = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class TicketOut(ma.Schema):
    id = ma.fields.Integer()
    subject = ma.fields.String()
    status = ma.fields.String()
    requester_name = ma.fields.String()
    requester_email = ma.fields.String()
    organization = ma.fields.String(allow_none=True)
    assignee = ma.fields.String(allow_none=True)
    tags = ma.fields.List(ma.fields.String())
    comments = ma.fields.List(ma.fields.Nested(CommentOut))


def _commit_and_enqueue(session, receipt_ids) -> None:
    session.commit()
    for receipt_id in receipt_ids:
        if receipt_id:
            enqueue_processing(receipt_id)


@api_bp.route("/tickets/<int:ticket_id>", methods=["GET"])
@api_bp.response(200, TicketOut)
def get_ticket(ticket_id: int):
    """The ticket with its conversation, newest state."""
    return _ticket(_session(), ticket_id)


@api_bp.route("/tickets/<int:ticket_id>/comments", methods=["POST"])
@api_bp.arguments(CommentIn)
@api_bp.response(201, TicketOut)
def add_comment(data, ticket_id: int):
    """Add a customer message, an agent reply or an internal note; the sidebar reacts through the webhook path."""
    session = _session()
    ticket = _ticket(session, ticket_id)
    if data["author_role"] == "customer":
        name = ticket.requester_name
    else:
        agent = next((a for a in provider.AGENTS if a.id == data["agent_id"]), provider.AGENTS[0])
        name = agent.name
    body = data["body"].strip()
    if not body:
        raise ApiError(400, "empty_message", "Write something before sending.")
    _, receipt_id = helpdesk.add_comment(
        session, ticket, author_role=data["author_role"], author_name=name, body=body,
        public=data["public"] or data["author_role"] == "customer",
    )
    _commit_and_enqueue(session, [receipt_id])
    return ticket


@api_bp.route("/tickets/<int:ticket_id>/status", methods=["POST"])
@api_bp.arguments(StatusIn)
@api_bp.response(200, TicketOut)
def change_status(data, ticket_id: int):
    """Move the ticket to another status."""
    session = _session()
    ticket = _ticket(session, ticket_id)
    _commit_and_enqueue(session, [helpdesk.set_status(session, ticket, data["status"])])
    return ticket


@api_bp.route("/tickets", methods=["POST"])
@api_bp.arguments(TicketIn)
@api_bp.response(201, TicketOut)
def new_ticket(data):
    """Open a new ticket as a customer."""
    session = _session()
    ticket, receipt_ids = helpdesk.create_ticket(session, **data)
    _commit_and_enqueue(session, receipt_ids)
    return ticket


@bp.route("/console", methods=["GET", "POST"])
def open_console():
    """Open the admin console for the playground, as its admin; someone else's console session is switched only on a
    confirmed POST, never by a GET."""
    from adapter.console import auth as console_auth
    from adapter.console.views import confirm_page
    from adapter.sidebar.auth import AgentSession

    with get_db().system() as lookup:
        installation = lookup.get(Installation, PLAYGROUND_ID)
        if installation is None:
            abort(404, "The playground has no data yet; run `valuedesk demo-data` (make run does).")
        name = installation.name
    admin = next(a for a in provider.AGENTS if a.role == "admin")
    signed_in = console_auth.current()
    if signed_in and (signed_in[0].id, signed_in[1].agent_id) == (PLAYGROUND_ID, admin.id):
        return redirect(url_for("console.home"))
    if request.method == "GET" and signed_in:
        return confirm_page(name, admin.name, url_for("playground.open_console"))
    if request.method == "POST":
        console_auth.check_csrf()
    console_auth.begin(AgentSession(PLAYGROUND_ID, admin.id, admin.name, role="admin", host="console"))
    return redirect(url_for("console.home"))


class SkipIn(ma.Schema):
    minutes = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=14 * 24 * 60))


class ClockOut(ma.Schema):
    now = ma.fields.AwareDateTime()
    ahead_minutes = ma.fields.Integer()
    reminded = ma.fields.Integer()
    missed = ma.fields.Integer()


def _clock_moved() -> dict:
    """Run the reminder sweep at the new time and say where the clock stands."""
    from adapter.commitments import service as commitments

    session = _session()
    missed, reminded = commitments.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID))
    session.commit()
    return {"now": clock.now(), "ahead_minutes": int(clock.offset().total_seconds() // 60),
            "reminded": reminded, "missed": missed}


@api_bp.route("/clock/skip", methods=["POST"])
@api_bp.arguments(SkipIn)
@api_bp.response(200, ClockOut)
def skip_ahead(data):
    """The playground's fast clock: move the service's time `minutes` forward, then run the reminder sweep."""
    clock.skip_ahead(timedelta(minutes=data["minutes"]))
    return _clock_moved()


@api_bp.route("/clock/reset", methods=["POST"])
@api_bp.response(200, ClockOut)
def reset_clock():
    """Bring the playground's time back to the real time."""
    clock.reset_offset()
    return _clock_moved()


@bp.get("/tracker")
def tracker():
    """The sandbox tracker: issues Valuedesk created or linked, with buttons to move them along."""
    session = _session()
    issues = list(session.scalars(select(SandboxIssue).order_by(SandboxIssue.id.desc())))
    tickets = _tickets(session)
    return render_template("playground/tracker.html", issues=issues, names=sandbox_tracker.STATUS_NAMES,
                           tickets=tickets, ticket_ids={str(t.id) for t in tickets})


class IssueStateIn(ma.Schema):
    state = ma.fields.String(required=True, validate=ma.validate.OneOf(tuple(sandbox_tracker.STATUS_NAMES)))


class IssueOut(ma.Schema):
    key = ma.fields.String()
    title = ma.fields.String()
    state = ma.fields.String()


@api_bp.route("/tracker/issues/<key>/state", methods=["POST"])
@api_bp.arguments(IssueStateIn)
@api_bp.response(200, IssueOut)
def move_issue(data, key: str):
    """Move a sandbox issue (e.g. to done): the loop closes on every linked ticket through the webhook path."""
    from flask import current_app

    session = _session()
    issue = session.scalar(select(SandboxIssue).where(SandboxIssue.key == key.upper()))
    if issue is None:
        raise ApiError(404, "issue_not_found", f"The sandbox tracker has no issue {key}.")
    receipt_id = helpdesk.set_issue_state(session, issue, data["state"], current_app.config["VALUEDESK"].public_url)
    _commit_and_enqueue(session, [receipt_id])
    return issue
