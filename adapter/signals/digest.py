"""The voice-of-the-customer digest: top themes and their change, churn-risk accounts, praise, weekly counts."""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.errors import InvalidInput
from adapter.models import Signal
from adapter.models import Theme
from adapter.signals.taxonomy import ensure_types

MAX_RANGE_DAYS = 366


@dataclass
class Digest:
    """Everything the digest page and its JSON show for one period."""

    start: datetime
    end: datetime
    totals: dict[str, int] = field(default_factory=dict)
    previous_totals: dict[str, int] = field(default_factory=dict)
    themes: list[dict] = field(default_factory=list)
    churn_accounts: list[dict] = field(default_factory=list)
    praise: list[dict] = field(default_factory=list)
    weeks: list[dict] = field(default_factory=list)
    types: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON form."""
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(), "totals": self.totals,
            "previous_totals": self.previous_totals, "themes": self.themes, "churn_accounts": self.churn_accounts,
            "praise": self.praise, "weeks": self.weeks, "types": self.types,
        }


def period(since: date | None, until: date | None, today: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC for inclusive dates; the last 7 days when none are given.

    :raise DomainError: InvalidInput for a reversed or overlong range.
    """
    until = until or today
    since = since or until - timedelta(days=6)
    if since > until:
        raise InvalidInput("The start date is after the end date.", code="invalid_range", fields={"since": "after until"})
    if (until - since).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"Ask for at most {MAX_RANGE_DAYS} days at a time.", code="invalid_range")
    start = datetime.combine(since, time.min, tzinfo=UTC)
    return start, datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)


def _quote(signal: Signal) -> dict:
    return {"quote": signal.quote, "customer": signal.customer_name, "organization": signal.organization,
            "ticket_id": signal.ticket_id, "type": signal.type_key, "created_at": signal.created_at.isoformat()}


def build(session: Session, start: datetime, end: datetime, *, weeks: int = 8, top: int = 10) -> Digest:
    """The digest for [start, end), compared with the period of equal length before it."""
    types = ensure_types(session)
    previous_start = start - (end - start)
    rows = list(session.scalars(select(Signal).where(Signal.created_at >= previous_start, Signal.created_at < end)
                                .order_by(Signal.created_at.desc())))
    now_rows = [s for s in rows if s.created_at >= start]
    before_rows = [s for s in rows if s.created_at < start]
    digest = Digest(start=start, end=end)
    digest.types = [{"key": t.key, "name": t.name, "color": t.color} for t in types if t.enabled]
    digest.totals = dict(Counter(s.type_key for s in now_rows))
    digest.previous_totals = dict(Counter(s.type_key for s in before_rows))

    titles = {t.id: t.title for t in session.scalars(select(Theme))}
    by_theme: dict[int, list[Signal]] = defaultdict(list)
    before_by_theme: Counter = Counter(s.theme_id for s in before_rows if s.theme_id)
    for signal in now_rows:
        if signal.theme_id:
            by_theme[signal.theme_id].append(signal)
    ranked = sorted(by_theme.items(), key=lambda kv: (-len({s.ticket_id for s in kv[1]}), -len(kv[1]), kv[0]))
    for theme_id, signals in ranked[:top]:
        digest.themes.append({
            "theme_id": theme_id, "title": titles.get(theme_id, "?"), "signals": len(signals),
            "tickets": len({s.ticket_id for s in signals}),
            "customers": len({s.customer_id or s.customer_name for s in signals if s.customer_id or s.customer_name}),
            "previous": before_by_theme.get(theme_id, 0), "change": len(signals) - before_by_theme.get(theme_id, 0),
            "quotes": [_quote(s) for s in signals[:3]],
        })

    accounts: dict[str, list[Signal]] = defaultdict(list)
    for signal in now_rows:
        if signal.type_key == "churn_risk":
            accounts[signal.organization or signal.customer_name or "Unknown customer"].append(signal)
    digest.churn_accounts = [{"account": name, "signals": len(items), "latest": _quote(items[0])}
                             for name, items in sorted(accounts.items(), key=lambda kv: -len(kv[1]))]
    digest.praise = [_quote(s) for s in now_rows if s.type_key == "praise"][:5]
    digest.weeks = weekly_counts(session, end, weeks)
    return digest


def weekly_counts(session: Session, end: datetime, weeks: int) -> list[dict]:
    """Signals per ISO week (Monday start) per type, for the `weeks` weeks up to `end`."""
    mondays = clock.weeks_before(end, weeks)
    first = datetime.combine(mondays[0], time.min, tzinfo=UTC)
    buckets = {monday: Counter() for monday in mondays}
    for created_at, type_key in session.execute(
            select(Signal.created_at, Signal.type_key).where(Signal.created_at >= first, Signal.created_at < end)):
        buckets[clock.monday_of(created_at.date())][type_key] += 1
    return [{"week": week.isoformat(), "counts": dict(counts)} for week, counts in buckets.items()]
