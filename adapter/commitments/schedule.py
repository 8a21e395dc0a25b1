"""Business hours in an installation's timezone: closing times, business days, holidays, weeks and months (pure)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

END_OF_DAY = time(23, 59, 59)
MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})


@dataclass(frozen=True)
class Schedule:
    """When a team works: weekdays (0 = Monday), opening and closing time and holidays, in one timezone.

    `counted` are the weekdays that "N business days" and "this week" count (the team's own days when
    None); the evaluation calendar keeps every day as a day but counts Monday to Friday only.
    """

    timezone: str = "UTC"
    days: frozenset[int] = MONDAY_TO_FRIDAY
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    holidays: frozenset[date] = frozenset()
    counted: frozenset[int] | None = None

    @classmethod
    def calendar(cls, timezone: str = "UTC") -> Schedule:
        """Every day counts and a day ends at 23:59:59, but business days are Monday to Friday (the evaluation's rules)."""
        return cls(timezone=timezone, days=frozenset(range(7)), opens=time(0, 0), closes=END_OF_DAY,
                   counted=MONDAY_TO_FRIDAY)

    @classmethod
    def from_installation(cls, timezone: str, business_hours: dict) -> Schedule:
        """The schedule stored on an installation (holidays are optional ISO dates)."""
        return cls(timezone=timezone, days=frozenset(business_hours["days"]),
                   opens=time.fromisoformat(business_hours["start"]), closes=time.fromisoformat(business_hours["end"]),
                   holidays=frozenset(date.fromisoformat(day) for day in business_hours.get("holidays") or ()))

    @property
    def zone(self) -> ZoneInfo:
        """The timezone object."""
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        """`moment` on the team's clock."""
        return moment.astimezone(self.zone)

    def at(self, day: date, clock: time) -> datetime:
        """`day` at `clock` in the team's timezone (DST resolved by zoneinfo)."""
        return datetime.combine(day, clock, tzinfo=self.zone)

    def closing(self, day: date) -> datetime:
        """Closing time on `day`."""
        return self.at(day, self.closes)

    def is_business_day(self, day: date) -> bool:
        """True when the team works on `day`."""
        return day.weekday() in self.days and day not in self.holidays

    def is_counted_day(self, day: date) -> bool:
        """True when `day` counts as a business day in "N business days" (never a holiday)."""
        return day.weekday() in (self.days if self.counted is None else self.counted) and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        """The first working day after `day`."""
        return self._next(day, self.is_business_day)

    def add_business_days(self, day: date, count: int) -> date:
        """The business day `count` business days after `day` (weekends and holidays skipped)."""
        for _ in range(max(count, 0)):
            day = self._next(day, self.is_counted_day)
        return day

    @staticmethod
    def _next(day: date, accept) -> date:
        candidate = day + timedelta(days=1)
        for _ in range(366):
            if accept(candidate):
                return candidate
            candidate += timedelta(days=1)
        return day + timedelta(days=1)  # a schedule with no working day at all: count calendar days

    def end_of_business_today(self, moment: datetime) -> datetime:
        """Today's closing time, or the next working day's when today is over or not a working day."""
        local = self.local(moment)
        if self.is_business_day(local.date()) and local.time() < self.closes:
            return self.closing(local.date())
        return self.closing(self.next_business_day(local.date()))

    def end_of_week(self, moment: datetime, weeks_ahead: int = 0) -> datetime:
        """Closing on the last counted business day of this week (or a later one); past it, the week's last working day.

        This week's end once it has passed is the next business day's closing, so a promise never falls due before it was made.
        """
        local = self.local(moment)
        monday = local.date() - timedelta(days=local.weekday()) + timedelta(weeks=weeks_ahead)
        week = [monday + timedelta(days=offset) for offset in range(7)]
        for accept in (self.is_counted_day, self.is_business_day):
            for day in reversed(week):
                if accept(day) and self.closing(day) > local:
                    return self.closing(day)
        return self.end_of_business_today(moment) if weeks_ahead == 0 else self.closing(week[-1])

    def end_of_month(self, moment: datetime, months_ahead: int = 0) -> datetime:
        """Closing on the last counted business day of this month (or a later one), never before `moment`."""
        local = self.local(moment)
        year, month = divmod(local.month - 1 + months_ahead, 12)
        first = date(local.year + year, month + 1, 1)
        candidate = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        while candidate > first and not self.is_counted_day(candidate):
            candidate -= timedelta(days=1)
        due = self.closing(candidate)
        return due if due > local else self.end_of_business_today(moment)
