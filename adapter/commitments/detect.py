"""Find a follow-up promise in an agent's reply and resolve when it falls due (pure).

A promise is the agent or the company committing to act later for this customer in a way the customer
will hear about: "I'll get back to you", "let me check", "our billing team will contact you", "you should
hear back within 24 hours". Not promises: purpose clauses, ability, offers, hopes, availability,
announcements, things already done, passing feedback along, reassurance about a flight everyone is on,
hedged efforts ("we'll try"). "DM us and we'll look into it" is a conditional promise.

Each sentence is scored by the learned layer (`model.py`) over the rules' cues (`cues.py`); the best
sentence above the model's threshold carries the promise, and it is what the sidebar shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from adapter.commitments import cues
from adapter.commitments import phrases as rules
from adapter.commitments.due import Due
from adapter.commitments.due import resolve
from adapter.commitments.model import PromiseModel
from adapter.commitments.model import shipped
from adapter.commitments.schedule import Schedule
from adapter.text import clean_message
from adapter.text import sentences

# Sentence ends that are not sentence ends: "8 a.m. central", "Mr. Lee", "approx. 2 days".
_ABBREVIATION = re.compile(r"(?:\b[ap]\.m\.|\b(?:mr|mrs|ms|dr|st|approx|no|e\.g|i\.e|etc|vs|est|tel|ref|conf)\.)$",
                           re.IGNORECASE)
# A later sentence that says when: "I'll check with the warehouse. You'll have an answer by Friday."
_WHEN_FOLLOWS = re.compile(r"\b(?:update|answer|back|hear|news|reply|response|know|expect|contact|call|email|"
                           r"touch|follow|by|within|no later|allow|moment|minute|minutes|second|sec|shortly|soon|asap)\b")


@dataclass(frozen=True)
class Detection:
    """What the reply promises and when it falls due (UTC); `sentence` is the one that carries the promise."""

    promise: bool
    conditional: bool = False
    vague: bool = False
    due_at: datetime | None = None
    due_text: str | None = None
    sentence: str | None = None
    phrasing: str | None = None
    confidence: float | None = None
    reasons: tuple[str, ...] = ()
    timed: bool = False


def reply_sentences(text: str) -> list[str]:
    """The reply's sentences without quoted history, with abbreviations mended ("8 a.m. central" stays whole)."""
    parts: list[str] = []
    for sentence in sentences(clean_message(text)):
        if parts and _ABBREVIATION.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {sentence.text}"
        else:
            parts.append(sentence.text)
    return parts


def is_promise(sentence: str, model: PromiseModel | None = None) -> bool:
    """True when the sentence commits the agent or company to a follow-up on this case."""
    model = model or shipped()
    return model.score(sentence) >= model.threshold


def is_conditional(parts: list[str], index: int) -> bool:
    """True when the promise waits for the customer: a condition on them, or a request just before it."""
    found = cues.cues(parts[index])
    if found & {"customer_acts", "ask_then_promise"}:
        return True
    earlier = parts[max(0, index - 2):index]
    return any("request" in cues.cues(sentence) and not rules.STANDING.search(cues.prepare(sentence))
               for sentence in earlier)


def find_promise(text: str, model: PromiseModel | None = None) -> tuple[list[str], int, float] | None:
    """The reply's sentences, the index of the one that carries the promise, and its probability (None: no promise)."""
    model = model or shipped()
    parts = reply_sentences(text)
    scored = [(model.score(sentence), index) for index, sentence in enumerate(parts)]
    promising = [(score, index) for score, index in scored if score >= model.threshold]
    if not promising:
        return None
    # A promise that says when beats a stronger one that does not ("I'll check. I'll reply by Friday.").
    timed = [(score, index) for score, index in promising if "time_named" in cues.cues(parts[index])]
    score, index = max(timed or promising)
    return parts, index, score


_CLAUSE = re.compile(r"(?<=[,;:–—])\s+|\s+-\s+")


def promise_clause(sentence: str, model: PromiseModel) -> str:
    """The part of the sentence from the clause that promises onwards ("Sorry for the wait this evening, we'll…")."""
    clauses = _CLAUSE.split(sentence)
    if len(clauses) < 2:
        return sentence
    best = max(range(len(clauses)), key=lambda index: model.score(clauses[index]))
    return " ".join(clauses[best:])


def _due(parts: list[str], index: int, sent_at: datetime, schedule: Schedule, model: PromiseModel) -> Due:
    due = resolve(promise_clause(parts[index], model), sent_at, schedule)
    if due.at is None and not due.vague:
        due = resolve(parts[index], sent_at, schedule)
    if due.at is None and index + 1 < len(parts) and _WHEN_FOLLOWS.search(cues.prepare(parts[index + 1])):
        later = resolve(parts[index + 1], sent_at, schedule)
        if later.at is not None or (later.vague and not due.vague):
            return later
    return due


def default_due(reference: datetime, schedule: Schedule, business_days: int) -> datetime:
    """When a promise without a time falls due: the installation's default, in business days."""
    day = schedule.add_business_days(schedule.local(reference).date(), business_days)
    return schedule.closing(day)


def detect(text: str, sent_at: datetime, schedule: Schedule, *, default_days: int = 1,
           model: PromiseModel | None = None) -> Detection:
    """Is there a follow-up promise in this reply, is it conditional or vague, and when does it fall due?

    Without a time in the reply the default applies and neither `vague` nor `timed` is set; with a time
    that names no moment ("shortly") the default applies and `vague` is set.
    """
    model = model or shipped()
    found = find_promise(text, model)
    if found is None:
        return Detection(promise=False)
    parts, index, score = found
    sentence = parts[index]
    due = _due(parts, index, sent_at, schedule, model)
    due_at = due.at if due.at is not None else default_due(sent_at, schedule, default_days)
    return Detection(promise=True, conditional=is_conditional(parts, index), vague=due.vague,
                     due_at=due_at.astimezone(UTC), due_text=due.text, sentence=sentence,
                     phrasing=cues.phrasing(cues.cues(sentence)), confidence=round(score, 3),
                     reasons=tuple(model.reasons(sentence)), timed=due.at is not None)
