"""Signals API: the sidebar panel (suggest, confirm, reject, add, undo, themes) and the admin's taxonomy and digest."""

from __future__ import annotations

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
from adapter.signals.schemas import ConfirmIn
from adapter.signals.schemas import DigestOut
from adapter.signals.schemas import DigestQuery
from adapter.signals.schemas import MergeIn
from adapter.signals.schemas import NewTypeIn
from adapter.signals.schemas import RenameIn
from adapter.signals.schemas import SignalIn
from adapter.signals.schemas import SignalOut
from adapter.signals.schemas import SignalSettings
from adapter.signals.schemas import SimilarIn
from adapter.signals.schemas import SplitIn
from adapter.signals.schemas import SuggestionOut
from adapter.signals.schemas import ThemeMatchOut
from adapter.signals.schemas import ThemeOut
from adapter.signals.schemas import TicketSignalsOut
from adapter.signals.schemas import TypeIn
from adapter.signals.schemas import TypeOut
from adapter.text import clean_message
from adapter.trackers import sync as trackers
from adapter.trackers.api import link_out
from adapter.trackers.settings import NAMES as TRACKER_NAMES
from adapter.trackers.settings import settings_of as tracker_settings

bp = Blueprint("signals", __name__, url_prefix="/api", description="Signals: suggestions, signals, themes, digest.")

MESSAGES_SHOWN = 5


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
