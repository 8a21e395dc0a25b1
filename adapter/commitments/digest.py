"""The team lead's follow-up digest (opt-in): how the team keeps its promises, never who kept which.

Only promises with a firm time count: a vague one ("soon") is reminded but not judged, a task Valuedesk
suggested is never a promise, and a promise whose ticket was solved first is closed, not kept. Rates carry
their sample and are not shown below adapter.rates.MIN_SAMPLE judged promises.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.models import Commitment
from adapter.rates import Rate

MISSED_SHOWN = 10


@dataclass(frozen=True)
class MissedTicket:
    """A ticket whose promise passed its due time, still without the update."""

    ticket_id: str
    text: str
    due_at: datetime


@dataclass(frozen=True)
class FollowupDigest:
    """Outcomes of the counted promises that fell due in a period, for the whole team."""

    outcomes: dict[str, int]
    previous_outcomes: dict[str, int]
    due_next_day: int
    missed_tickets: list[MissedTicket]
    weeks: list[dict] = field(default_factory=list)  # {"week": Monday, "counts": {"kept": n, "missed": n}}

    @staticmethod
    def kept_rate(outcomes: dict[str, int]) -> Rate:
        """Kept or done, out of the promises that were judged (kept, done or missed)."""
        kept = outcomes.get("kept", 0) + outcomes.get("done", 0)
        return Rate(kept, kept + outcomes.get("missed", 0))

    @property
    def rate(self) -> Rate:
        """This period's kept rate."""
        return self.kept_rate(self.outcomes)

    @property
    def previous_rate(self) -> Rate:
        """The previous period's kept rate."""
        return self.kept_rate(self.previous_outcomes)

    @property
    def change(self) -> float | None:
        """Points since the previous period, when both periods have enough judged promises."""
        return self.rate.change_from(self.previous_rate)

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"outcomes": self.outcomes, "previous_outcomes": self.previous_outcomes,
                "kept_rate": self.rate.as_dict(), "previous_kept_rate": self.previous_rate.as_dict(),
                "change_points": self.change, "due_next_day": self.due_next_day,
                "missed_tickets": [{**asdict(m), "due_at": m.due_at.isoformat()} for m in self.missed_tickets],
                "weeks": self.weeks}


# A promise counts when an agent made it with a firm time: not a suggested task, not a vague "soon", not one that
# named no time (the default due time is ours, not the agent's word).
COUNTED = (Commitment.task.is_(False), Commitment.vague.is_(False),
           or_(Commitment.manual.is_(True), Commitment.due_text.is_not(None)))


def _outcomes(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    rows = session.execute(select(Commitment.state, func.count()).where(*COUNTED, Commitment.due_at >= start,
                                                                         Commitment.due_at < end)
                           .group_by(Commitment.state))
    return {state: count for state, count in rows}


def weekly_outcomes(session: Session, end: datetime, weeks: int = 8) -> list[dict]:
    """Counted promises kept (or done) and missed per ISO week of their due time, for the team, up to `end`."""
    mondays = clock.weeks_before(end, weeks)
    buckets = {monday: Counter() for monday in mondays}
    rows = session.execute(select(Commitment.due_at, Commitment.state).where(
        *COUNTED, Commitment.due_at >= datetime.combine(mondays[0], time.min, tzinfo=UTC), Commitment.due_at < end,
        Commitment.state.in_(("kept", "done", "missed"))))
    for due_at, state in rows:
        buckets[clock.monday_of(due_at.date())]["missed" if state == "missed" else "kept"] += 1
    return [{"week": monday.isoformat(), "counts": dict(counts)} for monday, counts in buckets.items()]


def build(session: Session, start: datetime, end: datetime, now: datetime) -> FollowupDigest:
    """The team's follow-up outcomes for promises due in [start, end), against the period before."""
    length = end - start
    # Customers still waiting: a promise missed and no update since, whoever made it (never who).
    waiting = session.scalars(select(Commitment).where(Commitment.task.is_(False), Commitment.state == "missed",
                                                       Commitment.outcome_comment_id.is_(None),
                                                       Commitment.due_at >= start, Commitment.due_at < end)
                              .order_by(Commitment.due_at.desc()).limit(MISSED_SHOWN))
    due_soon = session.scalar(select(func.count()).select_from(Commitment).where(
        Commitment.task.is_(False), Commitment.state == "open", Commitment.due_at >= now,
        Commitment.due_at < now + timedelta(days=1)))
    return FollowupDigest(
        outcomes=_outcomes(session, start, end),
        previous_outcomes=_outcomes(session, start - length, start),
        due_next_day=due_soon or 0,
        # Tickets only: the digest helps a lead unblock work, not judge the person who promised.
        missed_tickets=[MissedTicket(c.ticket_id, c.text, c.due_at) for c in waiting],
        weeks=weekly_outcomes(session, end),
    )
