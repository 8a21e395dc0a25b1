"""Suggest signals for customer messages; confirm, reject, add and undo them, writing tags back through the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter import dispatch
from adapter import outbox
from adapter.db import SCOPE_KEY
from adapter.db import insert_unless_exists
from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.events import CUSTOMER
from adapter.events import CommentAdded
from adapter.models import Installation
from adapter.models import Signal
from adapter.models import SignalModel
from adapter.models import SignalType
from adapter.models import Suggestion
from adapter.providers.base import Ticket
from adapter.signals import blend
from adapter.signals import history
from adapter.signals import model as learned
from adapter.signals import shipped
from adapter.signals import themes
from adapter.signals.blend import Blend
from adapter.signals.classify import classify
from adapter.signals.taxonomy import ensure_types
from adapter.signals.taxonomy import get_type
from adapter.signals.taxonomy import ruleset_for
from adapter.signals.taxonomy import settings_of
from adapter.trackers import sync as trackers

log = logging.getLogger("valuedesk.signals")
MAX_QUOTE = 2000
RETRAIN_EVERY = 20
DECISION_WEIGHT = 3.0


@dataclass(frozen=True)
class Actor:
    """Who confirmed or added a signal (an agent, or auto-confirm)."""

    agent_id: str | None
    agent_name: str
    source: str = "agent"


AUTO = Actor(agent_id=None, agent_name="Valuedesk (auto-confirm)", source="auto")


_models: dict[tuple, learned.TrainedModel | None] = {}


def own_model(session: Session) -> learned.TrainedModel | None:
    """The installation's trained model, unpickled once per training and kept in this process."""
    row = session.execute(select(SignalModel.id, SignalModel.trained_at)).first()
    if row is None:
        return None
    key = (session.info[SCOPE_KEY], row.id, row.trained_at)
    if key not in _models:
        if len(_models) >= 64:
            _models.clear()
        try:
            _models[key] = learned.loads(session.scalar(select(SignalModel.blob)))
        except ValueError:
            log.warning("signals.model_unreadable", extra={"fields": {"installation": key[0]}})
            _models[key] = None
    return _models[key]


def current_model(session: Session) -> Blend:
    """What scores this installation's messages: the shipped model, blended with its own once trained."""
    return blend.with_own(own_model(session))


def suggest(session: Session, installation: Installation, ticket_id: str, comment_id: str, text: str) -> list[Suggestion]:
    """Store a suggestion for every enabled type the message scores high enough for (idempotent)."""
    enabled = [t.key for t in ensure_types(session) if t.enabled]
    settings = settings_of(installation)
    found = classify(text, ruleset_for(session, installation), current_model(session), types=enabled,
                     threshold=settings.threshold)
    created = []
    for item in found:
        values = {"installation_id": installation.id, "ticket_id": ticket_id, "comment_id": comment_id,
                  "type_key": item.type_key, "score": item.score, "quote": item.quote[:MAX_QUOTE],
                  "source": item.source, "status": "suggested", "created_at": clock.now()}
        key = ["installation_id", "ticket_id", "comment_id", "type_key"]
        suggestion_id = insert_unless_exists(session, Suggestion, values, key)
        if suggestion_id is not None:
            created.append(session.get(Suggestion, suggestion_id))
    return created


def on_comment(event: CommentAdded, context) -> None:
    """Webhook handler: suggest signals for a public customer message, and auto-confirm when the admin opted in."""
    if event.author_role != CUSTOMER or not event.public:
        return
    comment = context.comment(event.ticket_id, event.comment_id)
    created = suggest(context.session, context.installation, event.ticket_id, event.comment_id, comment.body)
    settings = settings_of(context.installation)
    if settings.auto_confirm:
        for suggestion in created:
            if suggestion.score >= settings.auto_confirm_threshold:
                confirm(context.session, suggestion, AUTO, context.ticket(event.ticket_id))


def _theme_for(session: Session, quote: str, theme_id: int | None, new_theme_title: str | None) -> int | None:
    if theme_id is not None:
        return themes.get_theme(session, theme_id).id
    if new_theme_title:
        return themes.create_theme(session, new_theme_title).id
    return None


def _clean_quote(quote: str) -> str:
    quote = " ".join((quote or "").split())
    if not quote:
        raise InvalidInput("Keep the customer's words: the quote cannot be empty.", code="empty_quote", fields={"quote": "required"})
    if len(quote) > MAX_QUOTE:
        raise InvalidInput(f"Quotes are limited to {MAX_QUOTE} characters.", code="quote_too_long", fields={"quote": f"at most {MAX_QUOTE}"})
    return quote


def _tag_ticket(session: Session, signal_type: SignalType, ticket_id: str) -> None:
    outbox.add(session, "helpdesk.add_tags", {"ticket_id": ticket_id, "tags": [signal_type.tag]})


def confirm(session: Session, suggestion: Suggestion, actor: Actor, ticket: Ticket, *, quote: str | None = None,
            theme_id: int | None = None, new_theme_title: str | None = None) -> Signal:
    """Turn a suggestion into a signal with the (possibly edited) quote, tag the ticket, attach a theme.

    :raise DomainError: Conflict when it was already decided, InvalidInput for an empty quote.
    """
    if suggestion.status != "suggested":
        raise Conflict(f"This suggestion was already {suggestion.status}.", code="already_decided")
    signal_type = get_type(session, suggestion.type_key)
    text = _clean_quote(quote if quote is not None else suggestion.quote)
    signal = _record(session, ticket, signal_type, text, actor, comment_id=suggestion.comment_id,
                     theme_id=_theme_for(session, text, theme_id, new_theme_title), suggestion_id=suggestion.id)
    suggestion.status, suggestion.decided_at = "confirmed", clock.now()
    session.flush()
    return signal


def reject(session: Session, suggestion: Suggestion) -> None:
    """Mark a suggestion as not a signal (it becomes a negative example for the model).

    :raise DomainError: Conflict when it was already decided.
    """
    if suggestion.status != "suggested":
        raise Conflict(f"This suggestion was already {suggestion.status}.", code="already_decided")
    suggestion.status, suggestion.decided_at = "rejected", clock.now()
    session.flush()


def add(session: Session, ticket: Ticket, type_key: str, quote: str, actor: Actor, *, comment_id: str | None = None,
        theme_id: int | None = None, new_theme_title: str | None = None) -> Signal:
    """Record a signal the agent found themselves (e.g. by selecting the customer's words).

    :raise DomainError: InvalidInput for an empty quote or a disabled type, Missing for an unknown type or theme.
    """
    signal_type = get_type(session, type_key)
    if not signal_type.enabled:
        raise InvalidInput(f"{signal_type.name} signals are turned off for this helpdesk.", code="type_disabled")
    text = _clean_quote(quote)
    return _record(session, ticket, signal_type, text, actor, comment_id=comment_id,
                   theme_id=_theme_for(session, text, theme_id, new_theme_title))


def _record(session: Session, ticket: Ticket, signal_type: SignalType, quote: str, actor: Actor, *,
            comment_id: str | None, theme_id: int | None, suggestion_id: int | None = None) -> Signal:
    signal = Signal(
        ticket_id=ticket.id, comment_id=comment_id, type_key=signal_type.key, quote=quote,
        customer_id=ticket.requester_email or ticket.requester_id, customer_name=ticket.requester_name,
        organization=ticket.organization, agent_id=actor.agent_id, agent_name=actor.agent_name,
        theme_id=theme_id, suggestion_id=suggestion_id, source=actor.source,
    )
    session.add(signal)
    session.flush()
    if not session.scalar(select(func.count()).select_from(Signal).where(
            Signal.ticket_id == ticket.id, Signal.type_key == signal_type.key, Signal.id != signal.id)):
        _tag_ticket(session, signal_type, ticket.id)
    trackers.on_signal(session, signal)
    return signal


def undo(session: Session, signal: Signal) -> None:
    """Remove a signal; its tag goes too unless another signal of the same type remains on the ticket."""
    signal_type = get_type(session, signal.type_key)
    if signal.suggestion_id is not None:
        suggestion = session.get(Suggestion, signal.suggestion_id)
        if suggestion is not None:
            suggestion.status, suggestion.decided_at = "suggested", None
    session.delete(signal)
    session.flush()
    remaining = session.scalar(select(func.count()).select_from(Signal).where(
        Signal.ticket_id == signal.ticket_id, Signal.type_key == signal.type_key))
    if not remaining:
        outbox.add(session, "helpdesk.remove_tags", {"ticket_id": signal.ticket_id, "tags": [signal_type.tag]})


def training_examples(session: Session) -> list[learned.Example]:
    """Agents' decisions as examples: confirmed and added signals are positives, rejections negatives."""
    by_quote: dict[str, tuple[set, set]] = {}
    for quote, type_key in session.execute(select(Signal.quote, Signal.type_key)):
        by_quote.setdefault(quote, (set(), set()))[0].add(type_key)
    for quote, type_key in session.execute(
            select(Suggestion.quote, Suggestion.type_key).where(Suggestion.status == "rejected")):
        by_quote.setdefault(quote, (set(), set()))[1].add(type_key)
    # An agent's decision weighs more than a written example or a tag: it is this team's own call.
    return [learned.Example(text=q, labels=frozenset(pos), rejected=frozenset(neg - pos), weight=DECISION_WEIGHT)
            for q, (pos, neg) in by_quote.items()]


def decisions_since_training(session: Session) -> int:
    """Confirmations, rejections and added signals since the model was last trained."""
    trained_at = session.scalar(select(SignalModel.trained_at))
    decided = select(func.count()).select_from(Suggestion).where(Suggestion.status != "suggested")
    added = select(func.count()).select_from(Signal).where(Signal.suggestion_id.is_(None))
    if trained_at is not None:
        decided = decided.where(Suggestion.decided_at > trained_at)
        added = added.where(Signal.created_at > trained_at)
    return (session.scalar(decided) or 0) + (session.scalar(added) or 0)


def retrain(session: Session, installation: Installation | None = None,
            progress: Callable[[str], None] = lambda step: None) -> learned.TrainedModel | None:
    """Train on the installation's decisions and mapped tag history (with the shipped examples) and store the model.

    None while there is not enough data (MIN_EXAMPLES decisions or tagged tickets).
    """
    installation = installation or session.get(Installation, session.info[SCOPE_KEY])
    examples = training_examples(session) + history.training_examples(session, installation)
    progress("read")
    trained = learned.train(examples, base=shipped.examples(), progress=progress)
    if trained is None:
        return None
    row = session.scalar(select(SignalModel))
    if row is None:
        row = SignalModel(blob=b"", examples=0, positives={})
        session.add(row)
    row.blob, row.examples, row.positives, row.trained_at = (learned.dumps(trained), trained.examples,
                                                             trained.positives, trained.trained_at)
    session.flush()
    progress("stored")
    return trained


def due_for_training(session: Session) -> bool:
    """The first model after MIN_EXAMPLES decisions, then a new one after every RETRAIN_EVERY."""
    has_model = session.scalar(select(SignalModel.id)) is not None
    return decisions_since_training(session) >= (RETRAIN_EVERY if has_model else learned.MIN_EXAMPLES)


def register() -> None:
    """Signals react to customer comments (called once at app start by adapter.wiring)."""
    dispatch.on(CommentAdded, on_comment)
