"""Copy-paste warnings API: the sidebar's pre-send check and outcome, and the admin's settings and team stats."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from adapter.db import get_db
from adapter.db import reads_only
from adapter.db import release_request_session
from adapter.replies import fingerprint
from adapter.replies import service
from adapter.sidebar.auth import admin_required
from adapter.sidebar.auth import agent_db
from adapter.sidebar.auth import agent_required
from adapter.sidebar.auth import current_agent

bp = Blueprint("replies", __name__, url_prefix="/api", description="Copy-paste warnings before a reply is sent.")


class CheckIn(ma.Schema):
    draft = ma.fields.String(required=True, metadata={"description": f"At most {service.MAX_DRAFT_CHARS} characters"})
    ticket_id = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=64))
    customer_message = ma.fields.String(load_default=None, validate=ma.validate.Length(max=service.MAX_DRAFT_CHARS),
                                        metadata={"description": "The customer's last message; the latest one "
                                                                 "Valuedesk saw on the ticket when omitted"})


class WarningOut(ma.Schema):
    kind = ma.fields.String(metadata={"description": "repeated | unedited_macro | not_addressed"})
    title = ma.fields.String()
    detail = ma.fields.String()
    suggestion = ma.fields.String()
    examples = ma.fields.List(ma.fields.String(), metadata={"description": "The agent's own earlier replies only"})


class CheckOut(ma.Schema):
    warnings = ma.fields.List(ma.fields.Nested(WarningOut))


class OutcomeIn(ma.Schema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(service.OUTCOMES))


class StatsQuery(ma.Schema):
    weeks = ma.fields.Integer(load_default=12, validate=ma.validate.Range(min=1, max=104))


class WeekOut(ma.Schema):
    week = ma.fields.String()
    checks = ma.fields.Integer()
    warned = ma.fields.Integer()
    warned_share = ma.fields.Float(allow_none=True)
    edited = ma.fields.Integer()
    sent_anyway = ma.fields.Integer()
    edited_share = ma.fields.Float(allow_none=True)


class ReplySettings(ma.Schema):
    threshold = ma.fields.Float(validate=ma.validate.Range(min=fingerprint.LOWEST_THRESHOLD, max=1.0), metadata={
        "description": "Share of words two replies must have in common, in order, to be copies (after masking); "
                       "a reply counts as at least 20 words, so at 0.8 short replies may differ by 4 words"})
    min_matches = ma.fields.Integer(validate=ma.validate.Range(min=2, max=1000))
    window_days = ma.fields.Integer(validate=ma.validate.Range(min=1, max=365))
    retention_days = ma.fields.Integer(validate=ma.validate.Range(min=1, max=3650))


class SyncOut(ma.Schema):
    macros = ma.fields.Integer()


@bp.route("/replies/check", methods=["POST"])
@reads_only
@bp.arguments(CheckIn)
@bp.response(200, CheckOut)
@agent_required
def check_draft(data):
    """Private warnings for a draft reply before it is sent (only its author sees them)."""
    agent = current_agent()
    result = service.check(agent_db(), g.installation, ticket_id=data["ticket_id"], agent_id=agent.agent_id,
                           agent_name=agent.agent_name, draft=data["draft"],
                           customer_message=data["customer_message"])
    release_request_session()
    with get_db().tenant(agent.installation_id, immediate=True) as session:
        service.count_check(session, warned=bool(result.warnings))
    return {"warnings": [w.as_dict() for w in result.warnings]}


@bp.route("/replies/outcome", methods=["POST"])
@bp.arguments(OutcomeIn)
@bp.response(204)
@agent_required
def report_outcome(data):
    """Count, for the team only, whether a warned reply was edited or sent anyway."""
    service.count_outcome(agent_db(), data["outcome"])
    agent_db().commit()


@bp.route("/admin/replies/stats", methods=["GET"])
@bp.arguments(StatsQuery, location="query")
@bp.response(200, WeekOut(many=True))
@admin_required
def team_stats(query):
    """The team's weekly share of replies that got a warning, and how many were edited after one."""
    return service.weekly_stats(agent_db(), query["weeks"])


@bp.route("/admin/replies/settings", methods=["GET"])
@bp.response(200, ReplySettings)
@admin_required
def get_settings():
    """Share of matching words, copies needed, look-back window and text retention."""
    return service.settings_of(g.installation)


@bp.route("/admin/replies/settings", methods=["PATCH"])
@bp.arguments(ReplySettings)
@bp.response(200, ReplySettings)
@admin_required
def patch_settings(data):
    """Change copy-paste warning settings."""
    result = service.update_settings(g.installation, **data)
    agent_db().commit()
    return result


@bp.route("/admin/replies/macros/sync", methods=["POST"])
@bp.response(200, SyncOut)
@admin_required
def sync_macros():
    """Fetch the helpdesk's macros now (they are also synced every hour)."""
    count = service.sync_macros(agent_db(), g.installation)
    agent_db().commit()
    return {"macros": count}
