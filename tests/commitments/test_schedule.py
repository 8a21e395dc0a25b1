"""Schedules: business days with weekends and holidays, the evaluation calendar, week and month ends."""

from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

from adapter.commitments.schedule import Schedule

NY = ZoneInfo("America/New_York")


def test_the_calendar_counts_every_day_but_business_days_skip_the_weekend():
    calendar = Schedule.calendar("America/New_York")
    friday = date(2026, 11, 20)
    assert calendar.next_business_day(friday) == date(2026, 11, 21)  # "tomorrow" is Saturday
    assert calendar.add_business_days(friday, 1) == date(2026, 11, 23)  # "1 business day" is Monday
    assert calendar.closing(friday) == datetime(2026, 11, 20, 23, 59, 59, tzinfo=NY)


def test_holidays_are_not_business_days():
    schedule = Schedule.from_installation("America/New_York", {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00",
                                                                "holidays": ["2026-12-25", "2027-01-01"]})
    assert schedule.holidays == frozenset({date(2026, 12, 25), date(2027, 1, 1)})
    assert schedule.next_business_day(date(2026, 12, 24)) == date(2026, 12, 28)
    assert schedule.add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert schedule.closing(date(2026, 12, 28)) == datetime(2026, 12, 28, 18, 0, tzinfo=NY)


def test_an_installation_without_holidays_still_loads():
    schedule = Schedule.from_installation("UTC", {"days": [0, 1, 2, 3, 4, 5], "start": "09:00", "end": "17:00"})
    assert (schedule.holidays, schedule.days, schedule.opens) == (frozenset(), frozenset(range(6)), time(9))


def test_end_of_week_and_month_never_fall_before_the_moment():
    team = Schedule(timezone="America/New_York")
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=NY)
    assert team.end_of_week(saturday) == datetime(2026, 11, 23, 17, 0, tzinfo=NY)  # the week is over: next working day
    assert team.end_of_week(saturday, 1) == datetime(2026, 11, 27, 17, 0, tzinfo=NY)
    last_evening = datetime(2026, 11, 30, 18, 0, tzinfo=NY)  # after closing on the month's last working day
    assert team.end_of_month(last_evening) == datetime(2026, 12, 1, 17, 0, tzinfo=NY)
    assert team.end_of_month(last_evening, 1) == datetime(2026, 12, 31, 17, 0, tzinfo=NY)


def test_a_schedule_with_no_working_day_counts_calendar_days():
    closed = Schedule(timezone="UTC", days=frozenset())
    assert closed.next_business_day(date(2026, 11, 20)) == date(2026, 11, 21)
