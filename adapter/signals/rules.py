"""Editable rules: phrases and patterns per signal type, scored over a message's sentences (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

from adapter.errors import ApiError
from adapter.text import Sentence
from adapter.text import sentences

MAX_PATTERN = 200
# Nested quantifiers such as (a+)+ backtrack catastrophically; refuse them in admin patterns.
_NESTED_QUANTIFIER = re.compile(r"\([^)]*[+*][^)]*\)[+*{]")

# Built-in defaults: (phrase or pattern, weight). Phrases match whole words, case-insensitively.
DEFAULT_PHRASES: dict[str, list[tuple[str, float]]] = {
    "bug": [
        ("doesn't work", 0.7), ("does not work", 0.7), ("not working", 0.7), ("stopped working", 0.8),
        ("isn't working", 0.7), ("broken", 0.6), ("bug", 0.6), ("crash", 0.7), ("crashes", 0.8),
        ("crashed", 0.8), ("crashing", 0.8), ("error", 0.5), ("fails", 0.6), ("failed", 0.5),
        ("failing", 0.6), ("times out", 0.7), ("timed out", 0.7), ("timeout", 0.6), ("won't load", 0.7),
        ("doesn't load", 0.7), ("blank page", 0.7), ("freezes", 0.7), ("stuck", 0.4), ("glitch", 0.6),
        ("wrong total", 0.6), ("keeps spinning", 0.6), ("spins", 0.4), ("can't log in", 0.6),
        ("cannot log in", 0.6), ("exception", 0.5), ("never arrives", 0.5), ("never arrived", 0.6),
        ("didn't arrive", 0.6), ("not receiving", 0.5), ("charged twice", 0.6), ("double charged", 0.6),
        ("no longer", 0.4), ("still broken", 0.8), ("still failing", 0.8),
    ],
    "feature_request": [
        ("would love", 0.7), ("would be great", 0.7), ("would be nice", 0.7), ("it would be helpful", 0.7),
        ("wish", 0.6), ("feature request", 0.9), ("please add", 0.8), ("can you add", 0.8),
        ("could you add", 0.8), ("any plans to", 0.8), ("plans to support", 0.8), ("is it possible to", 0.5),
        ("ability to", 0.6), ("option to", 0.5), ("i'd like to be able", 0.7), ("i would like to be able", 0.7),
        ("support for", 0.4), ("integration with", 0.5), ("would like to see", 0.7), ("missing feature", 0.8),
        ("should have", 0.4), ("add an option", 0.8), ("let us", 0.3), ("instead of a fixed", 0.5),
    ],
    "ux_friction": [
        ("confusing", 0.8), ("hard to find", 0.8), ("can't find", 0.6), ("cannot find", 0.6),
        ("couldn't find", 0.6), ("not intuitive", 0.8), ("unintuitive", 0.8), ("unclear", 0.6),
        ("too many clicks", 0.8), ("clunky", 0.8), ("tedious", 0.7), ("frustrating", 0.6),
        ("took me", 0.5), ("hard to use", 0.8), ("difficult to use", 0.8), ("by hand", 0.4),
        ("where do i", 0.5), ("hidden", 0.4), ("cluttered", 0.7), ("annoying", 0.5), ("slow", 0.4),
    ],
    "docs_gap": [
        ("documentation", 0.6), ("the docs", 0.6), ("docs say", 0.7), ("not documented", 0.9),
        ("undocumented", 0.9), ("documented anywhere", 0.9), ("help article", 0.6), ("is there a guide", 0.8),
        ("is there a tutorial", 0.8), ("how do i", 0.4), ("how can i", 0.4), ("which parameter", 0.6),
        ("what parameter", 0.6), ("api reference", 0.7), ("the manual", 0.5), ("example of how", 0.6),
    ],
    "churn_risk": [
        ("cancel", 0.6), ("cancel our", 0.8), ("cancelling", 0.8), ("canceling", 0.8), ("cancellation", 0.7),
        ("switch to", 0.6), ("switching to", 0.7), ("moving to", 0.6), ("look at moving", 0.8),
        ("alternatives", 0.6), ("not renew", 0.9), ("won't renew", 0.9), ("not renewing", 0.9),
        ("close our account", 0.9), ("close my account", 0.9), ("unacceptable", 0.6), ("last straw", 0.9),
        ("fed up", 0.7), ("considering other", 0.8), ("downgrade", 0.6), ("leaving", 0.4),
        ("waste of money", 0.8), ("refund and", 0.4), ("if we can't", 0.4), ("we'll have to", 0.4),
    ],
    "praise": [
        ("thank you", 0.5), ("thanks so much", 0.6), ("love the", 0.7), ("i love", 0.7), ("great job", 0.8),
        ("fantastic", 0.8), ("amazing", 0.7), ("awesome", 0.7), ("excellent", 0.7), ("saved me", 0.7),
        ("well done", 0.7), ("made my day", 0.8), ("exactly what we needed", 0.8), ("works great", 0.8),
        ("really helpful", 0.6), ("best", 0.3), ("great", 0.3),
    ],
    "competitor": [
        ("competitor", 0.6), ("compared to", 0.3), ("other tools", 0.4),
    ],
}
DEFAULT_PATTERNS: dict[str, list[tuple[str, float]]] = {
    "bug": [
        (r"\b(?:error|err|code)\s*[:#]?\s*[A-Z]{0,8}-?\d{2,5}\b", 0.6),
        (r"\b(?:HTTP\s*)?(?:500|502|503|504)\b", 0.6),
    ],
    "churn_risk": [(r"\b(?:cancel|leave|switch|move)\b.{0,40}\b(?:unless|if you don't|if this isn't)\b", 0.8)],
}


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> tuple[str, ...]:
    """Lower-case words of a text, with curly apostrophes made straight ("doesn’t" -> "doesn't")."""
    return tuple(_WORD.findall(text.lower().replace("\u2019", "'")))


@dataclass(frozen=True)
class Rule:
    """One regular-expression pattern that hints at a signal type."""

    type_key: str
    pattern: re.Pattern
    weight: float
    source: str


@dataclass
class RuleSet:
    """Compiled rules of an installation, ready to score messages.

    Phrases are word sequences looked up by n-gram in a dict, so how many there are barely
    matters; only true patterns go through the regular-expression engine.
    """

    phrases: dict[tuple[str, ...], list[tuple[str, float]]] = field(default_factory=dict)
    patterns: list[Rule] = field(default_factory=list)
    longest: int = 0

    def types(self) -> set[str]:
        """Signal types that have at least one rule."""
        return {t for hits in self.phrases.values() for t, _ in hits} | {r.type_key for r in self.patterns}


@dataclass(frozen=True)
class RuleScore:
    """How strongly the rules point at one type, and the sentences that carry it."""

    score: float
    sentences: tuple[Sentence, ...]


def validate_pattern(pattern: str) -> re.Pattern:
    """Compile an admin's pattern, refusing ones that are too long, invalid or prone to runaway backtracking.

    :raise ApiError: 400 with the reason.
    """
    if len(pattern) > MAX_PATTERN:
        raise ApiError(400, "invalid_pattern", f"Patterns are limited to {MAX_PATTERN} characters.")
    if _NESTED_QUANTIFIER.search(pattern):
        raise ApiError(400, "invalid_pattern", f"{pattern!r} nests repetition (like (a+)+), which can hang; simplify it.")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ApiError(400, "invalid_pattern", f"{pattern!r} is not a valid regular expression: {exc}.") from None


def compile_rules(
    phrases: dict[str, Iterable[tuple[str, float]]],
    patterns: dict[str, Iterable[tuple[str, float]]] | None = None,
    competitors: Iterable[str] = (),
) -> RuleSet:
    """Compile phrases, patterns and competitor names (each a strong competitor hint) into a RuleSet."""
    ruleset = RuleSet()

    def add_phrase(type_key: str, phrase: str, weight: float) -> None:
        key = words(phrase)
        if key:
            ruleset.phrases.setdefault(key, []).append((type_key, float(weight)))
            ruleset.longest = max(ruleset.longest, len(key))

    for type_key, items in phrases.items():
        for phrase, weight in items:
            add_phrase(type_key, phrase, weight)
    for type_key, items in (patterns or {}).items():
        for pattern, weight in items:
            ruleset.patterns.append(Rule(type_key, validate_pattern(pattern), float(weight), pattern))
    for name in competitors:
        add_phrase("competitor", name, 0.9)
    return ruleset


def default_rules(competitors: Iterable[str] = ()) -> RuleSet:
    """The built-in rules, with the installation's competitor names."""
    return compile_rules(DEFAULT_PHRASES, DEFAULT_PATTERNS, competitors)


def _hits(sentence: str, ruleset: RuleSet) -> list[tuple[str, float]]:
    """(type, weight) of every phrase and pattern found in a sentence; each phrase counts once."""
    tokens = words(sentence)
    found: dict[tuple[str, ...], list[tuple[str, float]]] = {}
    for size in range(1, min(ruleset.longest, len(tokens)) + 1):
        for start in range(len(tokens) - size + 1):
            key = tokens[start:start + size]
            if key in ruleset.phrases:
                found[key] = ruleset.phrases[key]
    hits = [hit for items in found.values() for hit in items]
    hits += [(rule.type_key, rule.weight) for rule in ruleset.patterns if rule.pattern.search(sentence)]
    return hits


def score(text: str, ruleset: RuleSet, *, max_quote_sentences: int = 2) -> dict[str, RuleScore]:
    """Noisy-OR of matched rule weights per type, with the best-matching sentences as the quote."""
    per_type: dict[str, dict[int, float]] = {}
    all_sentences = sentences(text)
    for index, sentence in enumerate(all_sentences):
        for type_key, weight in _hits(sentence.text, ruleset):
            weights = per_type.setdefault(type_key, {})
            weights[index] = 1 - (1 - weights.get(index, 0.0)) * (1 - weight)
    result = {}
    for type_key, by_sentence in per_type.items():
        miss = 1.0
        for weight in by_sentence.values():
            miss *= 1 - weight
        best = sorted(by_sentence, key=lambda i: (-by_sentence[i], i))[:max_quote_sentences]
        result[type_key] = RuleScore(min(1 - miss, 0.99), tuple(all_sentences[i] for i in sorted(best)))
    return result
