"""Score a customer message for every signal type and keep the sentences that carry each signal (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from adapter.signals import rules
from adapter.text import clean_message
from adapter.text import sentences

DEFAULT_THRESHOLD = 0.5
MAX_QUOTE_CANDIDATES = 12  # sentences the model reads to pick a quote (long reviews would cost too much)


@dataclass(frozen=True)
class Suggestion:
    """A signal type suggested for a message, with the customer's own words that carry it."""

    type_key: str
    score: float
    quote: str
    source: str


def calibrated(score: float, threshold: float | None) -> float:
    """Stretch a raw score so that the type's chosen `threshold` reads 0.5 (the admin's default), monotonically."""
    if not threshold or threshold == DEFAULT_THRESHOLD:
        return score
    if score < threshold:
        return DEFAULT_THRESHOLD * score / threshold
    return DEFAULT_THRESHOLD + (1 - DEFAULT_THRESHOLD) * (score - threshold) / (1 - threshold)


def combined(rule_score: float, model_score: float, threshold: float | None = None) -> float:
    """Rules and model as independent evidence (noisy-OR), calibrated for the type."""
    return round(calibrated(1 - (1 - rule_score) * (1 - model_score), threshold), 4)


def scores(text: str, ruleset: rules.RuleSet, model=None, types: Iterable[str] | None = None) -> dict[str, float]:
    """Score of every type for the message: rules and model combined."""
    cleaned = clean_message(text)
    by_rule = rules.score(cleaned, ruleset)
    by_model = model.predict([cleaned])[0] if model and cleaned else {}
    thresholds = getattr(model, "thresholds", {})
    keys = set(types) if types is not None else set(by_rule) | set(by_model) | ruleset.types()
    return {key: combined(by_rule[key].score if key in by_rule else 0.0, by_model.get(key, 0.0), thresholds.get(key))
            for key in sorted(keys)}


def classify(
    text: str,
    ruleset: rules.RuleSet,
    model=None,
    *,
    types: Iterable[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Suggestion]:
    """Suggestions at or above `threshold`, strongest first, each with its verbatim quote.

    `model` is anything with `predict(texts)`: a trained model or a `Blend` (which also carries per-type thresholds).
    """
    cleaned = clean_message(text)
    if not cleaned:
        return []
    allowed = set(types) if types is not None else None
    by_rule = rules.score(cleaned, ruleset)
    thresholds = getattr(model, "thresholds", {})
    by_model = model.predict([cleaned])[0] if model else {}
    parts, by_sentence = [], None
    found = []
    for key in sorted(set(by_rule) | set(by_model)):
        if allowed is not None and key not in allowed:
            continue
        rule = by_rule.get(key)
        rule_score = rule.score if rule else 0.0
        model_score = by_model.get(key, 0.0)
        score = combined(rule_score, model_score, thresholds.get(key))
        if score < threshold:
            continue
        if rule and rule_score >= model_score:
            quote = " ".join(s.text for s in rule.sentences)
            source = "both" if combined(0.0, model_score, thresholds.get(key)) >= threshold else "rules"
        else:
            if by_sentence is None:  # only when the model carries a suggestion: its sentences pick the quote
                parts = sentences(cleaned)[:MAX_QUOTE_CANDIDATES]
                by_sentence = model.predict([p.text for p in parts]) if len(parts) > 1 else [by_model] * len(parts)
            best = max(range(len(parts)), key=lambda i: by_sentence[i].get(key, 0.0)) if parts else None
            quote, source = (parts[best].text if best is not None else cleaned[:300]), "model"
        found.append(Suggestion(type_key=key, score=round(score, 4), quote=quote, source=source))
    return sorted(found, key=lambda s: (-s.score, s.type_key))
