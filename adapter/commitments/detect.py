"""Find a follow-up promise in an agent's reply and resolve when it falls due (pure).

A promise is the agent or the company committing to act later on this customer's case in a way the
customer will hear about ("I'll get back to you", "let me check and update you", "we'll refund it").
Requests to the customer, apologies, things already done, courtesy lines and passing feedback along
are not promises. "DM us and we'll look into it" is a conditional promise.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

from adapter.commitments.schedule import Schedule
from adapter.text import clean_message
from adapter.text import sentences

_ACTION = (
    r"get back|follow(?:ing)? up|update|keep (?:you|u) (?:posted|updated|informed|in the loop)|let (?:you|u) know|"
    r"reach out|contact|call|e-?mail|message|dm|text|write|send|check|look into|take a look|look at|investigate|"
    r"confirm|circle back|touch base|respond|reply|come back|revert|escalate|review|find out|dig into|chase|"
    r"be in touch|get in touch|have (?:an? )?(?:update|answer|news|more information|more info)|provide|"
    r"refund|rebook|credit|reimburse|process|arrange|fix|resolve|sort|issue|reset|replace|ship|waive|raise|"
    r"log|open a (?:ticket|case)|test|verify|double-?check|ask|speak|talk|connect|get (?:this|it|that|you)|ring|phone|"
    r"re-?send|re-?issue|re-?ship|re-?check|find|assist|help (?:you|out)|discuss|dive (?:right )?in|get started|"
    r"(?:go|take it|continue) from there|continue (?:there|working with you|to (?:assist|help))|lend a hand|"
    r"see what (?:i|we) can (?:do|suggest|find)|meet (?:you|u)(?: back)? (?:there|in (?:the )?dms?)|"
    r"have a (?:\w+ )?look|take a (?:\w+ )?look|make (?:this|it|things) right|keep moving forward|"
    r"set your (?:heart|mind) at ease|be (?:contacting|reaching out|calling|emailing|in contact|following up|"
    r"getting back|sending|in touch|looking into|checking|investigating|(?:taking|having) a (?:\w+ )?look)|explore|"
    r"see (?:what|how) (?:i|we) can (?:do|suggest|find|help)"
)
_ADVERBS = r"(?:\s+(?:also|then|personally|definitely|certainly|surely|be sure to|make sure to|try to|now|quickly|"
_ADVERBS += r"gladly|happily|further|immediately|right away|right now|get to|have someone|have the team|need to|"
_ADVERBS += r"continue to|keep|go ahead and|look to|aim to|do (?:my|our) best to))*"
_SUBJECT = (
    r"(?:\bi\b|\bwe\b|someone(?: from (?:our|the) \w+(?: \w+)?)?|(?:our|the) (?:\w+ ){0,2}(?:team|engineers?|"
    r"specialists?|agents?|department|colleagues|manager|staff|experts?)|(?:a|one of our) (?:\w+ ){0,2}"
    r"(?:specialists?|agents?|team members?|colleagues|engineers?)|(?:a|one) members? of (?:our|the) (?:\w+ )?team)"
)
_MODAL = r"(?:'ll|\s+will|\s+shall|\s+(?:am|are|is)\s+going\s+to|'m\s+going\s+to|'re\s+going\s+to)"

FUTURE = re.compile(rf"{_SUBJECT}{_MODAL}{_ADVERBS}\s+(?P<act>{_ACTION})\b")
# "I'll pass this on to billing and get back to you": the promise is the second verb.
AND_THEN = re.compile(rf"{_SUBJECT}{_MODAL}\s[^.!?]{{0,80}}?\band\s+(?:then\s+)?(?P<act>{_ACTION})\b")
# "We've received your DM and will continue there."
AND_WILL = re.compile(rf"(?:{_SUBJECT})[^.!?]{{0,80}}?\band\s+(?:will|shall){_ADVERBS}\s+(?P<act>{_ACTION})\b")
LET_ME = re.compile(r"\b(?:let me|let us|allow me to)\s+(?:quickly\s+|just\s+)?"
                    r"(?P<act>check|look|see|find out|investigate|confirm|review|dig|reach out|follow up|get back|"
                    r"double-?check|verify|ask|chat with|speak|talk|escalate|get (?:this|it|that)|"
                    r"(?:take|have) a (?:\w+ )?look)\b")
HEAR_FROM_US = re.compile(r"\byou(?:'ll| will| should| shall| can expect to)\s+(?:be (?:updated|contacted|notified|called|"
                          r"emailed)\b|hear (?:back )?from (?:us|me|our|the)|"
                          r"(?:get|receive) (?:an? )?(?:update|reply|response|answer|call|email) (?:back )?from "
                          r"(?:us|me|our|the))\b")
EXPECT = re.compile(r"\bexpect (?:to hear from (?:us|me)|(?:an? )?(?:update|reply|response|answer|call|news)"
                    r"(?: from (?:us|me))?)\b")
SUBJECTLESS = re.compile(r"^(?:will|shall)\s+(?:(?:also|definitely|certainly)\s+)?(?P<act>update|get back|follow up|"
                         r"let (?:you|u) know|be in touch|reach out|check|look into|confirm|keep (?:you|u)|"
                         r"circle back|dm|message|send)\b")
CHECKING = re.compile(r"\b(?:i'm|i am|we're|we are)\s+(?:currently\s+|now\s+|still\s+|already\s+)?(?:checking|"
                      r"looking into|investigating|following up|escalating|chasing|reviewing (?:your|this|the)|"
                      r"working on (?:this|it|your|a fix|getting)|on (?:it|this|the case))\b")
PROMISES = (FUTURE, AND_THEN, AND_WILL, LET_ME, HEAR_FROM_US, EXPECT, SUBJECTLESS, CHECKING)

NEGATED = re.compile(r"\b(?:won't|will not|can't|cannot|can not|unable to|not able to|never|'ll not|shan't|"
                     r"wouldn't|isn't possible)\b")
OFFER = re.compile(r"^(?:shall|should|would|can|could|do|may|want)\b|would you like|do you want|if you'd like "
                   r"(?:me|us) to\b|if you want (?:me|us) to\b|let me know if|let us know if")
# Work on the company's own things ("we'll update our schedules") is not a follow-up with this customer.
OWN_THINGS = re.compile(r"^(?:update|review|change|improve|fix)\s+our\b")
STANDING_OFFER = re.compile(r"\b(?:feel free to|(?:don't|do not) hesitate to|in the future|going forward|"
                            r"if you (?:ever )?(?:need|have|encounter|run into|experience) (?:any|anything|further|"
                            r"more|other))\b")
COURTESY = re.compile(r"\b(?:be|are|am) (?:happy|glad|pleased|delighted) to\b|\bhope\b|\bwish\b")
RELAY = re.compile(r"\b(?:pass|share|forward|relay|send|feed)(?:\s+(?:on|along|back))?\s+(?:this|your|the|these|"
                   r"those|all)?\s*(?:kind\s+|lovely\s+|great\s+)?(?:feedback|comments?|words|compliments?|"
                   r"suggestions?|thoughts|praise|kudos|shout-?out|concerns?)\b|\bfeed (?:this|that|it) back\b|"
                   r"(?:feedback|comments?|compliments?|kudos|concerns?|words) (?:is |are |will be )?(?:passed|shared|"
                   r"forwarded)\b|\b(?:pass|passed|passing)\s+(?:this\s+|it\s+|that\s+)?(?:on|along)\s+to\b")
CONDITION = re.compile(r"\b(?:if|once|when|as soon as|after|provided)\s+(?:you|we (?:receive|get|hear)|"
                       r"(?:it|the \w+) (?:arrives|comes|is))\b")
ASK_THEN_PROMISE = re.compile(r"\b(?:dm|message|email|send|share|provide|reply|respond|follow|tweet|contact|call|shoot|drop|ping|"
                              r"give)\s+(?:us|me)\b.{0,120}?\band\s+(?:i|we)(?:'ll| will)\b")
REQUEST = re.compile(r"^(?:please|pls|kindly|could you|can you|would you|dm us|send us|message us|email us|shoot us|drop us|"
                     r"follow us|reach out to us|contact us|give us)\b|\bplease (?:dm|send|message|email|share|"
                     r"provide|follow|reach out|contact|reply)\b")

NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "couple of": 2, "couple": 2, "few": 3,
           "twenty-four": 24, "twenty four": 24, "forty-eight": 48, "forty eight": 48, "seventy-two": 72}
WEEKDAYS = {"monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3,
            "thu": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6}
_NUM = r"(?:\d+(?:\s*(?:-|–|to)\s*\d+)?|" + "|".join(sorted(map(re.escape, NUMBERS), key=len, reverse=True)) + ")"
_UNIT = r"(?:minutes?|mins?|hours?|hrs?|h|business days?|working days?|days?|weeks?|wks?)"
_DAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_CLOCK = r"(?:(?:at|by|before|around|until|till)\s+)?(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|(?:at|by|before)\s+(\d{1,2}):(\d{2})"

TIME_PATTERNS = (
    ("duration", re.compile(rf"\b(?:within|in|under|less than)\s+(?:the\s+)?(?:next\s+)?({_NUM})\s*({_UNIT})\b")),
    ("few", re.compile(r"\b(?:in|within)\s+(?:a|the next)\s+(few|couple(?: of)?)\s+(hours|days|weeks)\b")),
    ("eod", re.compile(r"\b(?:end of (?:the |my |our )?(?:business )?day|eod|cob|close of business|end of business|"
                       r"end of today)\b")),
    ("today", re.compile(r"\b(?:later today|today|tdy|this (?:morning|afternoon|evening)|tonight|tonite|"
                         r"(?:by|at|before) midnight)\b")),
    ("tomorrow", re.compile(r"\b(?:tomorrow|tomorow|tmrw|tmr|trmw|tomo|2mor+ow|(?:the )?(?:next|following) day)"
                            r"(?:\s+(morning|afternoon|evening|night))?\b")),
    ("noon", re.compile(r"\b(?:by|at|before|around) (?:noon|midday|lunchtime|lunch)\b")),
    ("morning", re.compile(r"\b(?:(?:first thing )?in the|by the) morning\b")),
    ("holiday", re.compile(r"\b(christmas eve|christmas|xmas|new year'?s eve|new year'?s(?: day)?|halloween|"
                           r"thanksgiving|easter)\b")),
    ("weekday", re.compile(rf"\b(?:(next|this|coming)\s+)?({_DAY})\b(?!\s*\d)")),
    ("this_week", re.compile(r"\b(?:(?:by |before )?(?:the )?end of (?:the|this) week|this week|later this week|"
                             r"by the weekend|before the weekend)\b")),
    ("next_week", re.compile(r"\b(?:early |late )?next week\b")),
    ("this_month", re.compile(r"\b(?:(?:the )?end of (?:the|this) month|this month|later this month)\b")),
    ("next_month", re.compile(r"\bnext month\b")),
    ("date", re.compile(rf"\b(?:{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?"
                        rf"(?:\s+of)?\s+{_MONTHS}\b(?:\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)")),
    ("clock", re.compile(rf"\b{_CLOCK}")),
    ("vague", re.compile(r"\b(?:shortly|soon|asap|as soon as (?:possible|we can|i can)|in a bit|in a moment|"
                         r"momentarily|later|in due course|at the earliest)\b")),
)


@dataclass(frozen=True)
class Detection:
    """What the reply promises and when it falls due (UTC)."""

    promise: bool
    conditional: bool = False
    vague: bool = False
    due_at: datetime | None = None
    due_text: str | None = None
    sentence: str | None = None


def normalise(text: str) -> str:
    """Lower case with straight apostrophes and single spaces."""
    return re.sub(r"\s+", " ", text.lower().replace("’", "'").replace("‘", "'")).strip()


def is_promise(sentence: str) -> bool:
    """True when the sentence commits the agent or company to a follow-up on this case."""
    text = normalise(sentence)
    if text.endswith("?") and OFFER.search(text) or STANDING_OFFER.search(text):
        return False
    for pattern in PROMISES:
        for match in pattern.finditer(text):
            act = match.start("act") if "act" in pattern.groupindex else match.start()
            action = text[act:]
            if (NEGATED.search(text[max(0, match.start() - 25):match.end()]) or RELAY.search(action[:60])
                    or COURTESY.search(text[match.start():match.end() + 20]) or OWN_THINGS.search(action)):
                continue
            return True
    return False


def find_promise(text: str) -> tuple[str, bool, int] | None:
    """The first promising sentence, whether it is conditional, and its index among the sentences."""
    parts = sentences(clean_message(text))
    for index, sentence in enumerate(parts):
        if not is_promise(sentence.text):
            continue
        lowered = normalise(sentence.text)
        conditional = bool(CONDITION.search(lowered) or ASK_THEN_PROMISE.search(lowered))
        if not conditional and index > 0 and REQUEST.search(normalise(parts[index - 1].text)):
            conditional = True  # "Please DM us your booking number. We'll look into it."
        return sentence.text, conditional, index
    return None


def _number(value: str) -> int:
    value = value.strip()
    range_match = re.match(r"(\d+)\s*(?:-|–|to)\s*(\d+)", value)
    if range_match:
        return int(range_match.group(2))  # "24-48 hours": promise the later bound
    return int(value) if value.isdigit() else NUMBERS.get(value, 1)


def _add_duration(reference: datetime, amount: int, unit: str, schedule: Schedule) -> datetime:
    if unit.startswith(("business", "working")):
        return schedule.closing(schedule.add_business_days(schedule.local(reference).date(), amount))
    if unit.startswith(("min",)):
        return reference + timedelta(minutes=amount)
    if unit.startswith(("hour", "hr")) or unit == "h":
        return reference + timedelta(hours=amount)
    if unit.startswith(("week", "wk")):
        return schedule.closing((schedule.local(reference) + timedelta(weeks=amount)).date())
    return schedule.closing((schedule.local(reference) + timedelta(days=amount)).date())


def _weekday(reference: datetime, target: int, modifier: str | None, schedule: Schedule) -> datetime:
    today = schedule.local(reference).date()
    if modifier == "next":
        # "next Tuesday" is the Tuesday of next week, whatever day it is today.
        return schedule.closing(today - timedelta(days=today.weekday()) + timedelta(days=7 + target))
    ahead = (target - today.weekday()) % 7
    if ahead == 0 and schedule.local(reference).time() >= schedule.closes:
        ahead = 7
    return schedule.closing(today + timedelta(days=ahead))


def _clock(reference: datetime, match: re.Match, schedule: Schedule, day=None) -> datetime:
    hour, minute, meridiem, hour24, minute24 = match.groups()
    if hour24 is not None:
        hour, minute = int(hour24), int(minute24)
    else:
        hour, minute = int(hour), int(minute or 0)
        if meridiem.startswith("p") and hour < 12:
            hour += 12
        if meridiem.startswith("a") and hour == 12:
            hour = 0
    if hour > 23 or minute > 59:
        raise ValueError("not a time of day")
    local = schedule.local(reference)
    moment = schedule.at(day or local.date(), time(hour, minute))
    if day is None and moment <= local:
        moment = schedule.at(local.date() + timedelta(days=1), time(hour, minute))
    return moment


def _explicit_date(reference: datetime, fragment: str, schedule: Schedule) -> datetime | None:
    import dateparser  # imported here: it takes ~0.2 s to load and is rarely needed

    local = schedule.local(reference).replace(tzinfo=None)
    parsed = dateparser.parse(fragment, languages=["en"],
                              settings={"RELATIVE_BASE": local, "PREFER_DATES_FROM": "future",
                                        "DATE_ORDER": "MDY", "RETURN_AS_TIMEZONE_AWARE": False})
    return schedule.closing(parsed.date()) if parsed else None


def resolve_expression(kind: str, match: re.Match, reference: datetime, schedule: Schedule) -> datetime | None:
    """The due moment one matched time expression points to, seen from `reference`."""
    local = schedule.local(reference)
    if kind == "duration":
        return _add_duration(reference, _number(match.group(1)), match.group(2), schedule)
    if kind == "few":
        amount = 2 if match.group(1).startswith("couple") else 3
        unit = match.group(2)
        return _add_duration(reference, amount, "business days" if unit == "days" else unit, schedule)
    if kind in ("eod", "today"):
        return schedule.end_of_business_today(reference)
    if kind == "tomorrow":
        day = schedule.next_business_day(local.date())
        return schedule.at(day, time(12, 0)) if match.group(1) == "morning" and schedule.closes > time(12, 0) \
            else schedule.closing(day)
    if kind == "weekday":
        return _weekday(reference, WEEKDAYS[match.group(2)], match.group(1), schedule)
    if kind == "this_week":
        return schedule.closing(schedule.last_business_day_of_week(local.date()))
    if kind == "next_week":
        return schedule.closing(schedule.last_business_day_of_week(local.date() + timedelta(weeks=1)))
    if kind == "this_month":
        return schedule.closing(schedule.last_business_day_of_month(local.date()))
    if kind == "next_month":
        first_next = (local.date().replace(day=28) + timedelta(days=4)).replace(day=1)
        return schedule.closing(schedule.last_business_day_of_month(first_next))
    if kind == "date":
        return _explicit_date(reference, match.group(0), schedule)
    if kind == "clock":
        return _clock(reference, match, schedule)
    if kind == "noon":
        return _next_morning(reference, schedule, allow_today=local.time() < time(12, 0))
    if kind == "morning":
        return _next_morning(reference, schedule, allow_today=local.time() < schedule.opens)
    if kind == "holiday":
        return schedule.closing(_holiday(match.group(1), local.date()))
    return None


def _next_morning(reference: datetime, schedule: Schedule, *, allow_today: bool) -> datetime:
    """Noon on the coming working morning: today's when it has not passed yet."""
    today = schedule.local(reference).date()
    day = today if allow_today and schedule.is_business_day(today) else schedule.next_business_day(today)
    return schedule.at(day, min(time(12, 0), schedule.closes))


def _holiday(name: str, today):
    """The next date (today or later) of a named holiday."""
    from dateutil.easter import easter

    def on(year: int):
        if name.startswith("christmas eve"):
            return today.replace(year=year, month=12, day=24)
        if name in ("christmas", "xmas"):
            return today.replace(year=year, month=12, day=25)
        if name.startswith("new year") and name.endswith("eve"):
            return today.replace(year=year, month=12, day=31)
        if name.startswith("new year"):
            return today.replace(year=year + 1, month=1, day=1)
        if name == "halloween":
            return today.replace(year=year, month=10, day=31)
        if name == "easter":
            return easter(year)
        first = today.replace(year=year, month=11, day=1)  # US Thanksgiving: the fourth Thursday of November
        return first + timedelta(days=(3 - first.weekday()) % 7 + 21)

    this_year = on(today.year)
    return this_year if this_year >= today else on(today.year + 1)


def find_due(text: str, reference: datetime, schedule: Schedule) -> tuple[datetime | None, str | None, bool]:
    """(due moment, the words that set it, vague?) for the first time expression in `text`."""
    lowered = normalise(text)
    found = []
    for kind, pattern in TIME_PATTERNS:
        for match in pattern.finditer(lowered):
            found.append((match.start(), kind, match))
    for _, kind, match in sorted(found, key=lambda item: item[0]):
        if kind == "vague":
            return None, match.group(0), True
        try:
            due = resolve_expression(kind, match, reference, schedule)
        except ValueError:
            continue
        if due is None:
            continue
        day_match = next((m for start, k, m in found if k == "clock" and start > match.end() and start - match.end() < 12), None)
        if day_match is not None and kind in ("tomorrow", "weekday", "date", "today"):
            with contextlib.suppress(ValueError):  # "at 25:00" is not a time; keep the day's closing
                due = _clock(reference, day_match, schedule, day=due.date())
        return due, match.group(0), kind == "few"
    return None, None, False


def default_due(reference: datetime, schedule: Schedule, business_days: int) -> datetime:
    """When a promise without a time falls due: the installation's default, in business days."""
    day = schedule.add_business_days(schedule.local(reference).date(), business_days)
    return schedule.closing(day)


def detect(text: str, sent_at: datetime, schedule: Schedule, *, default_days: int = 1) -> Detection:
    """Is there a follow-up promise in this reply, is it conditional or vague, and when does it fall due?"""
    found = find_promise(text)
    if found is None:
        return Detection(promise=False)
    sentence, conditional, index = found
    due_at, due_text, vague = find_due(sentence, sent_at, schedule)
    if due_at is None and due_text is None:
        # "I'll check with billing. You'll have an answer by Friday." — the time may follow.
        rest = sentences(clean_message(text))[index + 1:index + 2]
        if rest and re.search(r"\b(?:update|answer|back|hear|news|reply|response|know)\b", normalise(rest[0].text)):
            due_at, due_text, vague = find_due(rest[0].text, sent_at, schedule)
    if due_at is None:
        return Detection(promise=True, conditional=conditional, vague=True, due_text=due_text, sentence=sentence,
                         due_at=_utc(default_due(sent_at, schedule, default_days)))
    return Detection(promise=True, conditional=conditional, vague=vague, due_at=_utc(due_at), due_text=due_text,
                     sentence=sentence)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
