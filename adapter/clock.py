"""The one source of "now", so tests and the playground's fast clock can move time."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta


def now() -> datetime:
    """The current moment as an aware UTC datetime."""
    return datetime.now(UTC)


def monday_of(day: date) -> date:
    """The Monday that starts `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def weeks_before(end: datetime, weeks: int) -> list[date]:
    """The Mondays of the `weeks` ISO weeks up to `end` (exclusive), oldest first."""
    last = monday_of((end - timedelta(seconds=1)).date())
    return [last - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
