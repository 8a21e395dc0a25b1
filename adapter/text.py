"""Pure text helpers shared by the analyses: the message without quoted history, and its sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

# An e-mail reply's quoted history starts at a line like these; everything after it is old text.
_QUOTE_HEADERS = re.compile(
    r"^\s*(?:On .{4,200}wrote:|-{2,}\s*Original Message\s*-{2,}|From:\s.+|Sent from my \w+.*|"
    r"##- Please type your reply above this line -##)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE = re.compile(r"^\s*(?:--|__)\s*$", re.MULTILINE)
_SENTENCE = re.compile(r"[^\s].*?(?:[.!?]+(?=\s|$)|\n|$)", re.DOTALL)
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Sentence:
    """A sentence and where it sits in the (cleaned) message."""

    start: int
    end: int
    text: str


def clean_message(text: str) -> str:
    """The message as its author wrote it this time: no quoted history, no signature, tidy spaces."""
    if not text:
        return ""
    for pattern in (_QUOTE_HEADERS, _SIGNATURE):
        match = pattern.search(text)
        if match and match.start() > 0:
            text = text[: match.start()]
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(_SPACES.sub(" ", line).rstrip() for line in lines).strip()


def sentences(text: str) -> list[Sentence]:
    """Sentences of `text` with their offsets; line breaks end a sentence too."""
    found = []
    for match in _SENTENCE.finditer(text):
        chunk = match.group(0)
        stripped = chunk.strip()
        if len(stripped) < 2:
            continue
        start = match.start() + (len(chunk) - len(chunk.lstrip()))
        found.append(Sentence(start=start, end=start + len(stripped), text=stripped))
    return found


def without_nul(value):
    """`value` (a string, or JSON made of lists and dicts) with NUL characters removed from every string in it."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value
