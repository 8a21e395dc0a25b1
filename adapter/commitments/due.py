"""When a promise falls due: the time expressions in a sentence, resolved in a team's schedule (pure).

Rules (README, "Follow-up commitments"): a range takes its upper bound and "X or Y" the later; "N business
days" skips weekends and holidays; durations in hours or minutes are exact; a named day ends at the
schedule's closing time; "in the morning" is the next morning; a time with a zone ("8 am central") is read
in that zone. Words with no resolvable moment ("shortly", "as soon as we hear back") are vague.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from adapter.commitments.schedule import Schedule

NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
           "forty-five": 45, "twenty-four": 24, "thirty-six": 36, "forty-eight": 48, "seventy-two": 72, "ninety": 90,
           "couple of": 2, "couple": 2, "half an": 0.5, "half a": 0.5, "a half": 0.5}
WEEKDAYS = {"monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3,
            "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6}
MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
          "nov": 11, "dec": 12}
# US zone words follow the region's clock all year: people write "EST" in July and mean Eastern time.
ZONES = {"et": "America/New_York", "est": "America/New_York", "edt": "America/New_York", "eastern": "America/New_York",
         "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago", "central": "America/Chicago",
         "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver", "mountain": "America/Denver",
         "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
         "pacific": "America/Los_Angeles", "gmt": "UTC", "utc": "UTC", "bst": "Europe/London", "uk time": "Europe/London",
         "cet": "Europe/Paris", "cest": "Europe/Paris", "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
         "ist": "Asia/Kolkata", "jst": "Asia/Tokyo", "sgt": "Asia/Singapore"}
NOON = time(12, 0)

_WORD_NUMBER = "|".join(sorted(map(re.escape, NUMBERS), key=len, reverse=True))
_NUM = rf"(?:\d+(?:\.\d+)?|{_WORD_NUMBER})"
_AMOUNT = rf"(?P<low>{_NUM})(?:\s*(?:-|–|to|or)\s*(?P<high>{_NUM}))?"
_UNIT = (r"(?P<unit>minutes?|mins?|hours?|hrs?|h|(?:business|working|work) days?|days?|nights?|weeks?|wks?|"
         r"months?|business hours?|working hours?)")
_DAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_ZONE = "|".join(sorted(map(re.escape, ZONES), key=len, reverse=True))
_PART = r"(?:\s+(?P<part>morning|afternoon|evening|night|noon|am|pm))?"

PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(pattern)) for kind, pattern in (
    ("duration", rf"\b(?:within|in|under|less than|no (?:more|later) than|up to|inside|over|during|"
                 rf"allow(?: up to)?|by|after|around|about)\s+(?:the\s+|a\s+|an\s+)?(?:next\s+|coming\s+|following\s+)?"
                 rf"(?:few\s+)?{_AMOUNT}\s*{_UNIT}\b(?P<receipt>\s+(?:of|from|after)\s+(?:receipt|receiving|"
                 rf"today|now|this (?:message|tweet|email))\b)?"),
    ("duration", rf"\b(?:the\s+)?next\s+{_AMOUNT}\s*{_UNIT}\b"),
    ("duration", rf"\b{_AMOUNT}\s*{_UNIT}\s+from (?:now|today)\b"),
    ("duration", r"\b(?:within|in|inside|under)\s+(?:the|an|the next)\s+(?P<unit>hour)\b"),
    ("day_after", r"\b(?:the )?day after (?:tomorrow|tmrw|tmr)\b"),
    ("tomorrow", r"\b(?:first thing )?(?:tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr|tmw|2morrow|2moro|2mrw|"
                 r"(?:the )?(?:next|following) (?:business |working )?day)(?:\s+(?P<part>morning|afternoon|evening|night|"
                 r"noon|midday|lunchtime|am|pm))?\b"),
    ("morning", r"\b(?:first thing(?: in the morning)?|(?:early )?in the (?:morning|am)|by (?:the )?morning|"
                r"(?:early )?(?:tomorrow|tmrw) a\.?m\.?)\b"),
    ("today", r"\b(?:(?:by |before |at )?(?:the )?(?:end|close) of (?:the |my |our |your |today'?s? )?(?:business |working |"
              r"work )?(?:day|today|business)|eod|cob|eob|later today|later on today|today|tdy|tonight|tonite|"
              r"this (?:morning|afternoon|evening|arvo)|(?:by|before|at) midnight|by close)\b"),
    ("weekday", rf"\b(?:(?P<mod>next|this|coming|this coming|following|the following)\s+)?(?P<day>{_DAY})\.?"
                rf"(?:'s)?(?:\s+(?P<part>morning|afternoon|evening|night|am|pm))?\b"),
    ("weekend", r"\b(?:(?P<mod>next|this|the|over the|by the|before the|during the|on the)\s+)?weekend\b"),
    ("week", r"\b(?:(?:by |before )?(?:the )?(?P<end>end|close) of (?:the |this )?(?P<rel>next |following )?(?:work(?:ing)? |"
             r"business )?week|(?P<early>early |late |mid-?)?(?P<next>next|the following|the coming) week|"
             r"(?:later |sometime |some time )?this week|within the week|in the week ahead)\b"),
    ("month", r"\b(?:(?:by |before )?(?:the )?end of (?:the |this )?(?P<rel>next )?month|"
              r"(?P<next>next|the following) month|(?:later |sometime )?this month)\b"),
    ("date", rf"\b(?:(?:on|by|before|the)\s+)?(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
             rf"(?:,?\s+(?P<year>\d{{4}}))?"),
    ("date", rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH})\b\.?(?:,?\s+(?P<year>\d{{4}}))?"),
    ("date", r"\b(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})\b"),
    ("date", r"(?<![\d/])(?P<m>\d{1,2})/(?P<day>\d{1,2})(?:/(?P<year>\d{2}|\d{4}))?(?![\d/])"),
    ("date", r"\b(?:on|by|before) the (?P<day>\d{1,2})(?:st|nd|rd|th)\b"),
    ("clock", rf"\b(?:(?P<prep>at|by|before|around|until|till|til|after|from|no later than)\s+)?(?P<hour>\d{{1,2}})"
              rf"(?:[:.]?(?P<minute>\d{{2}}))?\s*(?P<meridiem>a\.?m\.?|p\.?m\.?)(?!\w)(?:\s+(?P<zone>{_ZONE})\b"
              rf"(?:\s+time)?)?"),
    ("clock", rf"\b(?:(?P<prep>at|by|before|around|until|till|after|no later than)\s+)(?P<hour>\d{{1,2}}):(?P<minute>\d{{2}})"
              rf"(?!\d)(?:\s*(?:hrs|h)\b)?(?:\s+(?P<zone>{_ZONE})\b(?:\s+time)?)?"),
    ("clock", rf"\b(?:(?P<prep>at|by|before|around|until|after)\s+)(?P<hour>\d{{1,2}})\s+o'?clock"
              rf"(?:\s+(?P<zone>{_ZONE})\b)?"),
    ("clock", rf"\b(?:(?P<prep>at|by|before|around|until|after)\s+)(?P<hour>\d{{1,2}})(?:\s+(?P<zone>{_ZONE})\b)"),
    ("noon", rf"\b(?:(?:at|by|before|around|until|after)\s+)?(?P<word>noon|midday|lunchtime|lunch time|lunch)"
             rf"(?:\s+(?P<zone>{_ZONE})\b)?"),
    ("holiday", r"\b(?P<name>christmas eve|christmas|xmas|new year'?s eve|new year'?s(?: day)?|the new year|halloween|"
                r"thanksgiving|easter)\b"),
    ("vague", r"\b(?:very |pretty |really )?(?:shortly|soon|asap|a\.s\.a\.p|as soon as (?:possible|we can|i can|they can|"
              r"humanly possible|practicable)|as (?:quickly|fast|promptly) as|at the earliest|"
              r"in a (?:bit|moment|minute|sec|second|jiffy|while|little while|short while|short time)|"
              r"(?:give|allow|spare)(?: (?:me|us))? (?:a|one|a few|few|a couple of)\s*(?:more\s+)?"
              r"(?:moments?|minutes?|mins?|secs?|seconds?)|(?:one|a|just a) (?:moment|minute|sec|second)|"
              r"a few (?:moments|minutes|mins|hours|hrs|days|weeks)|in (?:the )?(?:next )?(?:few|coming) "
              r"(?:moments|minutes|mins|hours|days|weeks)|(?:over |within |in )?the (?:next|coming) (?:few )?"
              r"(?:moments|minutes|hours|days|weeks)|momentarily|in due course|at once|right away|straight away|"
              r"immediately|right now|promptly|in no time|in the near future|later on|later|"
              r"for a (?:minute|moment|bit)|as and when|(?:once|when|as soon as|the moment|after) (?:we|they|our|the|it|i|"
              r"there|he|she|this|that|your (?:bag|case|claim|request|order|refund|item|ticket|file))\b[^,.;!?]{0,40}"
              r"(?<=\w))\b"),
))
_JOIN = re.compile(r"^\s*(?:,\s*)?(?:or|to|-|–|through|thru|and|or by|or on|or at)\s*(?:on\s+|at\s+|by\s+)?$")
_PAIR = re.compile(r"^\s*(?:,\s*)?(?:at|by|on|around|before|,|at around|from|after|between)?\s*$")
_PAST = re.compile(r"\b(?:yesterday|last night|earlier|ago|was|were|had|arrived|departed|landed|booked|ordered|"
                   r"purchased|sent|called|emailed|last)\s*$")
_DAY_KINDS = frozenset({"tomorrow", "day_after", "weekday", "date", "today", "holiday"})


@dataclass(frozen=True)
class Due:
    """When a sentence says something falls due (None when it names no resolvable moment)."""

    at: datetime | None = None
    text: str | None = None
    vague: bool = False


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    kind: str
    match: re.Match


def normalise(text: str) -> str:
    """Lower case with straight apostrophes; every character stays where it was, so offsets carry over."""
    return re.sub(r"\s", " ", text.lower().replace("’", "'").replace("‘", "'"))


def expressions(lowered: str) -> list[_Found]:
    """Every time expression in `lowered`, left to right; a longer one wins where two overlap."""
    found = [_Found(m.start(), m.end(), kind, m) for kind, pattern in PATTERNS for m in pattern.finditer(lowered)]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[_Found] = []
    for item in found:
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept


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
        if _PAST.search(lowered[max(0, first.start - 12):first.start]):
            continue  # "the flight you booked on Friday": a past moment, not a due time
        moments = _moments(segments, reference, schedule)
        if not moments:
            continue
        due = max(moments)
        if due < reference - timedelta(minutes=1):
            continue
        return Due(at=due, text=text[first.start:last.end].strip(" ,.") or None, vague=False)
    return Due(at=None, text=vague_text, vague=vague_text is not None)


def _group(lowered: str, found: list[_Found], index: int) -> tuple[list[list[_Found]], int]:
    """One expression with its partners: alternatives or range ends (segments), each a day with its clock time."""
    segments = [[found[index]]]
    index += 1
    while index < len(found) and segments[0][0].kind != "vague" and found[index].kind != "vague":
        previous, item = segments[-1][-1], found[index]
        between = lowered[previous.end:item.start]
        if _PAIR.match(between) and _pairs(segments[-1], item):
            segments[-1].append(item)
        elif _JOIN.match(between):
            segments.append([item])
        else:
            break
        index += 1
    return segments, index


def _pairs(segment: list[_Found], item: _Found) -> bool:
    kinds = {part.kind for part in segment} | {item.kind}
    has_clock = bool(kinds & {"clock", "noon"})
    has_day = bool(kinds & _DAY_KINDS)
    return len(segment) == 1 and (has_clock and has_day or kinds == {"weekday", "date"})


def _moments(segments: list[list[_Found]], reference: datetime, schedule: Schedule) -> list[datetime]:
    """Each segment's moment: a day at its clock time, a day at closing, or a clock time (on the group's day)."""
    moments = []
    last_day = None
    days = [part for segment in segments for part in segment if part.kind in _DAY_KINDS]
    for segment in segments:
        day_part = next((part for part in segment if part.kind == "date"), None) or next(
            (part for part in segment if part.kind in _DAY_KINDS), None)
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
    if unit.startswith(("business hour", "working hour")):
        return reference + timedelta(hours=amount)
    if unit.startswith("min"):
        return reference + timedelta(minutes=amount)
    if unit.startswith(("hour", "hr")) or unit == "h":
        return reference + timedelta(hours=amount)
    if unit.startswith(("week", "wk")):
        return schedule.closing(local.date() + timedelta(days=round(7 * amount)))
    if unit.startswith("month"):
        return schedule.closing(local.date() + relativedelta(months=int(round(amount))))
    return schedule.closing(local.date() + timedelta(days=round(amount)))


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


def _clock_of(match: re.Match) -> time | None:
    groups = match.groupdict()
    if groups.get("word"):
        return NOON
    hour, minute = int(groups["hour"]), int(groups.get("minute") or 0)
    meridiem = (groups.get("meridiem") or "").replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
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
    return moment


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
    "noon": _clock, "holiday": _holiday,
}
