"""What the customer's last message asks for, and which of it a draft reply leaves untouched (pure).

An ask is a question, an error code or a reference number (order, invoice, booking…). A draft
touches an ask when it repeats the code or number, or shares a content word with the sentence
that carries it ("export" answers "Export failed (504)"). The test is deliberately lenient: the
warning is for replies that ignore the message, not for replies that paraphrase it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapter.text import clean_message
from adapter.text import sentences

MAX_SHOWN = 3
MAX_QUOTE = 140

STOPWORDS = frozenset(["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "anyone", "anything", "are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down", "during", "each", "either", "else", "even", "ever", "every", "few", "for", "from", "further", "get", "gets", "getting", "got", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "just", "know", "let", "like", "make", "makes", "me", "might", "mine", "more", "most", "much", "must", "my", "myself", "need", "needs", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "please", "really", "same", "see", "seem", "seems", "she", "should", "shouldn't", "so", "some", "something", "still", "such", "sure", "than", "thank", "thanks", "that", "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they're", "this", "those", "through", "to", "too", "try", "trying", "tried", "under", "until", "up", "us", "use", "used", "using", "very", "want", "wanted", "was", "wasn't", "way", "we", "we'd", "we'll", "we're", "we've", "were", "weren't", "what", "what's", "when", "where", "which", "while", "who", "why", "will", "with", "within", "without", "won't", "would", "wouldn't", "yes", "yet", "you", "you'd", "you'll", "you're", "you've", "your", "yours", "yourself", "hello", "hi", "hey", "dear", "help", "issue", "problem", "question", "questions", "time", "times", "today", "tomorrow", "yesterday", "week", "day", "days", "month", "again", "able", "keep", "kind", "kindly", "thing", "things", "lot", "many", "possible", "via", "per", "new", "now", "back", "ok", "okay", "great", "good", "well", "since", "soon", "anymore", "already", "always", "never", "someone", "somebody", "everything"])

QUESTION_START = re.compile(r"^(?:how|why|what|when|where|which|who|is there|are there|can i|can we|can you|could you|"
                            r"could i|do you|does|do i|will|would it|should i|is it|are you|any (?:idea|way|update))\b",
                            re.IGNORECASE)
CODE = re.compile(r"\b(?:error|err|code|status|failed|failure|exception)\b[\s:#(\"'“]*(?:code[\s:#]*)?"
                  r"(?P<id>[a-z]{0,5}[-_]?\d[\w.-]{0,11}\w)", re.IGNORECASE)
HEX = re.compile(r"\b(?P<id>0x[0-9a-f]{4,})\b", re.IGNORECASE)
REFERENCE = re.compile(r"\b(?P<noun>order|invoice|booking|reservation|confirmation|reference|ref|case|tracking|"
                       r"receipt|transaction|ticket|subscription)\s*(?:number|no\.?|num|id|code|#)?\s*[:#]?\s*"
                       r"(?P<id>[a-z0-9][a-z0-9-]*\d[a-z0-9-]*)\b", re.IGNORECASE)
HASH_ID = re.compile(r"(?<![\w&])#(?P<id>\d{3,})\b")
WORD = re.compile(r"[a-z][a-z'’]+")


@dataclass(frozen=True)
class Ask:
    """Something the customer asked or referred to, how to show it, and the words that would touch it."""

    kind: str  # question | code | reference
    label: str
    terms: frozenset[str]
    ids: frozenset[str] = frozenset()


def stem(word: str) -> str:
    """A crude stem so that "exports", "exporting" and "export" meet: no plural s, at most five letters."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:5]


def content_stems(text: str, exclude: frozenset[str] = frozenset()) -> frozenset[str]:
    """Stems of the words that carry meaning (no stop words, no names to exclude)."""
    return frozenset(stem(w) for w in WORD.findall(text.lower())
                     if w.replace("’", "'") not in STOPWORDS and w not in exclude and len(w) >= 3)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 1].rstrip() + "…"


def asks_in(message: str, names: tuple[str, ...] = ()) -> list[Ask]:
    """Questions, error codes and reference numbers in the customer's message, in order.

    A question that carries a code or number is one ask, shown as the question.
    """
    exclude = frozenset(part.lower() for name in names if name for part in name.split())
    found: list[Ask] = []
    seen_ids: set[str] = set()
    for sentence in sentences(clean_message(message or "")):
        text = sentence.text
        terms = content_stems(text, exclude)
        items = []
        for pattern, kind in ((CODE, "code"), (HEX, "code"), (REFERENCE, "reference"), (HASH_ID, "reference")):
            for match in pattern.finditer(text):
                ident = match.group("id").lower()
                if ident in seen_ids:
                    continue
                seen_ids.add(ident)
                noun = match.groupdict().get("noun")
                label = f"error {match.group('id')}" if kind == "code" else f"{(noun or 'reference').lower()} {match.group('id')}"
                items.append(Ask(kind, label, terms | ({stem(noun)} if noun else frozenset()), frozenset({ident})))
        if text.rstrip().endswith("?") or QUESTION_START.match(text):
            ids = frozenset(i for item in items for i in item.ids)
            nouns = frozenset(t for item in items for t in item.terms)
            if terms or ids:
                found.append(Ask("question", f"\u201c{_quote(text)}\u201d", terms | nouns, ids))
        else:
            found.extend(items)
    return found


def untouched(asks: list[Ask], draft: str) -> list[Ask]:
    """The asks the draft neither names nor shares a content word with."""
    lowered = (draft or "").lower()
    draft_terms = content_stems(lowered)
    return [ask for ask in asks
            if not (ask.terms & draft_terms) and not any(re.search(rf"(?<!\w){re.escape(i)}(?!\w)", lowered)
                                                         for i in ask.ids)]
