"""When a promise falls due: the time expressions in a sentence, resolved in a team's schedule (pure).

Rules (README, "Follow-up commitments"): a range takes its upper bound and "X or Y" the later; "N business
days" skips weekends and holidays; durations in hours or minutes are exact; a named day ends at the
schedule's closing time; "in the morning" is the next morning; a time with a zone ("8 am central") is read
in that zone. Words with no resolvable moment ("shortly", "as soon as we hear back") are vague.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from adapter.commitments.schedule import Schedule
from adapter.commitments.timewords import DAY_KINDS
from adapter.commitments.timewords import JOIN
from adapter.commitments.timewords import MONTHS
from adapter.commitments.timewords import NOON
from adapter.commitments.timewords import NUMBERS
from adapter.commitments.timewords import PAIR
from adapter.commitments.timewords import PAST
from adapter.commitments.timewords import WEEKDAYS
from adapter.commitments.timewords import ZONES
from adapter.commitments.timewords import Found
from adapter.commitments.timewords import expressions
from adapter.commitments.timewords import normalise


@dataclass(frozen=True)
class Due:
    """When a sentence says something falls due (None when it names no resolvable moment)."""

    at: datetime | None = None
    text: str | None = None
    vague: bool = False


def resolve(text: str, reference: datetime, schedule: Schedule) -> Due:
    """The due moment the words in `text` name, seen from `reference` (the later one for a range or "X or Y")."""
    lowered = normalise(text)
    found = expressions(lowered)
    vague_text = None
    index = 0
    while index < len(found):
        segments, index = _group(lowered, found, index)
        first, last = segments[0][0], segments[-1][-1]
        if first.kind == "vague":
            vague_text = vague_text or text[first.start:first.end].strip(" ,.")
            continue
        if PAST.search(lowered[max(0, first.start - 12):first.start]):
            continue  # "the flight you booked on Friday": a past moment, not a due time
        moments = _moments(segments, reference, schedule)
        if not moments:
            continue
        due = max(moments)
        if due < reference - timedelta(minutes=1):
            continue
        return Due(at=due, text=text[first.start:last.end].strip(" ,.") or None, vague=False)
    return Due(at=None, text=vague_text, vague=vague_text is not None)


def _group(lowered: str, found: list[Found], index: int) -> tuple[list[list[Found]], int]:
    """One expression with its partners: alternatives or range ends (segments), each a day with its clock time."""
    segments = [[found[index]]]
    index += 1
    while index < len(found) and segments[0][0].kind != "vague" and found[index].kind != "vague":
        previous, item = segments[-1][-1], found[index]
        between = lowered[previous.end:item.start]
        if PAIR.match(between) and _pairs(segments[-1], item):
            segments[-1].append(item)
        elif JOIN.match(between):
            segments.append([item])
        else:
            break
        index += 1
    return segments, index


def _pairs(segment: list[Found], item: Found) -> bool:
    kinds = {part.kind for part in segment} | {item.kind}
    has_clock = bool(kinds & {"clock", "noon"})
    has_day = bool(kinds & DAY_KINDS)
    return len(segment) == 1 and (has_clock and has_day or kinds == {"weekday", "date"})


def _moments(segments: list[list[Found]], reference: datetime, schedule: Schedule) -> list[datetime]:
    """Each segment's moment: a day at its clock time, a day at closing, or a clock time (on the group's day)."""
    moments = []
    last_day = None
    days = [part for segment in segments for part in segment if part.kind in DAY_KINDS]
    for segment in segments:
        day_part = next((part for part in segment if part.kind == "date"), None) or next(
            (part for part in segment if part.kind in DAY_KINDS), None)
        clock_part = next((part for part in segment if part.kind in ("clock", "noon")), None)
        day_moment = _RESOLVERS[day_part.kind](day_part.match, reference, schedule) if day_part else None
        if day_moment is not None:
            last_day = schedule.local(day_moment).date()
        if clock_part is None:
            others = [part for part in segment if part is not day_part]
            moment = day_moment if day_part else _RESOLVERS[others[0].kind](others[0].match, reference, schedule)
        else:
            day = last_day
            if day is None and days and days[0] is not day_part:
                found = _RESOLVERS[days[0].kind](days[0].match, reference, schedule)
                day = schedule.local(found).date() if found else None
            if day_part is not None and day_moment is None:
                continue
            moment = _clock(clock_part.match, reference, schedule, day=day)
        if moment is not None:
            moments.append(moment)
    return moments


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    return NUMBERS.get(value)


def _duration(match: re.Match, reference: datetime, schedule: Schedule) -> datetime | None:
    unit = match.group("unit")
    groups = match.groupdict()
    amount = _number(groups.get("high")) or _number(groups.get("low")) if groups.get("low") else 1
    if amount is None or amount <= 0 or amount > 400:
        return None
    if "few" in match.group(0).split():
        return None  # "within a few days": vague
    local = schedule.local(reference)
    if unit.startswith(("business day", "working day", "work day")):
        return schedule.closing(schedule.add_business_days(local.date(), int(round(amount))))
    exact = reference.astimezone(UTC)  # hours are elapsed time, whatever the clocks do meanwhile
    if unit.startswith("min"):
        return exact + timedelta(minutes=amount)
    if unit.startswith(("hour", "hr", "business hour", "working hour")) or unit == "h":
        return exact + timedelta(hours=amount)
    if unit.startswith(("week", "wk")):
        day = local.date() + timedelta(days=round(7 * amount))
    elif unit.startswith("month"):
        day = local.date() + relativedelta(months=int(round(amount)))
    else:
        day = local.date() + timedelta(days=round(amount))
    return _on_working_day(schedule.closing(day), schedule)


def _on_working_day(moment: datetime, schedule: Schedule) -> datetime:
    """The same clock time on the team's next working day when `moment` falls on a day it does not work."""
    day = moment.astimezone(schedule.zone).date()
    if schedule.is_business_day(day):
        return moment
    shift = schedule.next_business_day(day) - day
    return datetime.combine(moment.date() + shift, moment.timetz())


def _on_day(day: date, part: str | None, schedule: Schedule) -> datetime:
    """A named day: noon for its morning, its closing time otherwise."""
    if part in ("morning", "am", "noon", "midday", "lunchtime"):
        return schedule.at(day, min(NOON, schedule.closes))
    return schedule.closing(day)


def _tomorrow(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    day = schedule.next_business_day(schedule.local(reference).date())
    return _on_day(day, match.groupdict().get("part"), schedule)


def _day_after(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    first = schedule.next_business_day(schedule.local(reference).date())
    return schedule.closing(schedule.next_business_day(first))


def _morning(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    """The coming morning: today's when it is still early, else the next working day's (noon at the latest)."""
    local = schedule.local(reference)
    early = local.time() < max(time(5, 0), schedule.opens) and schedule.is_business_day(local.date())
    day = local.date() if early else schedule.next_business_day(local.date())
    return schedule.at(day, min(NOON, schedule.closes))


def _today(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    words = match.group(0)
    if "morning" in words:
        local = schedule.local(reference)
        if local.time() < NOON and schedule.is_business_day(local.date()):
            return schedule.at(local.date(), min(NOON, schedule.closes))
    return schedule.end_of_business_today(reference)


def _weekday(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    local = schedule.local(reference)
    today, target = local.date(), WEEKDAYS[match.group("day")]
    modifier = match.group("mod") or ""
    if modifier in ("next", "following", "the following"):
        # "next Monday" is the Monday of next week, whatever day it is today.
        day = today - timedelta(days=today.weekday()) + timedelta(days=7 + target)
    else:
        day = today + timedelta(days=(target - today.weekday()) % 7)
        if _on_day(day, match.group("part"), schedule) <= local:
            day += timedelta(days=7)
    return _on_day(day, match.group("part"), schedule)


def _weekend(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    modifier = match.group("mod") or ""
    local = schedule.local(reference)
    saturday = local.date() + timedelta(days=(5 - local.weekday()) % 7)
    if local.weekday() == 6:
        saturday -= timedelta(days=1)
    if modifier == "next":
        saturday += timedelta(days=7)
    if modifier in ("by the", "before the"):
        friday = saturday - timedelta(days=1)
        due = schedule.closing(friday)
        return due if due > local else schedule.end_of_business_today(reference)
    return schedule.at(saturday + timedelta(days=1), schedule.closes if schedule.closes.hour >= 12 else time(23, 59, 59))


def _week(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    ahead = 1 if match.group("next") or match.group("rel") else 0
    if match.group("early") and match.group("early").strip() in ("early", "mid", "mid-"):
        local = schedule.local(reference)
        monday = local.date() - timedelta(days=local.weekday()) + timedelta(weeks=ahead)
        return schedule.closing(monday + timedelta(days=2))  # early or mid next week: by Wednesday
    return schedule.end_of_week(reference, ahead)


def _month(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    return schedule.end_of_month(reference, 1 if match.group("next") or match.group("rel") else 0)


def _date(match: re.Match, reference: datetime, schedule: Schedule) -> datetime | None:
    groups = match.groupdict()
    today = schedule.local(reference).date()
    if groups.get("month"):
        month = MONTHS[groups["month"][:3]]
    elif groups.get("m"):
        month = int(groups["m"])
    else:
        month = today.month
    day = int(groups["day"])
    if groups.get("m") and month > 12 and day <= 12:
        month, day = day, month  # 25/12: day first
    year = groups.get("year")
    try:
        if year:
            found = date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        else:
            found = date(today.year, month, day)
            if not groups.get("month") and not groups.get("m") and found < today:
                found = found + relativedelta(months=1)  # "by the 5th": this month's, or next month's once past
            elif found < today - timedelta(days=30):
                found = found.replace(year=today.year + 1)
    except ValueError:
        return None
    return schedule.closing(found) if found >= today else None


def _weekday_date(match: re.Match, reference: datetime, schedule: Schedule) -> datetime | None:
    """"Tuesday the 8th": the next 8th that falls on a Tuesday (within a year), else the next 8th."""
    today = schedule.local(reference).date()
    target, day = WEEKDAYS[match.group("weekday")], int(match.group("day"))
    first = None
    for months in range(13):
        month_start = (today.replace(day=1) + relativedelta(months=months))
        try:
            candidate = month_start.replace(day=day)
        except ValueError:
            continue
        if candidate < today:
            continue
        first = first or candidate
        if candidate.weekday() == target:
            return schedule.closing(candidate)
    return schedule.closing(first) if first else None


def _year(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    """The end of this year: closing on December's last business day (never before `reference`)."""
    local = schedule.local(reference)
    return schedule.end_of_month(reference, 12 - local.month)


def _clock_of(match: re.Match) -> time | None:
    groups = match.groupdict()
    if groups.get("word"):
        return NOON
    hour, minute = int(groups["hour"]), int(groups.get("minute") or 0)
    meridiem = (groups.get("meridiem") or "")[:1]  # "pm", "p.m." and "p" alike
    if meridiem == "p" and hour < 12:
        hour += 12
    elif meridiem == "a" and hour == 12:
        hour = 0
    elif not meridiem and "minute" in groups and groups.get("minute") is None and hour < 8:
        hour += 12  # "at 5 central": an afternoon hour
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _zone_of(match: re.Match, schedule: Schedule) -> ZoneInfo:
    zone = match.groupdict().get("zone")
    return ZoneInfo(ZONES[zone]) if zone else schedule.zone


def _clock(match: re.Match, reference: datetime, schedule: Schedule, day: date | None = None) -> datetime | None:
    """A clock time: on `day`, or its next occurrence (today while it is still ahead, else tomorrow)."""
    clock = _clock_of(match)
    if clock is None:
        return None
    zone = _zone_of(match, schedule)
    local = reference.astimezone(zone)
    moment = datetime.combine(day or local.date(), clock, tzinfo=zone)
    if day is None and moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=zone)
    return moment if day is not None else _on_working_day(moment, schedule)


def _holiday(match: re.Match, reference: datetime, schedule: Schedule) -> datetime:
    name = match.group("name")
    today = schedule.local(reference).date()

    def on(year: int) -> date:
        if name == "christmas eve":
            return date(year, 12, 24)
        if name in ("christmas", "xmas"):
            return date(year, 12, 25)
        if name.startswith("new year") and name.endswith("eve"):
            return date(year, 12, 31)
        if name.startswith(("new year", "the new year")):
            return date(year + 1, 1, 1) if today.month > 1 or today.day > 1 else date(year, 1, 1)
        if name == "halloween":
            return date(year, 10, 31)
        if name == "easter":
            return easter(year)
        first = date(year, 11, 1)  # US Thanksgiving: the fourth Thursday of November
        return first + timedelta(days=(3 - first.weekday()) % 7 + 21)

    found = on(today.year)
    return schedule.closing(found if found >= today else on(today.year + 1))


_RESOLVERS = {
    "duration": _duration, "tomorrow": _tomorrow, "day_after": _day_after, "morning": _morning, "today": _today,
    "weekday": _weekday, "weekend": _weekend, "week": _week, "month": _month, "date": _date, "clock": _clock,
    "weekday_date": _weekday_date, "year": _year,
    "noon": _clock, "holiday": _holiday,
}
