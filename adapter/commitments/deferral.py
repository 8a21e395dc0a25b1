"""Is a reply the promised update, or only another "still looking into it"? (pure)

A reply defers when it makes a promise and says nothing else of substance: apart from greetings, thanks,
apologies and sign-offs, every sentence is itself a promise ("Sorry for the wait, we're still checking with the
team and I'll write by Monday"). Any other sentence is news for the customer, so the reply is the update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from adapter.commitments.detect import Detection
from adapter.commitments.detect import detect
from adapter.commitments.schedule import Schedule
from adapter.text import clean_message
from adapter.text import sentences

_COURTESY = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|thanks?|thank you|thx|ty|sorry|apologies|"
    r"(?:we|i) (?:apologi[sz]e|are sorry|am sorry|'re sorry|'m sorry)|we appreciate|i appreciate|appreciate|"
    r"(?:kind |best |warm )?regards|cheers|best|have a (?:great|good|nice)|hope this helps|take care)\b"
    r"|^[*^~-]\s?\w{1,12}$",
    re.IGNORECASE)
_REFERENCE = datetime(2000, 1, 3, 12, tzinfo=UTC)  # any moment: only whether a sentence promises matters here


@dataclass(frozen=True)
class Reading:
    """What a reply means for an open promise on its ticket."""

    defers: bool
    due_at: datetime | None = None  # the new time it names, when it defers to a firm one


def _substantive(text: str) -> bool:
    words = text.split()
    return len(words) >= 3 and not _COURTESY.search(text.strip())


def read(text: str, found: Detection) -> Reading:
    """Read a reply (and what `detect` found in it) as a deferral or as the update itself."""
    if not found.promise:
        return Reading(defers=False)
    calendar = Schedule.calendar()
    for sentence in sentences(clean_message(text)):
        if _substantive(sentence.text) and not detect(sentence.text, _REFERENCE, calendar).promise:
            return Reading(defers=False)
    return Reading(defers=True, due_at=None if found.vague else found.due_at)
