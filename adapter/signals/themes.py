"""Themes: signals about the same problem, found by text similarity, counted, merged and split."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from adapter import clock
from adapter.errors import InvalidInput
from adapter.errors import Missing
from adapter.models import Signal
from adapter.models import Theme

QUOTES_PER_THEME = 20
MIN_SIMILARITY = 0.05


@dataclass(frozen=True)
class ThemeMatch:
    """An existing theme and how close it is to a quote."""

    theme_id: int
    title: str
    score: float
    signals: int


@dataclass
class ThemeStats:
    """What a theme amounts to: tickets, people, time span, trend and the customers' words."""

    theme_id: int
    title: str
    signals: int = 0
    tickets: int = 0
    customers: int = 0
    organizations: int = 0
    churn_risk: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_7_days: int = 0
    previous_7_days: int = 0
    types: dict[str, int] = field(default_factory=dict)
    quotes: list[dict] = field(default_factory=list)

    @property
    def trend(self) -> str:
        """"rising", "falling" or "steady", comparing the last week with the one before."""
        if self.last_7_days > self.previous_7_days:
            return "rising"
        if self.last_7_days < self.previous_7_days:
            return "falling"
        return "steady"


def get_theme(session: Session, theme_id: int) -> Theme:
    """A live theme (following merges).

    :raise DomainError: Missing when the installation has no such theme.
    """
    theme = session.get(Theme, theme_id)
    seen = set()
    while theme is not None and theme.merged_into_id is not None and theme.id not in seen:
        seen.add(theme.id)
        theme = session.get(Theme, theme.merged_into_id)
    if theme is None:
        raise Missing(f"There is no theme {theme_id}.", code="unknown_theme")
    return theme


def live_themes(session: Session) -> list[Theme]:
    """Every theme that was not merged into another."""
    return list(session.scalars(select(Theme).where(Theme.merged_into_id.is_(None)).order_by(Theme.id)))


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise InvalidInput("A theme needs a title of 1 to 200 characters.", code="invalid_title", fields={"title": "1–200"})
    return title


def create_theme(session: Session, title: str) -> Theme:
    """Start a theme.

    :raise DomainError: InvalidInput for an empty or overlong title.
    """
    theme = Theme(title=_title(title))
    session.add(theme)
    session.flush()
    return theme


def rename_theme(session: Session, theme_id: int, title: str) -> Theme:
    """Give a theme a clearer title.

    :raise DomainError: InvalidInput for an empty title, Missing for an unknown theme.
    """
    theme = get_theme(session, theme_id)
    theme.title = _title(title)
    session.flush()
    return theme


def similar_themes(session: Session, text: str, *, limit: int = 5) -> list[ThemeMatch]:
    """The themes whose title and quotes read most like `text`, best first."""
    themes = live_themes(session)
    if not themes or not text.strip():
        return []
    quotes: dict[int, list[str]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for theme_id, quote in session.execute(
        select(Signal.theme_id, Signal.quote).where(Signal.theme_id.in_([t.id for t in themes]))
        .order_by(Signal.created_at.desc())
    ):
        counts[theme_id] += 1
        if len(quotes[theme_id]) < QUOTES_PER_THEME:
            quotes[theme_id].append(quote)
    # The title speaks for the theme; repeat it so a few long quotes do not drown it out.
    documents = [" ".join([t.title] * 3 + quotes[t.id]) for t in themes]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode")
    matrix = vectorizer.fit_transform(documents + [text])
    similarity = linear_kernel(matrix[-1], matrix[:-1]).ravel()
    ranked = sorted(range(len(themes)), key=lambda i: -similarity[i])[:limit]
    return [ThemeMatch(themes[i].id, themes[i].title, round(float(similarity[i]), 3), counts[themes[i].id])
            for i in ranked if similarity[i] >= MIN_SIMILARITY]


def merge_themes(session: Session, source_id: int, target_id: int) -> Theme:
    """Move every signal of `source` into `target` and retire `source`.

    :raise DomainError: InvalidInput when merging a theme into itself, Missing for unknown themes.
    """
    source, target = get_theme(session, source_id), get_theme(session, target_id)
    if source.id == target.id:
        raise InvalidInput("A theme cannot be merged into itself.", code="same_theme")
    session.execute(update(Signal).where(Signal.theme_id == source.id).values(theme_id=target.id)
                    .execution_options(synchronize_session=False))
    source.merged_into_id = target.id
    target.updated_at = clock.now()
    session.flush()
    return target


def split_theme(session: Session, theme_id: int, signal_ids: list[int], title: str) -> Theme:
    """Move some of a theme's signals into a new theme.

    :raise DomainError: InvalidInput when a signal is not in the theme or every signal would move.
    """
    theme = get_theme(session, theme_id)
    members = set(session.scalars(select(Signal.id).where(Signal.theme_id == theme.id)))
    moving = set(signal_ids)
    if not moving or not moving <= members:
        raise InvalidInput("Pick one or more signals of this theme to move.", code="invalid_split")
    if moving == members:
        raise InvalidInput("Leave at least one signal in the original theme (or rename it instead).", code="invalid_split")
    new = create_theme(session, title)
    session.execute(update(Signal).where(Signal.id.in_(moving)).values(theme_id=new.id)
                    .execution_options(synchronize_session=False))
    session.flush()
    return new


def theme_stats(session: Session, theme_ids: list[int] | None = None, *, now: datetime | None = None,
                quotes: int = 5) -> list[ThemeStats]:
    """Counts, time span, trend and recent quotes of live themes, busiest first."""
    now = now or clock.now()
    themes = {t.id: t for t in live_themes(session) if theme_ids is None or t.id in theme_ids}
    stats = {tid: ThemeStats(theme_id=tid, title=t.title) for tid, t in themes.items()}
    tickets, customers, organizations = defaultdict(set), defaultdict(set), defaultdict(set)
    rows = session.scalars(select(Signal).where(Signal.theme_id.in_(list(themes))).order_by(Signal.created_at.desc()))
    for signal in rows:
        s = stats[signal.theme_id]
        s.signals += 1
        s.types[signal.type_key] = s.types.get(signal.type_key, 0) + 1
        s.churn_risk += signal.type_key == "churn_risk"
        tickets[s.theme_id].add(signal.ticket_id)
        if signal.customer_id or signal.customer_name:
            customers[s.theme_id].add(signal.customer_id or signal.customer_name)
        if signal.organization:
            organizations[s.theme_id].add(signal.organization)
        s.first_seen = min(filter(None, (s.first_seen, signal.created_at)))
        s.last_seen = max(filter(None, (s.last_seen, signal.created_at)))
        age = now - signal.created_at
        s.last_7_days += age <= timedelta(days=7)
        s.previous_7_days += timedelta(days=7) < age <= timedelta(days=14)
        if len(s.quotes) < quotes:
            s.quotes.append({"signal_id": signal.id, "quote": signal.quote, "customer": signal.customer_name,
                             "organization": signal.organization, "ticket_id": signal.ticket_id,
                             "type": signal.type_key, "created_at": signal.created_at})
    for tid, s in stats.items():
        s.tickets, s.customers, s.organizations = len(tickets[tid]), len(customers[tid]), len(organizations[tid])
    return sorted(stats.values(), key=lambda s: (-s.tickets, -s.signals, s.theme_id))
