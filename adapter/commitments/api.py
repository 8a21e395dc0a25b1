"""Commitments API for the sidebar (this ticket, my open ones, add, done, snooze, preview) and admin settings."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import or_
from sqlalchemy import select

from adapter import clock
from adapter import notices
from adapter.commitments import service
from adapter.commitments.detect import detect
from adapter.errors import ApiError
from adapter.models import Commitment
from adapter.providers import helpdesk_client
from adapter.sidebar.auth import admin_required
from adapter.sidebar.auth import agent_db
from adapter.sidebar.auth import agent_required
from adapter.sidebar.auth import current_agent

bp = Blueprint("commitments", __name__, url_prefix="/api", description="Follow-up commitments.")
MAX_DRAFT = 20_000


class CommitmentOut(ma.Schema):
    id = ma.fields.Integer()
    ticket_id = ma.fields.String()
    agent_name = ma.fields.String(allow_none=True)
    mine = ma.fields.Boolean()
    text = ma.fields.String()
    due_at = ma.fields.AwareDateTime()
    due_text = ma.fields.String(allow_none=True)
    vague = ma.fields.Boolean()
    conditional = ma.fields.Boolean()
    manual = ma.fields.Boolean()
    task = ma.fields.Boolean(metadata={"description": "Suggested by Valuedesk, not promised by an agent; never counted"})
    updates = ma.fields.Integer(metadata={"description": "Times a later reply moved the due time out"})
    state = ma.fields.String()
    reminded = ma.fields.Boolean()
    snooze_reason = ma.fields.String(allow_none=True)
    nudge = ma.fields.String(allow_none=True, metadata={"description": "Drafted update, for its own agent only"})
    ticket_url = ma.fields.String(allow_none=True)


class CommitmentIn(ma.Schema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=service.MAX_TEXT))
    due_at = ma.fields.AwareDateTime(required=True)


class SnoozeIn(ma.Schema):
    due_at = ma.fields.AwareDateTime(required=True)
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class DueIn(ma.Schema):
    due_at = ma.fields.AwareDateTime(required=True)


class DraftIn(ma.Schema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_DRAFT))


class PromiseOut(ma.Schema):
    promise = ma.fields.Boolean()
    conditional = ma.fields.Boolean()
    vague = ma.fields.Boolean()
    timed = ma.fields.Boolean(metadata={"description": "The reply names a time that sets the due time"})
    due_at = ma.fields.AwareDateTime(allow_none=True)
    due_text = ma.fields.String(allow_none=True)
    sentence = ma.fields.String(allow_none=True, metadata={"description": "The sentence that carries the promise"})
    phrasing = ma.fields.String(allow_none=True, metadata={"description": "How it promises: first_person, checking, "
                                                           "let_me, channel, polite, company_or_team, passive_or_hear_back"})
    confidence = ma.fields.Float(allow_none=True)


class CommitmentSettings(ma.Schema):
    lead_minutes = ma.fields.Integer(validate=ma.validate.Range(min=5, max=7 * 24 * 60))
    default_business_days = ma.fields.Integer(validate=ma.validate.Range(min=1, max=10))
    lead_digest = ma.fields.Boolean()
    helpdesk_tags = ma.fields.Boolean(metadata={"description": "Tag tickets vd_followup_due while a follow-up is due"})


class NoticeOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    text = ma.fields.String()
    url = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()


def _out(commitment: Commitment, helpdesk=None) -> dict:
    mine = commitment.agent_id == current_agent().agent_id
    return {
        **{name: getattr(commitment, name) for name in ("id", "ticket_id", "agent_name", "text", "due_at", "due_text",
                                                        "vague", "conditional", "manual", "task", "updates", "state",
                                                        "snooze_reason")},
        "mine": mine,
        "reminded": commitment.reminded_at is not None,
        "nudge": commitment.nudge if mine else None,  # coach, don't surveil: only its author sees it
        "ticket_url": helpdesk.ticket_url(commitment.ticket_id) if helpdesk else None,
    }


def _helpdesk():
    return helpdesk_client(agent_db(), g.installation)


@bp.route("/tickets/<ticket_id>/commitments", methods=["GET"])
@bp.response(200, CommitmentOut(many=True))
@agent_required
def ticket_commitments(ticket_id: str):
    """Every commitment on this ticket, newest first."""
    rows = agent_db().scalars(select(Commitment).where(Commitment.ticket_id == ticket_id)
                              .order_by(Commitment.created_at.desc()))
    return [_out(c) for c in rows]


@bp.route("/tickets/<ticket_id>/commitments", methods=["POST"])
@bp.arguments(CommitmentIn)
@bp.response(201, CommitmentOut)
@agent_required
def add_commitment(data, ticket_id: str):
    """Record a promise by hand (for example one made on a call)."""
    _helpdesk().get_ticket(ticket_id)  # 404 for a ticket this helpdesk does not have
    agent = current_agent()
    session = agent_db()
    commitment = service.add_manual(session, ticket_id, data["text"], data["due_at"], agent.agent_id, agent.agent_name)
    session.commit()
    return _out(commitment)


@bp.route("/commitments/mine", methods=["GET"])
@bp.response(200, CommitmentOut(many=True))
@agent_required
def my_commitments():
    """The current agent's open commitments, and missed ones without an update yet, across tickets, soonest first."""
    helpdesk = _helpdesk()
    waiting = or_(Commitment.state == "open", (Commitment.state == "missed") & Commitment.outcome_comment_id.is_(None))
    rows = agent_db().scalars(select(Commitment).where(Commitment.agent_id == current_agent().agent_id, waiting)
                              .order_by(Commitment.due_at).limit(100))
    return [_out(c, helpdesk) for c in rows]


@bp.route("/notices", methods=["GET"])
@bp.response(200, NoticeOut(many=True))
@agent_required
def my_notices():
    """The current agent's private notices (e.g. a thank-you when an issue they reported ships), newest first."""
    return notices.waiting_for(agent_db(), current_agent().agent_id)


@bp.route("/notices/<int:notice_id>/dismiss", methods=["POST"])
@bp.response(204)
@agent_required
def dismiss_notice(notice_id: int):
    """Dismiss one of your own notices."""
    session = agent_db()
    if not notices.dismiss(session, current_agent().agent_id, notice_id):
        raise ApiError(404, "unknown_notice", f"You have no notice {notice_id}.")
    session.commit()


@bp.route("/commitments/<int:commitment_id>/done", methods=["POST"])
@bp.response(200, CommitmentOut)
@agent_required
def done(commitment_id: int):
    """Mark a promise done (followed up some other way)."""
    session = agent_db()
    commitment = service.mark_done(session, g.installation, service.get(session, commitment_id))
    session.commit()
    return _out(commitment)


@bp.route("/commitments/<int:commitment_id>/snooze", methods=["POST"])
@bp.arguments(SnoozeIn)
@bp.response(200, CommitmentOut)
@agent_required
def snooze(data, commitment_id: int):
    """Move the due time, with a reason."""
    session = agent_db()
    commitment = service.reschedule(session, g.installation, service.get(session, commitment_id), data["due_at"],
                                    data["reason"])
    session.commit()
    return _out(commitment)


@bp.route("/commitments/<int:commitment_id>", methods=["PATCH"])
@bp.arguments(DueIn)
@bp.response(200, CommitmentOut)
@agent_required
def edit(data, commitment_id: int):
    """Correct the due time Valuedesk read from the reply."""
    session = agent_db()
    commitment = service.reschedule(session, g.installation, service.get(session, commitment_id), data["due_at"])
    session.commit()
    return _out(commitment)


@bp.route("/commitments/preview", methods=["POST"])
@bp.arguments(DraftIn)
@bp.response(200, PromiseOut)
@agent_required
def preview(data):
    """What a draft reply promises, and when it would fall due if sent now."""
    settings = service.settings_of(g.installation)
    return detect(data["text"], clock.now(), service.schedule_of(g.installation),
                  default_days=settings.default_business_days)


@bp.route("/admin/commitments/settings", methods=["GET"])
@bp.response(200, CommitmentSettings)
@admin_required
def get_settings():
    """Reminder lead time, default due for promises without a time, the team digest and helpdesk tags (both opt-in)."""
    return service.settings_of(g.installation)


@bp.route("/admin/commitments/settings", methods=["PATCH"])
@bp.arguments(CommitmentSettings)
@bp.response(200, CommitmentSettings)
@admin_required
def patch_settings(data):
    """Change commitment settings."""
    result = service.update_settings(g.installation, **data)
    agent_db().commit()
    return result
