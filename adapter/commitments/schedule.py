"""Business hours in an installation's timezone: closing times, business days, weeks and months (pure)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Schedule:
    """When a team works: weekdays (0 = Monday), opening and closing time, in one timezone."""

    timezone: str = "UTC"
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    opens: time = time(9, 0)
    closes: time = time(17, 0)

    @classmethod
    def calendar(cls, timezone: str = "UTC") -> Schedule:
        """Every day counts and a day ends at 23:59:59 (the evaluation command's rules)."""
        return cls(timezone=timezone, days=frozenset(range(7)), opens=time(0, 0), closes=END_OF_DAY)

    @classmethod
    def from_installation(cls, timezone: str, business_hours: dict) -> Schedule:
        """The schedule stored on an installation."""
        return cls(timezone=timezone, days=frozenset(business_hours["days"]),
                   opens=time.fromisoformat(business_hours["start"]), closes=time.fromisoformat(business_hours["end"]))

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
        return day.weekday() in self.days

    def next_business_day(self, day: date) -> date:
        """The first working day after `day`."""
        candidate = day + timedelta(days=1)
        while not self.is_business_day(candidate):
            candidate += timedelta(days=1)
        return candidate

    def add_business_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day`."""
        for _ in range(max(count, 0)):
            day = self.next_business_day(day)
        return day

    def end_of_business_today(self, moment: datetime) -> datetime:
        """Today's closing time, or the next working day's when today is over or not a working day."""
        local = self.local(moment)
        if self.is_business_day(local.date()) and local.time() < self.closes:
            return self.closing(local.date())
        return self.closing(self.next_business_day(local.date()))

    def last_business_day_of_week(self, day: date) -> date:
        """The last working day of `day`'s ISO week (or the week's Sunday when no day in it is a working day)."""
        sunday = day + timedelta(days=6 - day.weekday())
        candidate = sunday
        while candidate >= day - timedelta(days=day.weekday()):
            if self.is_business_day(candidate):
                return candidate
            candidate -= timedelta(days=1)
        return sunday

    def last_business_day_of_month(self, day: date) -> date:
        """The last working day of `day`'s month."""
        candidate = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        while not self.is_business_day(candidate) and candidate.day > 1:
            candidate -= timedelta(days=1)
        return candidate
