"""The team lead's follow-up digest (opt-in): how the team keeps its promises, never who kept which."""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter.models import Commitment

MISSED_SHOWN = 10


@dataclass(frozen=True)
class MissedTicket:
    """A ticket whose promise passed its due time, still without the update."""

    ticket_id: str
    text: str
    due_at: datetime


@dataclass(frozen=True)
class FollowupDigest:
    """Outcomes of the promises that fell due in a period, for the whole team."""

    outcomes: dict[str, int]
    previous_outcomes: dict[str, int]
    due_next_day: int
    missed_tickets: list[MissedTicket]

    @staticmethod
    def kept_rate(outcomes: dict[str, int]) -> float | None:
        """Kept or done, out of the promises that were judged (cancelled and open ones are not)."""
        judged = outcomes.get("kept", 0) + outcomes.get("done", 0) + outcomes.get("missed", 0)
        return (outcomes.get("kept", 0) + outcomes.get("done", 0)) / judged if judged else None

    @property
    def rate(self) -> float | None:
        """This period's kept rate."""
        return self.kept_rate(self.outcomes)

    @property
    def previous_rate(self) -> float | None:
        """The previous period's kept rate."""
        return self.kept_rate(self.previous_outcomes)

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"outcomes": self.outcomes, "previous_outcomes": self.previous_outcomes, "kept_rate": self.rate,
                "previous_kept_rate": self.previous_rate, "due_next_day": self.due_next_day,
                "missed_tickets": [{**asdict(m), "due_at": m.due_at.isoformat()} for m in self.missed_tickets]}


def _outcomes(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    rows = session.execute(select(Commitment.state, func.count()).where(Commitment.due_at >= start,
                                                                         Commitment.due_at < end)
                           .group_by(Commitment.state))
    return {state: count for state, count in rows}


def build(session: Session, start: datetime, end: datetime, now: datetime) -> FollowupDigest:
    """The team's follow-up outcomes for promises due in [start, end), against the period before."""
    length = end - start
    missed = session.scalars(select(Commitment).where(Commitment.state == "missed", Commitment.due_at >= start,
                                                      Commitment.due_at < end)
                             .order_by(Commitment.due_at.desc()).limit(MISSED_SHOWN))
    due_soon = session.scalar(select(func.count()).select_from(Commitment).where(
        Commitment.state == "open", Commitment.due_at >= now, Commitment.due_at < now + timedelta(days=1)))
    return FollowupDigest(
        outcomes=_outcomes(session, start, end),
        previous_outcomes=_outcomes(session, start - length, start),
        due_next_day=due_soon or 0,
        # Tickets only: the digest helps a lead unblock work, not judge the person who promised.
        missed_tickets=[MissedTicket(c.ticket_id, c.text, c.due_at) for c in missed],
    )
