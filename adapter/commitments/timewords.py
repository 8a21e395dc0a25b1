"""The words of time: numbers, weekdays, months, zones and the patterns of time expressions (pure).

`due.py` resolves what these patterns find; `cues.py` uses them to tell the learned layer a time is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

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
    ("weekday", rf"\b(?P<day>{_DAY})\.?(?:\s+(?P<part>morning|afternoon|evening|night))?\s+(?:of\s+)?(?P<mod>next) week\b"),
    ("weekday", rf"\b(?:(?P<mod>next|this|coming|this coming|following|the following)\s+)?(?P<day>{_DAY})\.?"
                rf"(?:'s)?(?:\s+(?P<part>morning|afternoon|evening|night|am|pm))?\b"),
    ("weekend", r"\b(?:(?P<mod>next|this|the|over the|by the|before the|during the|on the)\s+)?weekend\b"),
    ("week", r"\b(?:(?:by |before )?(?:the )?(?P<end>end|close) of (?:the |this )?(?P<rel>next |following )?(?:work(?:ing)? |"
             r"business )?week|(?P<early>early |late |mid-?)?(?P<next>next|the following|the coming) week|"
             r"(?:later |sometime |some time )?this week|within the week|in the week ahead)\b"),
    ("month", r"\b(?:(?:by |before )?(?:the )?end of (?:the |this )?(?P<rel>next )?month|eom|"
              r"(?P<next>next|the following) month|(?:later |sometime )?this month)\b"),
    ("year", r"\b(?:(?:by |before )?(?:the )?end of (?:the |this )?year|eoy|(?:later |sometime )?this year)\b"),
    ("date", rf"\b(?:(?:on|by|before|the)\s+)?(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
             rf"(?:,?\s+(?P<year>\d{{4}}))?"),
    ("date", rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH})\b\.?(?:,?\s+(?P<year>\d{{4}}))?"),
    ("date", r"\b(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})\b"),
    ("date", r"(?<![\d/])(?P<m>\d{1,2})/(?P<day>\d{1,2})(?:/(?P<year>\d{2}|\d{4}))?(?![\d/])"),
    ("date", r"\b(?:(?:on|by|before) )?the (?P<day>\d{1,2})(?:st|nd|rd|th)\b(?! of)"),
    ("weekday_date", rf"\b(?P<weekday>{_DAY})\.?,?\s+(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)\b(?! of)"),
    ("clock", rf"\b(?:(?P<prep>at|by|before|around|until|till|til|after|from|no later than)\s+)?(?P<hour>\d{{1,2}})"
              rf"(?:[:.]?(?P<minute>\d{{2}}))?\s*(?P<meridiem>a\.?m\.?|p\.?m\.?|a|p)(?!\w)(?:\s+(?P<zone>{_ZONE})\b"
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
              r"(?:in|within|over) (?:a|the next|the) few (?:moments|minutes|mins|hours|hrs|days|weeks)|"
              r"a few (?:moments|minutes|mins|hours|hrs|days|weeks)|in (?:the )?(?:next )?(?:few|coming) "
              r"(?:moments|minutes|mins|hours|days|weeks)|(?:over |within |in )?the (?:next|coming) (?:few )?"
              r"(?:moments|minutes|hours|days|weeks)|momentarily|in due course|at once|right away|straight away|"
              r"immediately|right now|promptly|in no time|in the near future|later on|later|"
              r"for a (?:minute|moment|bit)|as and when|(?:once|when|as soon as|the moment|after) (?:we|they|our|the|it|i|"
              r"there|he|she|this|that|your \w+)\b[^,.;!?]{0,40}"
              r"(?<=\w))\b"),
))
# All the patterns as one (names dropped), to ask quickly whether a sentence names a time at all.
_UNNAMED = re.compile(r"\(\?P<\w+>")
NAMED_TIME = re.compile("|".join(f"(?:{_UNNAMED.sub('(?:', pattern.pattern)})" for kind, pattern in PATTERNS
                                 if kind != "vague"))
# Every named time has a digit or one of these words: a cheap test that skips the patterns for most sentences.
TIME_TRIGGER = re.compile(r"\d|\b(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|"
                          r"today|tonight|tonite|tdy|tom+or+ow|tmrw?|tmw|2mor|2moro|2mrw|eod|cob|eob|eom|eoy|"
                          r"morning|afternoon|evening|arvo|night|noon|midday|midnight|lunch|weekend|week|month|year|"
                          r"hours?|hrs?|mins?|minutes?|days?|christmas|xmas|new year|halloween|thanksgiving|easter|"
                          r"first thing|o'?clock|business|working|close|next|following)")
VAGUE_TIME = next(pattern for kind, pattern in PATTERNS if kind == "vague")
JOIN = re.compile(r"^\s*(?:,\s*)?(?:or|to|-|–|through|thru|and|or by|or on|or at)\s*(?:on\s+|at\s+|by\s+)?$")
PAIR = re.compile(r"^\s*(?:,\s*)?(?:at|by|on|around|before|,|at around|from|after|between)?\s*$")
PAST = re.compile(r"\b(?:yesterday|last night|earlier|ago|was|were|had|did|made|placed|bought|paid|took|got|came|went|"
                   r"flew|arrived|departed|landed|booked|ordered|purchased|sent|called|emailed|cancell?ed|canceled|"
                   r"delivered|received|submitted|returned|started|happened|opened|filed|last)\s+(?:on |at |in )?"
                   r"(?:the )?$")
DAY_KINDS = frozenset({"tomorrow", "day_after", "weekday", "weekday_date", "date", "today", "holiday"})


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: str
    match: re.Match


def normalise(text: str) -> str:
    """Lower case with straight apostrophes; every character stays where it was, so offsets carry over."""
    return re.sub(r"\s", " ", text.lower().replace("’", "'").replace("‘", "'"))


def expressions(lowered: str) -> list[Found]:
    """Every time expression in `lowered`, left to right; a longer one wins where two overlap."""
    found = [Found(m.start(), m.end(), kind, m) for kind, pattern in PATTERNS for m in pattern.finditer(lowered)]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Found] = []
    for item in found:
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept
