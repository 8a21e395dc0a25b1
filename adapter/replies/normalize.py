"""Reduce a reply to what makes it generic or specific: masked names, ids and links, no greeting or sign-off (pure).

Two replies that differ only in the customer's name, an order number or the agent's initials
normalise to the same words, so a copied answer is recognised however it was dressed. Sentences
are kept apart, so a reply whose sentences were put in another order can be compared as such.
"""

from __future__ import annotations

import re

from adapter.text import clean_message
from adapter.text import sentences

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
HANDLE = re.compile(r"(?<!\w)@\w+")
PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")  # Zendesk macro placeholders such as {{ticket.requester.first_name}}
WORD = re.compile(r"<\w+>|[a-z0-9]+(?:['’][a-z]+)?")
NAME = "<name>"

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|dear|greetings|good (?:morning|afternoon|evening)|thanks for (?:reaching out|contacting us|"
    r"writing in|getting in touch)|thank you for (?:reaching out|contacting us|writing in|getting in touch))"
    r"(?:\s+(?:there|all|team|again))?(?:\s+(?:<name>|[\w.'-]+)){0,2}?\s*[,!.:\-–]+\s*",
    re.IGNORECASE)
_SIGN_OFF_LINE = re.compile(
    r"^\s*(?:(?:many |kind |warm |best |warmest )?(?:thanks|thank you|regards|wishes)|best|cheers|sincerely|"
    r"all the best|take care|talk soon)\b[\s,.!-]*(?:[\w.'-]+\s*){0,4}$", re.IGNORECASE)
# Twitter-style agent signatures at the very end: "^AB", "-JJ", "*Name", "/CB"; "^AB" and "*AB" anywhere.
_INITIALS = re.compile(r"\s*(?:[\^*/~-]\s?[A-Z][\w]{0,15}|-\s?[A-Z]{1,3})\s*$")
_MARKED_INITIALS = re.compile(r"(?<![\w*^])[\^*][A-Z][A-Za-z]{0,15}\b")
# Someone addressed by a capitalised first name: "…, Jamie." / "…, Jamie!" closing a sentence, or right after a
# courtesy word ("Thanks Jamie", "Sorry, Jamie,"). Both replies are masked alike, so a city caught here costs little.
_CLOSING_NAME = re.compile(r",\s*[A-Z][a-z]{1,15}(?=\s*(?:[.!?]+|:\)|$)(?:\s|$))")
_COURTESY_NAME = re.compile(r"\b((?i:thanks|thank you|sorry|welcome|congrats|congratulations|hi|hello|hey|dear),?\s+)"
                            r"[A-Z][a-z]{1,15}\b(?=\s*[,.!?:]|\s*$)")
_COUNTER = re.compile(r"\(?(?<![\w/])[1-9]/[1-9]\)?(?![\w/])")  # "1/2": a tweet thread's counter, not a word
_LEADING_NAME = re.compile(rf"^\s*{NAME}\s*[,!.:\-–]*\s*")
# A short opening clause with a greeting word in it, however it was typed ("Hey there you, …", "Well hi, …").
_GREETING_WORD = re.compile(r"\b(?:hi|hello|hey|hiya|dear|greetings|good (?:morning|afternoon|evening))\b", re.IGNORECASE)
_OPENING_CLAUSE = re.compile(r"^\s*([^,.!?:;\n]*)[,.!?:;]+\s*")
_FAREWELL = re.compile(r"(?:^|(?<=[.!?\n]))\s*have an? (?:[\w']+ ){0,2}(?:day|evening|night|flight|trip|weekend|one|time|"
                       r"holiday|stay|journey)\b[^.!?]{0,20}[.!]*\s*$", re.IGNORECASE)
# A closing courtesy of its own ("Thanks!", "Cheers, Sam", "Have a great day!") says nothing about the answer.
_CLOSING_COURTESY = re.compile(
    r"(?:^|(?<=[.!?\n]))\s*(?:(?:many |kind |warm |best )?(?:thanks|thank you|regards|wishes)(?: so much| again)?|"
    r"cheers|best|take care|all the best|have a (?:great|good|nice|lovely|wonderful) (?:day|one|evening|weekend|trip|"
    r"flight)|safe travels|hope this helps)(?:[\s,]+(?:<name>|[A-Z][a-z]{1,15}))?\s*[.!]*\s*$", re.IGNORECASE)


def _strip_sign_off(text: str) -> str:
    """Cut a closing like "Best regards,\nSam Rivera\nSupport team" (a sign-off line and short lines after it)."""
    lines = text.rstrip().splitlines()
    for index in range(len(lines) - 1, max(-1, len(lines) - 5), -1):
        if _SIGN_OFF_LINE.match(lines[index]) and all(len(line.split()) <= 5 for line in lines[index + 1:]):
            return "\n".join(lines[:index])
    return "\n".join(lines)


def _mask_names(text: str, names: tuple[str, ...]) -> str:
    parts = {part for name in names if name for part in re.split(r"[\s,]+", name) if len(part) >= 2}
    for part in sorted(parts, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(part)}(?:['’]s)?(?!\w)", f" {NAME} ", text, flags=re.IGNORECASE)
    text = _COURTESY_NAME.sub(lambda m: m.group(1) + NAME, text)
    return _CLOSING_NAME.sub(f", {NAME}", text)


def masked(text: str, names: tuple[str, ...] = ()) -> str:
    """The reply as written, with links, addresses, handles and names masked and greeting and sign-off cut."""
    text = clean_message(text or "")
    text = PLACEHOLDER.sub(lambda m: f" {NAME} " if "name" in m.group(1) else " <field> ", text)
    text = URL.sub(" <url> ", text)
    text = EMAIL.sub(" <email> ", text)
    text = HANDLE.sub(" ", text)  # a tweet's leading @customer says nothing about the answer
    text = _COUNTER.sub("\n", text)
    text = _MARKED_INITIALS.sub(" ", _INITIALS.sub("", _strip_sign_off(text)))
    text = _mask_names(text, names)
    for _ in range(3):  # "Hi Dana, thanks for reaching out!" is two greetings; "Dana, hi!" a name and one
        text = _GREETING.sub("", _LEADING_NAME.sub("", text, count=1), count=1)
    opening = _OPENING_CLAUSE.match(text)
    if opening and len(opening.group(1).split()) <= 4 and _GREETING_WORD.search(opening.group(1)):
        text = text[opening.end():]
    for _ in range(2):  # "Thanks! Have a great day." is two closings
        text = _INITIALS.sub("", _FAREWELL.sub("", _CLOSING_COURTESY.sub("", text)))
    return text


def _words(text: str) -> list[str]:
    words = []
    for word in WORD.findall(text.lower().replace("’", "'")):
        if word == NAME:  # whose name it is, or whether there is one, says nothing about the answer
            continue
        if word.startswith("<"):
            words.append(word)
        elif any(ch.isdigit() for ch in word):
            words.append("<num>")
        else:
            words.append(word)
    return words


def _courtesy_cut(sentence: str) -> str:
    """A sentence without a greeting at its start or a closing courtesy that makes up its end, wherever it stands."""
    return _FAREWELL.sub("", _CLOSING_COURTESY.sub("", _GREETING.sub("", sentence, count=1)))


def sentence_words(text: str, names: tuple[str, ...] = ()) -> list[list[str]]:
    """The reply's words after masking, sentence by sentence; `names` are the customer's and agent's names.

    Greetings and closings are cut wherever a sentence starts or ends with one, so moving "Hi there!" or
    "Have a great day." to another place does not make a reply different.
    """
    return [words for sentence in sentences(masked(text, names)) if (words := _words(_courtesy_cut(sentence.text)))]


def tokens(text: str, names: tuple[str, ...] = ()) -> list[str]:
    """The reply's words after masking, in order."""
    return [word for words in sentence_words(text, names) for word in words]


def shingles(words: list[str]) -> set[str]:
    """Word pairs (single words for a one-word reply): what a macro and a draft are compared on."""
    if len(words) < 2:
        return set(words)
    return {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
