"""Promise detection and due times: a table of phrasings across timezones, business hours, weekends and DST."""

from datetime import UTC
from datetime import datetime
from datetime import time

import pytest

from adapter.commitments.detect import detect
from adapter.commitments.schedule import Schedule

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)

LONDON = Schedule(timezone="Europe/London")  # Mon–Fri 09:00–17:00
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)


def due(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# (reply, promise, conditional, vague, due at in UTC or None)
PROMISES = [
    ("I'll check with our billing team and get back to you tomorrow.", True, False, False, due(2026, 11, 19, 17)),
    ("We'll get back to you within 24 hours.", True, False, False, due(2026, 11, 19, 10)),
    ("We will respond within 2 hours.", True, False, False, due(2026, 11, 18, 12)),
    ("I'll update you in 30 minutes.", True, False, False, due(2026, 11, 18, 10, 30)),
    ("Let me check and update you by end of day.", True, False, False, due(2026, 11, 18, 17)),
    ("I'll get back to you before close of business today.", True, False, False, due(2026, 11, 18, 17)),
    ("We'll have an update for you later today.", True, False, False, due(2026, 11, 18, 17)),
    ("You'll hear from us by Friday.", True, False, False, due(2026, 11, 20, 17)),
    ("I'll follow up on Monday.", True, False, False, due(2026, 11, 23, 17)),
    ("I'll send you the invoice on Monday at 3pm.", True, False, False, due(2026, 11, 23, 15)),
    ("We'll call you next Tuesday.", True, False, False, due(2026, 11, 24, 17)),
    ("Our engineers will update you this week.", True, False, False, due(2026, 11, 20, 17)),
    ("I'll be in touch next week.", True, False, False, due(2026, 11, 27, 17)),
    ("We'll confirm the refund by the end of the month.", True, False, False, due(2026, 11, 30, 17)),
    ("I'll get back to you in 2-3 business days.", True, False, False, due(2026, 11, 23, 17)),
    ("Someone from our billing team will reach out within 48 hours.", True, False, False, due(2026, 11, 20, 10)),
    ("Expect an update from us tomorrow morning.", True, False, False, due(2026, 11, 19, 12)),
    ("We'll definitely look into this and let you know by 5pm.", True, False, False, due(2026, 11, 18, 17)),
    ("We will refund your ticket by December 5th.", True, False, False, due(2026, 12, 5, 17)),
    ("I'll email you the report on 12/3.", True, False, False, due(2026, 12, 3, 17)),
    ("We're going to send a replacement by Thursday.", True, False, False, due(2026, 11, 19, 17)),
    ("I will personally follow up with you tomorrow.", True, False, False, due(2026, 11, 19, 17)),
    ("A specialist will contact you within 1 business day.", True, False, False, due(2026, 11, 19, 17)),
    ("I'll check with the warehouse. You'll have an answer by Friday.", True, False, False, due(2026, 11, 20, 17)),
    ("Thanks for your patience! I'll circle back tomorrow with the details.", True, False, False, due(2026, 11, 19, 17)),
    ("We're on it and will keep you posted, expect news in a few days.", True, False, True, due(2026, 11, 23, 17)),
    ("Will update you by tomorrow.", True, False, False, due(2026, 11, 19, 17)),
    ("I'll call you first thing in the morning.", True, False, False, due(2026, 11, 19, 12)),
    ("I'll get back to you by noon.", True, False, False, due(2026, 11, 18, 12)),
    ("I'll ring you back at 430pm.", True, False, False, due(2026, 11, 18, 16, 30)),
    ("We'll ship the replacement by Christmas.", True, False, False, due(2026, 12, 25, 17)),
    # Vague: the installation's default (1 business day) applies, and the promise is flagged.
    ("I'll follow up shortly.", True, False, True, due(2026, 11, 19, 17)),
    ("We'll get back to you as soon as possible.", True, False, True, due(2026, 11, 19, 17)),
    ("We'll keep you posted.", True, False, True, due(2026, 11, 19, 17)),
    ("Let me look into this for you.", True, False, True, due(2026, 11, 19, 17)),
    ("We're checking with the airport for you.", True, False, True, due(2026, 11, 19, 17)),
    ("I will get back to you soon.", True, False, True, due(2026, 11, 19, 17)),
    ("We'll be in touch.", True, False, True, due(2026, 11, 19, 17)),
    # Conditional: it depends on the customer acting first.
    ("DM us your confirmation number and we'll look into it.", True, True, True, due(2026, 11, 19, 17)),
    ("Please DM us your booking reference. We'll take a look.", True, True, True, due(2026, 11, 19, 17)),
    ("Once you send the screenshot, I'll escalate it to engineering.", True, True, True, due(2026, 11, 19, 17)),
    ("If you reply with your order number, we'll check the status tomorrow.", True, True, False, due(2026, 11, 19, 17)),
    ("Send us your email address and I will resend the invoice today.", True, True, False, due(2026, 11, 18, 17)),
    ("Shoot us a DM with the details and we'll go from there.", True, True, True, due(2026, 11, 19, 17)),
    # The promise is the second verb, or has no subject of its own.
    ("I'll pass this on to billing and get back to you tomorrow.", True, False, False, due(2026, 11, 19, 17)),
    ("We've received your DM and will continue there.", True, False, True, due(2026, 11, 19, 17)),
    ("Someone will be contacting you today.", True, False, False, due(2026, 11, 18, 17)),
]

NOT_PROMISES = [
    "Please DM us your confirmation number.",
    "Could you send us a screenshot of the error?",
    "I'm sorry for the trouble.",
    "We apologise for the delay today.",
    "I have forwarded your request to the team.",
    "I've already refunded the charge.",
    "We'll pass your comments on to the Catering team as a matter of urgency.",
    "I will make sure your compliment is passed on.",
    "We'll share your feedback with the product team.",
    "We'll be happy to help with anything else.",
    "I'd be glad to assist further if needed.",
    "Shall I follow up with you tomorrow?",
    "Would you like me to call you tomorrow?",
    "We won't be able to refund this booking.",
    "Unfortunately we cannot extend the trial.",
    "Our colleagues at the airport will be happy to assist you tomorrow.",
    "We will be closed on Monday for the holiday.",
    "Thanks for flying with us. We look forward to seeing you soon.",
    "Let us know if you need anything else.",
    "Let me know if that helps!",
    "You can reset your password from the sign-in page.",
    "The refund will appear on your statement in 5-10 days.",
    "We hope to see you on board again soon.",
    "The update was released yesterday and fixes the export.",
    "We'll get this passed on to our devs so they can look into it.",
    "If you run into any issues in the future, feel free to reach out and we'll gladly assist.",
    "We'll update our schedules for the winter soon.",
    "I'd like to look into this further.",
    "Send us a DM and we'll be able to dig into this.",
    "",
]


@pytest.mark.parametrize("reply, promise, conditional, vague, expected", PROMISES)
def test_promises(reply, promise, conditional, vague, expected):
    found = detect(reply, WEDNESDAY, LONDON)
    assert (found.promise, found.conditional, found.vague) == (promise, conditional, vague), found
    assert found.due_at == expected, (found.due_text, found.due_at)


@pytest.mark.parametrize("reply", NOT_PROMISES)
def test_not_promises(reply):
    found = detect(reply, WEDNESDAY, LONDON)
    assert found.promise is False, found.sentence
    assert found.due_at is None


def test_quoted_history_is_not_the_agent_promising_again():
    reply = "Thanks, that's all sorted now.\n\nOn Mon, 16 Nov 2026, Sam wrote:\n> I'll get back to you tomorrow."
    assert detect(reply, WEDNESDAY, LONDON).promise is False


# Business hours, weekends and timezones


def test_tomorrow_on_friday_is_monday():
    friday = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    assert detect("I'll get back to you tomorrow.", friday, LONDON).due_at == due(2026, 11, 23, 17)


def test_end_of_day_after_closing_is_the_next_working_day():
    evening = datetime(2026, 11, 18, 18, 30, tzinfo=UTC)
    assert detect("I'll update you by end of day.", evening, LONDON).due_at == due(2026, 11, 19, 17)


def test_friday_on_a_friday_evening_means_next_week():
    friday_evening = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)
    assert detect("You'll hear from us by Friday.", friday_evening, LONDON).due_at == due(2026, 11, 27, 17)


def test_timezone_and_custom_hours():
    new_york = Schedule(timezone="America/New_York", days=frozenset({0, 1, 2, 3, 4}), opens=time(8), closes=time(18))
    # Wed 10:00 UTC is 05:00 in New York: "end of day" is 18:00 EST = 23:00 UTC the same day.
    assert detect("I'll get back to you by end of day.", WEDNESDAY, new_york).due_at == due(2026, 11, 18, 23)
    tokyo = Schedule(timezone="Asia/Tokyo")
    # Wed 10:00 UTC is 19:00 in Tokyo, after closing: tomorrow is Thursday 17:00 JST = 08:00 UTC.
    assert detect("I'll get back to you tomorrow.", WEDNESDAY, tokyo).due_at == due(2026, 11, 19, 8)


def test_six_day_week():
    six_days = Schedule(timezone="Europe/London", days=frozenset({0, 1, 2, 3, 4, 5}))
    friday = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    assert detect("I'll get back to you tomorrow.", friday, six_days).due_at == due(2026, 11, 21, 17)
    assert detect("We'll follow up this week.", friday, six_days).due_at == due(2026, 11, 21, 17)


def test_dst_change_in_london():
    # British Summer Time ends on Sunday 25 October 2026: 17:00 is 16:00 UTC before and 17:00 UTC after.
    thursday = datetime(2026, 10, 22, 9, 0, tzinfo=UTC)
    assert detect("I'll update you tomorrow.", thursday, LONDON).due_at == due(2026, 10, 23, 16)
    friday = datetime(2026, 10, 23, 9, 0, tzinfo=UTC)
    assert detect("I'll update you on Monday.", friday, LONDON).due_at == due(2026, 10, 26, 17)
    assert detect("I'll get back to you within 72 hours.", friday, LONDON).due_at == due(2026, 10, 26, 9)


def test_dst_change_in_new_york():
    new_york = Schedule(timezone="America/New_York")
    # US daylight time ends on Sunday 1 November 2026: 17:00 EDT is 21:00 UTC, 17:00 EST is 22:00 UTC.
    friday = datetime(2026, 10, 30, 14, 0, tzinfo=UTC)
    assert detect("I'll follow up today.", friday, new_york).due_at == due(2026, 10, 30, 21)
    assert detect("I'll follow up on Monday.", friday, new_york).due_at == due(2026, 11, 2, 22)


def test_calendar_schedule_uses_end_of_day():
    calendar = Schedule.calendar("UTC")
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    assert detect("I'll get back to you tomorrow.", saturday, calendar).due_at == datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC)
    assert detect("We'll follow up this week.", saturday, calendar).due_at == datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC)


def test_default_business_days_apply_to_promises_without_a_time():
    assert detect("We'll keep you posted.", WEDNESDAY, LONDON, default_days=3).due_at == due(2026, 11, 23, 17)
