"""Signals API: the sidebar panel (suggest, confirm, reject, add, undo, themes) and the admin's taxonomy and digest."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from adapter import clock
from adapter.commitments import digest as followup_digest
from adapter.commitments.service import settings_of as commitment_settings
from adapter.errors import ApiError
from adapter.events import CUSTOMER
from adapter.models import Signal
from adapter.models import Suggestion
from adapter.providers import helpdesk_client
from adapter.sidebar.auth import admin_required
from adapter.sidebar.auth import agent_db
from adapter.sidebar.auth import agent_required
from adapter.sidebar.auth import current_agent
from adapter.signals import digest
from adapter.signals import service
from adapter.signals import taxonomy
from adapter.signals import themes
from adapter.text import clean_message
from adapter.trackers import sync as trackers
from adapter.trackers.api import TrackerLinkOut
from adapter.trackers.api import link_out
from adapter.trackers.settings import NAMES as TRACKER_NAMES
from adapter.trackers.settings import settings_of as tracker_settings

bp = Blueprint("signals", __name__, url_prefix="/api", description="Signals: suggestions, signals, themes, digest.")

MESSAGES_SHOWN = 5


class TypeOut(ma.Schema):
    key = ma.fields.String()
    name = ma.fields.String()
    tag = ma.fields.String()
    color = ma.fields.String()
    enabled = ma.fields.Boolean()
    builtin = ma.fields.Boolean()
    use_default_rules = ma.fields.Boolean()
    phrases = ma.fields.List(ma.fields.String())
    patterns = ma.fields.List(ma.fields.String())


class SuggestionOut(ma.Schema):
    id = ma.fields.Integer()
    ticket_id = ma.fields.String()
    comment_id = ma.fields.String()
    type_key = ma.fields.String()
    score = ma.fields.Float()
    quote = ma.fields.String()
    source = ma.fields.String()
    status = ma.fields.String()


class SignalOut(ma.Schema):
    id = ma.fields.Integer()
    ticket_id = ma.fields.String()
    type_key = ma.fields.String()
    quote = ma.fields.String()
    customer_name = ma.fields.String(allow_none=True)
    organization = ma.fields.String(allow_none=True)
    theme_id = ma.fields.Integer(allow_none=True)
    theme_title = ma.fields.String(allow_none=True)
    source = ma.fields.String()
    created_at = ma.fields.DateTime()
    tracker = ma.fields.Nested(TrackerLinkOut, allow_none=True)


class MessageOut(ma.Schema):
    comment_id = ma.fields.String()
    text = ma.fields.String()
    created_at = ma.fields.DateTime(allow_none=True)


class TicketSignalsOut(ma.Schema):
    types = ma.fields.List(ma.fields.Nested(TypeOut))
    suggestions = ma.fields.List(ma.fields.Nested(SuggestionOut))
    signals = ma.fields.List(ma.fields.Nested(SignalOut))
    messages = ma.fields.List(ma.fields.Nested(MessageOut))
    tracker_name = ma.fields.String(allow_none=True, metadata={"description": "The connected tracker, if any"})


class ThemeChoice(ma.Schema):
    theme_id = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=1))
    new_theme_title = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=200))

    @ma.validates_schema
    def one_theme(self, data, **kwargs):
        if data.get("theme_id") and data.get("new_theme_title"):
            raise ma.ValidationError("Pick an existing theme or name a new one, not both.", "new_theme_title")


class ConfirmIn(ThemeChoice):
    quote = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=service.MAX_QUOTE))


class SignalIn(ThemeChoice):
    type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    quote = ma.fields.String(required=True, validate=ma.validate.Length(max=service.MAX_QUOTE))
    comment_id = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=64))


class SimilarIn(ma.Schema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=service.MAX_QUOTE))


class ThemeMatchOut(ma.Schema):
    theme_id = ma.fields.Integer()
    title = ma.fields.String()
    score = ma.fields.Float()
    signals = ma.fields.Integer()


class QuoteOut(ma.Schema):
    signal_id = ma.fields.Integer()
    quote = ma.fields.String()
    customer = ma.fields.String(allow_none=True)
    organization = ma.fields.String(allow_none=True)
    ticket_id = ma.fields.String()
    type = ma.fields.String()
    created_at = ma.fields.DateTime()


class ThemeOut(ma.Schema):
    theme_id = ma.fields.Integer()
    title = ma.fields.String()
    signals = ma.fields.Integer()
    tickets = ma.fields.Integer()
    customers = ma.fields.Integer()
    organizations = ma.fields.Integer()
    churn_risk = ma.fields.Integer()
    first_seen = ma.fields.DateTime(allow_none=True)
    last_seen = ma.fields.DateTime(allow_none=True)
    last_7_days = ma.fields.Integer()
    previous_7_days = ma.fields.Integer()
    trend = ma.fields.String()
    types = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    quotes = ma.fields.List(ma.fields.Nested(QuoteOut))


def _helpdesk():
    return helpdesk_client(agent_db(), g.installation)


def _actor() -> service.Actor:
    agent = current_agent()
    return service.Actor(agent_id=agent.agent_id, agent_name=agent.agent_name)


def _suggestion(suggestion_id: int) -> Suggestion:
    found = agent_db().get(Suggestion, suggestion_id)
    if found is None:
        raise ApiError(404, "unknown_suggestion", f"There is no suggestion {suggestion_id}.")
    return found


def _signal_out(session, signal: Signal) -> dict:
    theme = themes.get_theme(session, signal.theme_id) if signal.theme_id else None
    link = trackers.link_of(session, theme.id) if theme else None
    return {**{c: getattr(signal, c) for c in SignalOut._declared_fields if hasattr(signal, c) and c != "tracker"},
            "theme_id": theme.id if theme else None, "theme_title": theme.title if theme else None,
            "tracker": link_out(session, link) if link else None}


@bp.route("/tickets/<ticket_id>/signals", methods=["GET"])
@bp.response(200, TicketSignalsOut)
@agent_required
def ticket_signals(ticket_id: str):
    """Signal types, open suggestions, confirmed signals and the customer's recent messages of a ticket."""
    session = agent_db()
    types = [t for t in taxonomy.ensure_types(session) if t.enabled]
    suggestions = session.scalars(select(Suggestion).where(Suggestion.ticket_id == ticket_id,
                                                           Suggestion.status == "suggested")
                                  .order_by(Suggestion.score.desc())).all()
    signals = session.scalars(select(Signal).where(Signal.ticket_id == ticket_id).order_by(Signal.created_at)).all()
    comments = [c for c in _helpdesk().list_comments(ticket_id) if c.author_role == CUSTOMER and c.public]
    messages = [{"comment_id": c.id, "text": clean_message(c.body), "created_at": c.created_at}
                for c in comments[-MESSAGES_SHOWN:]]
    session.commit()  # ensure_types may have created the defaults
    kind = tracker_settings(g.installation).kind
    return {"types": types, "suggestions": suggestions, "signals": [_signal_out(session, s) for s in signals],
            "messages": messages, "tracker_name": TRACKER_NAMES.get(kind) if kind else None}


@bp.route("/suggestions/<int:suggestion_id>/confirm", methods=["POST"])
@bp.arguments(ConfirmIn)
@bp.response(201, SignalOut)
@agent_required
def confirm_suggestion(data, suggestion_id: int):
    """Confirm a suggestion (optionally with an edited quote and a theme); tags the ticket."""
    session = agent_db()
    suggestion = _suggestion(suggestion_id)
    ticket = _helpdesk().get_ticket(suggestion.ticket_id)
    signal = service.confirm(session, suggestion, _actor(), ticket, quote=data["quote"], theme_id=data["theme_id"],
                             new_theme_title=data["new_theme_title"])
    session.commit()
    return _signal_out(session, signal)


@bp.route("/suggestions/<int:suggestion_id>/reject", methods=["POST"])
@bp.response(200, SuggestionOut)
@agent_required
def reject_suggestion(suggestion_id: int):
    """Reject a suggestion; the model learns from it."""
    session = agent_db()
    suggestion = _suggestion(suggestion_id)
    service.reject(session, suggestion)
    session.commit()
    return suggestion


@bp.route("/tickets/<ticket_id>/signals", methods=["POST"])
@bp.arguments(SignalIn)
@bp.response(201, SignalOut)
@agent_required
def add_signal(data, ticket_id: str):
    """Add a signal the agent spotted, with the customer's words they selected."""
    session = agent_db()
    taxonomy.get_type(session, data["type"])  # 404 before any helpdesk call
    ticket = _helpdesk().get_ticket(ticket_id)
    signal = service.add(session, ticket, data["type"], data["quote"], _actor(), comment_id=data["comment_id"],
                         theme_id=data["theme_id"], new_theme_title=data["new_theme_title"])
    session.commit()
    return _signal_out(session, signal)


@bp.route("/signals/<int:signal_id>", methods=["DELETE"])
@bp.response(204)
@agent_required
def undo_signal(signal_id: int):
    """Undo a signal: it goes, and so does its tag unless another signal of the type remains."""
    session = agent_db()
    signal = session.get(Signal, signal_id)
    if signal is None:
        raise ApiError(404, "unknown_signal", f"There is no signal {signal_id}.")
    service.undo(session, signal)
    session.commit()


@bp.route("/themes/similar", methods=["POST"])
@bp.arguments(SimilarIn)
@bp.response(200, ThemeMatchOut(many=True))
@agent_required
def similar_themes(data):
    """The existing themes closest to a quote, to attach a new signal to."""
    return themes.similar_themes(agent_db(), data["text"])


@bp.route("/themes/<int:theme_id>", methods=["GET"])
@bp.response(200, ThemeOut)
@agent_required
def theme_detail(theme_id: int):
    """A theme's counts, time span, trend and quotes."""
    session = agent_db()
    theme = themes.get_theme(session, theme_id)
    return themes.theme_stats(session, [theme.id], quotes=20)[0]


# Admin: taxonomy, settings, themes


class TypeIn(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=60))
    tag = ma.fields.String(validate=ma.validate.Length(min=1, max=80))
    color = ma.fields.String(validate=ma.validate.Length(equal=7))
    enabled = ma.fields.Boolean()
    use_default_rules = ma.fields.Boolean()
    phrases = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=120)), validate=ma.validate.Length(max=200))
    patterns = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=200)), validate=ma.validate.Length(max=50))


class NewTypeIn(TypeIn):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=60))

    class Meta:
        exclude = ("use_default_rules",)  # a type of the team's own has no built-in rules


class SignalSettings(ma.Schema):
    threshold = ma.fields.Float(validate=ma.validate.Range(min=0.05, max=0.99))
    auto_confirm = ma.fields.Boolean()
    auto_confirm_threshold = ma.fields.Float(validate=ma.validate.Range(min=0.05, max=0.99))
    competitors = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=80)),
                                 validate=ma.validate.Length(max=100))


class MergeIn(ma.Schema):
    into = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))


class SplitIn(ma.Schema):
    signal_ids = ma.fields.List(ma.fields.Integer(validate=ma.validate.Range(min=1)), required=True,
                                validate=ma.validate.Length(min=1, max=1000))
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class RenameIn(ma.Schema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class DigestQuery(ma.Schema):
    since = ma.fields.Date(load_default=None)
    until = ma.fields.Date(load_default=None)


@bp.route("/admin/signals/types", methods=["GET"])
@bp.response(200, TypeOut(many=True))
@admin_required
def list_types():
    """Every signal type, enabled or not."""
    session = agent_db()
    types = taxonomy.ensure_types(session)
    session.commit()
    return types


@bp.route("/admin/signals/types", methods=["POST"])
@bp.arguments(NewTypeIn)
@bp.response(201, TypeOut)
@admin_required
def create_type(data):
    """Add a custom signal type with its tag, colour and rules."""
    session = agent_db()
    created = taxonomy.add_type(session, **data)
    session.commit()
    return created


@bp.route("/admin/signals/types/<key>", methods=["PATCH"])
@bp.arguments(TypeIn)
@bp.response(200, TypeOut)
@admin_required
def edit_type(data, key: str):
    """Rename, re-tag, re-colour, turn on or off, or change the rules of a type."""
    session = agent_db()
    updated = taxonomy.update_type(session, key, **data)
    session.commit()
    return updated


@bp.route("/admin/signals/settings", methods=["GET"])
@bp.response(200, SignalSettings)
@admin_required
def get_settings():
    """Suggestion threshold, auto-confirm and competitor names."""
    return taxonomy.settings_of(g.installation).as_dict()


@bp.route("/admin/signals/settings", methods=["PATCH"])
@bp.arguments(SignalSettings)
@bp.response(200, SignalSettings)
@admin_required
def patch_settings(data):
    """Change signal settings."""
    result = taxonomy.update_settings(g.installation, **data)
    agent_db().commit()
    return result.as_dict()


@bp.route("/admin/themes", methods=["GET"])
@bp.response(200, ThemeOut(many=True))
@admin_required
def list_themes():
    """Every live theme with its counts, busiest first."""
    return themes.theme_stats(agent_db())


@bp.route("/admin/themes/<int:theme_id>", methods=["PATCH"])
@bp.arguments(RenameIn)
@bp.response(200, ThemeOut)
@admin_required
def rename_theme(data, theme_id: int):
    """Rename a theme."""
    session = agent_db()
    theme = themes.rename_theme(session, theme_id, data["title"])
    session.commit()
    return themes.theme_stats(session, [theme.id])[0]


@bp.route("/admin/themes/<int:theme_id>/merge", methods=["POST"])
@bp.arguments(MergeIn)
@bp.response(200, ThemeOut)
@admin_required
def merge_theme(data, theme_id: int):
    """Merge this theme into another."""
    session = agent_db()
    source = themes.get_theme(session, theme_id)
    target = themes.merge_themes(session, source.id, data["into"])
    trackers.on_themes_merged(session, source.id, target.id)
    session.commit()
    return themes.theme_stats(session, [target.id])[0]


@bp.route("/admin/themes/<int:theme_id>/split", methods=["POST"])
@bp.arguments(SplitIn)
@bp.response(201, ThemeOut)
@admin_required
def split_theme(data, theme_id: int):
    """Move some signals of this theme into a new one."""
    session = agent_db()
    new = themes.split_theme(session, theme_id, data["signal_ids"], data["title"])
    session.commit()
    return themes.theme_stats(session, [new.id])[0]


class DigestWeekOut(ma.Schema):
    week = ma.fields.String(metadata={"description": "The Monday that starts the week (YYYY-MM-DD)"})
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class DigestOut(ma.Schema):
    start = ma.fields.String(metadata={"description": "Start of the period (ISO 8601, inclusive)"})
    end = ma.fields.String(metadata={"description": "End of the period (ISO 8601, exclusive)"})
    totals = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), metadata={"description": "Signals per type"})
    previous_totals = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    themes = ma.fields.List(ma.fields.Dict(), metadata={"description": "Top themes with verbatim quotes"})
    churn_accounts = ma.fields.List(ma.fields.Dict())
    praise = ma.fields.List(ma.fields.Dict())
    weeks = ma.fields.List(ma.fields.Nested(DigestWeekOut))
    types = ma.fields.List(ma.fields.Dict())
    followups = ma.fields.Dict(metadata={"description": "Team follow-up outcomes, when the admin turned them on"})


@bp.route("/digest", methods=["GET"])
@bp.arguments(DigestQuery, location="query")
@bp.response(200, DigestOut)
@agent_required
def digest_json(query):
    """The voice-of-the-customer digest for a date range (default: the last 7 days)."""
    start, end = digest.period(query["since"], query["until"], clock.now().date())
    report = digest.build(agent_db(), start, end).as_dict()
    if commitment_settings(g.installation).lead_digest:
        report["followups"] = followup_digest.build(agent_db(), start, end, clock.now()).as_dict()
    return report
