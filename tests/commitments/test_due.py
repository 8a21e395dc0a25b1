"""Due times: each form of time expression, at fixed instants (a Friday at 16:30, a Saturday, December 31, the
days around both DST changes in America/New_York), without an installation (calendar days, a day ends at 23:59:59,
business days Monday to Friday) and with one (its business days, hours and holidays)."""

from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from adapter.commitments.detect import detect
from adapter.commitments.due import resolve
from adapter.commitments.schedule import Schedule

NY = ZoneInfo("America/New_York")
CALENDAR = Schedule.calendar("America/New_York")
TEAM = Schedule(timezone="America/New_York")  # Mon–Fri 09:00–17:00

FRIDAY_1630 = datetime(2026, 11, 20, 16, 30, tzinfo=NY)
SATURDAY = datetime(2026, 11, 21, 10, 0, tzinfo=NY)
NEW_YEARS_EVE = datetime(2026, 12, 31, 15, 0, tzinfo=NY)  # a Thursday
BEFORE_FALL_BACK = datetime(2026, 10, 30, 12, 0, tzinfo=NY)  # Friday; EDT ends Sunday 1 November at 02:00
BEFORE_SPRING_FORWARD = datetime(2026, 3, 7, 12, 0, tzinfo=NY)  # Saturday; EDT starts Sunday 8 March at 02:00


def local(year, month, day, hour=23, minute=59, second=None):
    return datetime(year, month, day, hour, minute, 59 if second is None and (hour, minute) == (23, 59) else 0,
                    tzinfo=NY)


def due_at(words: str, reference: datetime, schedule: Schedule = CALENDAR) -> datetime | None:
    return resolve(f"I'll get back to you {words}.", reference, schedule).at


# (words, reference, calendar answer, team answer)
FORMS = [
    # Business and working days skip the weekend, with or without an installation.
    ("within 2 business days", FRIDAY_1630, local(2026, 11, 24), local(2026, 11, 24, 17, 0)),
    ("in 3 working days", SATURDAY, local(2026, 11, 25), local(2026, 11, 25, 17, 0)),
    ("within 1 business day", NEW_YEARS_EVE, local(2027, 1, 1), local(2027, 1, 1, 17, 0)),
    # A range takes its upper bound.
    ("within 2 to 3 business days", FRIDAY_1630, local(2026, 11, 25), local(2026, 11, 25, 17, 0)),
    ("in 24 to 72 hours", FRIDAY_1630, local(2026, 11, 23, 16, 30), local(2026, 11, 23, 16, 30)),
    ("within 24-48 hours", SATURDAY, local(2026, 11, 23, 10, 0), local(2026, 11, 23, 10, 0)),
    ("in 3-5 days", FRIDAY_1630, local(2026, 11, 25), local(2026, 11, 25, 17, 0)),
    # "X or Y" takes the later.
    ("tomorrow or Monday", FRIDAY_1630, local(2026, 11, 23), local(2026, 11, 23, 17, 0)),
    ("Friday or Monday", SATURDAY, local(2026, 11, 27), local(2026, 11, 27, 17, 0)),
    # "In the morning" is the next morning (noon at the latest).
    ("in the morning", FRIDAY_1630, local(2026, 11, 21, 12, 0), local(2026, 11, 23, 12, 0)),
    ("first thing in the morning", NEW_YEARS_EVE, local(2027, 1, 1, 12, 0), local(2027, 1, 1, 12, 0)),
    ("tomorrow morning", SATURDAY, local(2026, 11, 22, 12, 0), local(2026, 11, 23, 12, 0)),
    # An explicit zone is honoured (8 am Central is 9 am Eastern).
    ("after 8 am central", FRIDAY_1630, local(2026, 11, 21, 9, 0), local(2026, 11, 23, 9, 0)),
    ("by 5pm PT tomorrow", SATURDAY, local(2026, 11, 22, 20, 0), local(2026, 11, 23, 20, 0)),
    ("at 10am GMT on Monday", FRIDAY_1630, local(2026, 11, 23, 5, 0), local(2026, 11, 23, 5, 0)),
    # "Within N days of receipt" counts from the moment the reply was sent.
    ("within 14 days of receipt", FRIDAY_1630, local(2026, 12, 4), local(2026, 12, 4, 17, 0)),
    # Days, weeks, months.
    ("by end of day", FRIDAY_1630, local(2026, 11, 20), local(2026, 11, 20, 17, 0)),
    ("today", SATURDAY, local(2026, 11, 21), local(2026, 11, 23, 17, 0)),
    ("tonight", NEW_YEARS_EVE, local(2026, 12, 31), local(2026, 12, 31, 17, 0)),
    ("tomorrow", FRIDAY_1630, local(2026, 11, 21), local(2026, 11, 23, 17, 0)),
    ("the day after tomorrow", NEW_YEARS_EVE, local(2027, 1, 2), local(2027, 1, 4, 17, 0)),
    ("on Monday", SATURDAY, local(2026, 11, 23), local(2026, 11, 23, 17, 0)),
    ("next Monday", FRIDAY_1630, local(2026, 11, 23), local(2026, 11, 23, 17, 0)),
    ("by Friday", FRIDAY_1630, local(2026, 11, 20), local(2026, 11, 20, 17, 0)),
    ("by Friday", FRIDAY_1630.replace(hour=17, minute=30), local(2026, 11, 20), local(2026, 11, 27, 17, 0)),
    ("this week", FRIDAY_1630, local(2026, 11, 20), local(2026, 11, 20, 17, 0)),
    ("this week", SATURDAY, local(2026, 11, 22), local(2026, 11, 23, 17, 0)),
    ("next week", NEW_YEARS_EVE, local(2027, 1, 8), local(2027, 1, 8, 17, 0)),
    ("by the end of the month", NEW_YEARS_EVE, local(2026, 12, 31), local(2026, 12, 31, 17, 0)),
    ("in 2 days", FRIDAY_1630, local(2026, 11, 22), local(2026, 11, 23, 17, 0)),
    # Dates, clock times, holidays.
    ("by December 5th", FRIDAY_1630, local(2026, 12, 5), local(2026, 12, 5, 17, 0)),
    ("on 1/4", NEW_YEARS_EVE, local(2027, 1, 4), local(2027, 1, 4, 17, 0)),
    ("by Jan 2nd", NEW_YEARS_EVE, local(2027, 1, 2), local(2027, 1, 2, 17, 0)),
    ("Monday at 3pm", FRIDAY_1630, local(2026, 11, 23, 15, 0), local(2026, 11, 23, 15, 0)),
    ("at 4:30pm", FRIDAY_1630, local(2026, 11, 21, 16, 30), local(2026, 11, 23, 16, 30)),
    ("by noon", SATURDAY, local(2026, 11, 21, 12, 0), local(2026, 11, 23, 12, 0)),
    ("within the hour", NEW_YEARS_EVE, local(2026, 12, 31, 16, 0), local(2026, 12, 31, 16, 0)),
    ("in 30 minutes", FRIDAY_1630, local(2026, 11, 20, 17, 0), local(2026, 11, 20, 17, 0)),
    ("by Christmas", NEW_YEARS_EVE, local(2027, 12, 25), local(2027, 12, 25, 17, 0)),
    ("by New Year's Day", SATURDAY, local(2027, 1, 1), local(2027, 1, 1, 17, 0)),
]


@pytest.mark.parametrize("words, reference, calendar, team", FORMS)
def test_due_time_forms(words, reference, calendar, team):
    assert due_at(words, reference, CALENDAR) == calendar, words
    assert due_at(words, reference, TEAM) == team, words


@pytest.mark.parametrize("words", ["shortly", "soon", "ASAP", "as soon as possible", "in a few minutes",
                                   "as soon as we hear from the warehouse", "once the part arrives", "in a bit",
                                   "within a few days", "right away"])
def test_unresolvable_expressions_are_vague(words):
    found = resolve(f"We'll update you {words}.", FRIDAY_1630, CALENDAR)
    assert (found.at, found.vague) == (None, True), found
    assert found.text.lower() == words.lower()


def test_no_time_at_all_is_not_vague():
    assert resolve("We'll update you.", FRIDAY_1630, CALENDAR) == resolve("", FRIDAY_1630, CALENDAR)
    assert resolve("We'll update you.", FRIDAY_1630, CALENDAR).vague is False


def test_a_past_moment_is_not_a_due_time():
    # "the booking you made on Monday" names a day, but not when anything falls due.
    assert resolve("We'll refund the booking you made on Monday.", FRIDAY_1630, CALENDAR).at is None
    assert resolve("I'll update you by December 5th.", NEW_YEARS_EVE, CALENDAR).at is None


def test_hours_are_exact_across_the_autumn_dst_change():
    # 72 hours after Friday 12:00 EDT is Monday 11:00 EST: the clock went back an hour on Sunday.
    assert due_at("within 72 hours", BEFORE_FALL_BACK) == local(2026, 11, 2, 11, 0)
    assert due_at("in 3 days", BEFORE_FALL_BACK) == local(2026, 11, 2)
    saturday = BEFORE_FALL_BACK.replace(day=31)
    assert due_at("tomorrow at 9am", saturday) == local(2026, 11, 1, 9, 0)  # Sunday 09:00 EST = 14:00 UTC
    sunday_9am = resolve("I'll call you Sunday at 9am.", BEFORE_FALL_BACK, CALENDAR).at
    assert sunday_9am == local(2026, 11, 1, 9, 0) and sunday_9am.utcoffset().total_seconds() == -5 * 3600


def test_hours_are_exact_across_the_spring_dst_change():
    # 24 hours after Saturday 12:00 EST is Sunday 13:00 EDT.
    assert due_at("within 24 hours", BEFORE_SPRING_FORWARD) == local(2026, 3, 8, 13, 0)
    assert due_at("tomorrow", BEFORE_SPRING_FORWARD) == local(2026, 3, 8)
    assert due_at("on Monday", BEFORE_SPRING_FORWARD, TEAM) == local(2026, 3, 9, 17, 0)


def test_an_installations_holidays_and_business_days_count():
    holidays = Schedule(timezone="America/New_York", holidays=frozenset({date(2026, 11, 26), date(2026, 11, 27)}))
    wednesday = datetime(2026, 11, 25, 10, 0, tzinfo=NY)
    assert due_at("within 2 business days", wednesday, holidays) == local(2026, 12, 1, 17, 0)
    assert due_at("tomorrow", wednesday, holidays) == local(2026, 11, 30, 17, 0)
    six_days = Schedule(timezone="America/New_York", days=frozenset({0, 1, 2, 3, 4, 5}), opens=time(8), closes=time(20))
    assert due_at("within 2 business days", FRIDAY_1630, six_days) == local(2026, 11, 23, 20, 0)
    assert due_at("tomorrow", FRIDAY_1630, six_days) == local(2026, 11, 21, 20, 0)


def test_detect_resolves_in_the_message_timezone_on_friday_afternoon():
    reply = "I'll check with billing and get back to you within 2 to 3 business days."
    found = detect(reply, FRIDAY_1630, CALENDAR)
    assert (found.promise, found.timed, found.vague, found.due_text) == (True, True, False,
                                                                         "within 2 to 3 business days")
    assert found.due_at == local(2026, 11, 25)


def test_a_time_written_across_sentence_ends_is_read_whole():
    found = detect("Our team will call you after 8 a.m. central tomorrow.", FRIDAY_1630, CALENDAR)
    assert found.due_at == local(2026, 11, 21, 9, 0)
