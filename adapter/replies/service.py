"""Copy-paste warnings: store reply fingerprints, sync macros, check a draft, count checks for the team only."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from adapter import clock
from adapter import dispatch
from adapter.db import SCOPE_KEY
from adapter.errors import ApiError
from adapter.errors import InvalidInput
from adapter.events import AGENT
from adapter.events import CUSTOMER
from adapter.events import CommentAdded
from adapter.installations import feature_settings
from adapter.installations import merged_settings
from adapter.installations import store_feature_settings
from adapter.models import Installation
from adapter.models import MacroText
from adapter.models import ReplyCheckWeek
from adapter.models import ReplyContext
from adapter.models import ReplyFingerprint
from adapter.providers import helpdesk_client
from adapter.rates import Rate
from adapter.replies import fingerprint
from adapter.replies.asks import MAX_SHOWN
from adapter.replies.asks import asks_in
from adapter.replies.asks import untouched
from adapter.replies.copies import MIN_WORDS
from adapter.replies.copies import Match
from adapter.replies.copies import Prepared
from adapter.replies.copies import forget_before
from adapter.replies.copies import near_copies
from adapter.replies.copies import prepare
from adapter.replies.copies import record_reply
from adapter.replies.copies import texts_of

MAX_DRAFT_CHARS = 20_000
MACRO_CONTAINED = 0.9  # share of the macro's word pairs that must be in the draft for it to count as "the macro"
MACRO_ADDED_WORDS = 5  # at most this many new words (or 10% of the macro) and the macro is "unedited"
EXAMPLES_SHOWN = 2
EXAMPLE_CHARS = 280
OUTCOMES = ("edited", "sent_anyway")


@dataclass(frozen=True)
class ReplySettings:
    """What admins decide about copy-paste warnings."""

    threshold: float = 0.8
    min_matches: int = 5
    window_days: int = 30
    retention_days: int = 90


def settings_of(installation: Installation) -> ReplySettings:
    """The installation's settings, with defaults for anything unset."""
    return feature_settings(installation, "replies", ReplySettings)


def update_settings(installation: Installation, **changes) -> ReplySettings:
    """Validate and store new settings.

    :raise DomainError: InvalidInput naming the setting that is out of range.
    """
    current = merged_settings(installation, "replies", ReplySettings, changes)
    if not fingerprint.LOWEST_THRESHOLD <= float(current["threshold"]) <= 1.0:
        raise InvalidInput(f"The share of matching words must be between {fingerprint.LOWEST_THRESHOLD} and 1.0 (at 0.8 "
                       "a reply of up to 20 words may differ by 4 words).", code="invalid_setting", fields={"threshold": f"{fingerprint.LOWEST_THRESHOLD}–1.0"})
    limits = {"min_matches": (2, 1000, "A reply is repeated after 2 to 1,000 near-copies."),
              "window_days": (1, 365, "Look back 1 to 365 days."),
              "retention_days": (1, 3650, "Keep reply text 1 to 3,650 days.")}
    for name, (low, high, message) in limits.items():
        if not isinstance(current[name], int) or not low <= current[name] <= high:
            raise InvalidInput(message, code="invalid_setting", fields={name: f"{low}–{high}"})
    current["threshold"] = float(current["threshold"])
    store_feature_settings(installation, "replies", current)
    return ReplySettings(**current)


@dataclass(frozen=True)
class Warning:
    """One private nudge for the agent."""

    kind: str
    title: str
    detail: str
    suggestion: str
    examples: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {**asdict(self), "examples": list(self.examples)}


@dataclass
class CheckResult:
    """The warnings for a draft, and the stored replies it nearly copies."""

    warnings: list[Warning] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)


# Storing


def record_customer_message(session: Session, ticket_id: str, message: str, customer_name: str | None,
                            at: datetime | None = None) -> None:
    """Remember the customer's latest public message on a ticket."""
    at = at or clock.now()
    existing = session.scalar(select(ReplyContext).where(ReplyContext.ticket_id == ticket_id))
    if existing is None:
        session.add(ReplyContext(ticket_id=ticket_id, message=message, customer_name=customer_name, updated_at=at))
    elif existing.updated_at <= at:
        existing.message, existing.customer_name, existing.updated_at = message, customer_name, at
    session.flush()


def on_comment(event: CommentAdded, context) -> None:
    """Webhook handler: fingerprint public agent replies; remember the customer's latest message."""
    if not event.public:
        return
    comment = context.comment(event.ticket_id, event.comment_id)
    ticket = context.ticket(event.ticket_id)
    if event.author_role == AGENT:
        record_reply(context.session, ticket_id=event.ticket_id, comment_id=event.comment_id,
                     agent_id=event.author_id or comment.author_id, text=comment.body, created_at=comment.created_at,
                     names=(ticket.requester_name, comment.author_name))
    elif event.author_role == CUSTOMER:
        record_customer_message(context.session, event.ticket_id, comment.body,
                                comment.author_name or ticket.requester_name, comment.created_at)


def sync_macros(session: Session, installation: Installation) -> int:
    """Replace the stored macros with the helpdesk's current ones; how many there are now."""
    current = {m.id: m for m in helpdesk_client(session, installation).list_macros()}
    now = clock.now()
    stored = {m.external_id: m for m in session.scalars(select(MacroText))}
    for external_id, row in stored.items():
        if external_id not in current:
            session.delete(row)
    for external_id, macro in current.items():
        row = stored.get(external_id)
        if row is None:
            session.add(MacroText(external_id=external_id, title=macro.title[:300], body=macro.body, synced_at=now))
        elif (row.title, row.body) != (macro.title[:300], macro.body):
            row.title, row.body, row.synced_at = macro.title[:300], macro.body, now
    session.flush()
    return len(current)


# Checking


@dataclass(frozen=True)
class PreparedMacro:
    """A macro's title and its normalised words (plain data, safe to keep between requests)."""

    title: str
    prepared: Prepared


class _MacroCache:
    """Prepared macros per installation, rebuilt when a sync changes them; bounded, so memory stays flat."""

    def __init__(self, size: int = 256):
        self.size = size
        self.entries: OrderedDict[str, tuple[tuple, list]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, session: Session) -> list[PreparedMacro]:
        installation_id = session.info[SCOPE_KEY]
        version = tuple(session.execute(select(func.count(), func.max(MacroText.synced_at))).one())
        with self.lock:
            entry = self.entries.get(installation_id)
            if entry and entry[0] == version:
                self.entries.move_to_end(installation_id)
                return entry[1]
        macros = [PreparedMacro(m.title, prepare(m.body))
                  for m in session.scalars(select(MacroText).order_by(MacroText.id))]
        with self.lock:
            self.entries[installation_id] = (version, macros)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return macros


MACROS = _MacroCache()


def matching_macro(session: Session, draft: Prepared) -> tuple[PreparedMacro, bool] | None:
    """The macro the draft is built on, if any, and whether the agent left it (almost) unchanged."""
    best = None
    for macro in MACROS.get(session):
        prepared = macro.prepared
        if len(prepared.pairs) < 2:
            continue
        contained = len(prepared.pairs & draft.pairs) / len(prepared.pairs)
        if contained >= MACRO_CONTAINED and (best is None or contained > best[0]):
            macro_words = set(prepared.words)
            added = sum(1 for word in draft.words if word not in macro_words)
            best = (contained, macro, added <= max(MACRO_ADDED_WORDS, len(prepared.words) // 10))
    return (best[1], best[2]) if best else None


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS - 1].rstrip() + "…"


def _repeated_warning(count: int, window_days: int, own: list[str]) -> Warning:
    return Warning(
        kind="repeated",
        title=f"Almost the same as {count} replies sent on other tickets in the last {window_days} days",
        detail=("Customers can tell when an answer wasn't written for them."
                + (" Your own earlier replies it matches:" if own else "")),
        suggestion="Make it about this ticket: use what the customer told you and say what happens next.",
        examples=tuple(_excerpt(text) for text in own),
    )


def _macro_warning(macro: PreparedMacro) -> Warning:
    return Warning(
        kind="unedited_macro",
        title=f"This is the \u201c{macro.title or 'macro'}\u201d macro, unchanged",
        detail="Nothing in it speaks to this customer's message yet.",
        suggestion="Add a line about their situation: what you checked, or what happens next for them.",
    )


def _not_addressed_warning(missing: list, customer_name: str | None) -> Warning:
    who = f"{customer_name.split(' ')[0]}'s" if customer_name else "The customer's"
    listed = "; ".join(ask.label for ask in missing[:MAX_SHOWN])
    more = f" (and {len(missing) - MAX_SHOWN} more)" if len(missing) > MAX_SHOWN else ""
    return Warning(
        kind="not_addressed",
        title=f"{who} message asks something your reply doesn't touch",
        detail=f"Not answered yet: {listed}{more}.",
        suggestion="Answer it, or say what you're doing about it and when you'll be back.",
    )


def validate_draft(draft: str | None) -> str:
    """The draft, or a 4xx that says what is wrong with it."""
    if draft is None or not draft.strip():
        raise InvalidInput("There is no reply text to check.", code="empty_draft", fields={"draft": "required"})
    if len(draft) > MAX_DRAFT_CHARS:
        raise ApiError(413, "draft_too_long",
                       f"This reply is {len(draft):,} characters; drafts up to {MAX_DRAFT_CHARS:,} are checked.",
                       fields={"draft": f"at most {MAX_DRAFT_CHARS} characters"})
    return draft


def check(session: Session, installation: Installation, *, ticket_id: str | None, agent_id: str | None, draft: str,
          customer_message: str | None = None, customer_name: str | None = None, agent_name: str | None = None,
          now: datetime | None = None) -> CheckResult:
    """The private warnings for a draft reply: repeated, unedited_macro, not_addressed."""
    validate_draft(draft)
    settings = settings_of(installation)
    now = now or clock.now()
    if customer_message is None and ticket_id is not None:
        context = session.scalar(select(ReplyContext).where(ReplyContext.ticket_id == ticket_id))
        if context is not None:
            customer_message, customer_name = context.message, customer_name or context.customer_name
    prepared = prepare(draft, (customer_name, agent_name))
    result = CheckResult()
    macro = matching_macro(session, prepared) if len(prepared.words) >= MIN_WORDS else None
    if macro is not None and macro[1]:
        result.warnings.append(_macro_warning(macro[0]))
    if len(prepared.words) >= MIN_WORDS:
        result.matches = near_copies(session, prepared, exclude_ticket=ticket_id,
                                     since=now - timedelta(days=settings.window_days), threshold=settings.threshold)
        tickets = {m.ticket_id for m in result.matches}
        # A macro with the customer's situation written in is good practice, however often the macro is sent.
        if len(tickets) >= settings.min_matches and macro is None:
            own = [m.fingerprint_id for m in result.matches if agent_id is not None and m.agent_id == agent_id]
            examples = texts_of(session, own[:10])[:EXAMPLES_SHOWN]
            result.warnings.append(_repeated_warning(len(tickets), settings.window_days, examples))
    if customer_message:
        missing = untouched(asks_in(customer_message, (customer_name or "",)), draft)
        if missing:
            result.warnings.append(_not_addressed_warning(missing, customer_name))
    return result


# Team-level counts (no agent in them, by design)


def _week(now: datetime) -> date:
    day = now.date()
    return day - timedelta(days=day.weekday())


def _increment(session: Session, now: datetime, **counts: int) -> None:
    dialect = session.get_bind().dialect.name
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {"installation_id": session.info[SCOPE_KEY], "week": _week(now), "checks": 0, "warned": 0,
              "edited": 0, "sent_anyway": 0, **counts}
    table = ReplyCheckWeek.__table__
    statement = insert_(table).values(**values).on_conflict_do_update(
        index_elements=["installation_id", "week"],
        set_={name: table.c[name] + value for name, value in counts.items()})
    session.execute(statement)


def count_check(session: Session, warned: bool, now: datetime | None = None) -> None:
    """Count one pre-send check for the team's weekly share."""
    _increment(session, now or clock.now(), checks=1, warned=int(warned))


def count_outcome(session: Session, outcome: str, now: datetime | None = None) -> None:
    """Count what an agent did after a warning: edited the reply or sent it anyway."""
    if outcome not in OUTCOMES:
        raise InvalidInput("The outcome is either 'edited' or 'sent_anyway'.", code="invalid_outcome", fields={"outcome": "edited | sent_anyway"})
    _increment(session, now or clock.now(), **{outcome: 1})


def weekly_stats(session: Session, weeks: int = 12, now: datetime | None = None) -> list[dict]:
    """The team's last `weeks` weeks: checks, the share that got a warning, and what happened after one.

    Shares are None below adapter.rates.MIN_SAMPLE; the counts are always there.
    """
    first = _week(now or clock.now()) - timedelta(weeks=weeks - 1)
    rows = {row.week: row for row in session.scalars(select(ReplyCheckWeek).where(ReplyCheckWeek.week >= first))}
    result = []
    for n in range(weeks):
        week = first + timedelta(weeks=n)
        row = rows.get(week)
        checks, warned = (row.checks, row.warned) if row else (0, 0)
        edited, anyway = (row.edited, row.sent_anyway) if row else (0, 0)
        result.append({"week": week.isoformat(), "checks": checks, "warned": warned,
                       "warned_share": Rate(warned, checks).value, "edited": edited,
                       "sent_anyway": anyway, "edited_share": Rate(edited, edited + anyway).value})
    return result


# Retention


def purge(session: Session, installation: Installation, now: datetime | None = None) -> dict[str, int]:
    """Drop reply text after the retention period, and fingerprints no check can reach any more."""
    settings = settings_of(installation)
    now = now or clock.now()
    text_cutoff = now - timedelta(days=settings.retention_days)
    row_cutoff = now - timedelta(days=max(settings.window_days, settings.retention_days))
    removed = forget_before(session, row_cutoff)
    cleared = session.execute(update(ReplyFingerprint).where(ReplyFingerprint.created_at < text_cutoff,
                                                             ReplyFingerprint.text.is_not(None))
                              .values(text=None).execution_options(synchronize_session=False)).rowcount
    contexts = session.execute(delete(ReplyContext).where(ReplyContext.updated_at < text_cutoff)
                               .execution_options(synchronize_session=False)).rowcount
    return {"texts_cleared": cleared, "fingerprints_removed": removed, "contexts_removed": contexts}


def register() -> None:
    """Copy-paste checks learn from agent replies (called once at app start by adapter.wiring)."""
    dispatch.on(CommentAdded, on_comment)
