"""Classifying a batch of messages for evaluation: one result per line, with the labels above the threshold."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from adapter.models import Installation
from adapter.signals import blend
from adapter.signals import classify
from adapter.signals import rules
from adapter.signals import service
from adapter.signals import taxonomy
from adapter.signals.taxonomy import DEFAULT_TYPES


@dataclass
class Classifier:
    """What scores a line: the rules, the model, the types it may label and the score a label needs."""

    ruleset: object
    scorer: object
    types: list[str]
    threshold: float


def default_classifier(competitors: tuple[str, ...], scorer=None, threshold: float = 0.5) -> Classifier:
    """The built-in rules and types with the given model (the shipped blend when None)."""
    return Classifier(rules.default_rules(competitors), scorer or blend.fresh(), [key for key, *_ in DEFAULT_TYPES],
                      threshold)


def installation_classifier(session: Session, installation: Installation, scorer=None) -> Classifier:
    """The installation's rules, enabled types and threshold, with its current model unless another is given."""
    return Classifier(taxonomy.ruleset_for(session, installation),
                      scorer or service.current_model(session),
                      [t.key for t in taxonomy.ensure_types(session) if t.enabled],
                      taxonomy.settings_of(installation).threshold)


def classify_lines(lines: Iterable[tuple[int, dict | None, str | None]], classifier: Classifier) -> Iterator[dict]:
    """For each (number, item, error) line: {"id","labels","scores"}, or {"id","error"} for a bad line."""
    for _, item, error in lines:
        if error:
            yield {"id": (item or {}).get("id"), "error": error}
            continue
        scores = classify.scores(str(item["text"]), classifier.ruleset, classifier.scorer, classifier.types)
        labels = [k for k, v in sorted(scores.items(), key=lambda kv: -kv[1]) if v >= classifier.threshold]
        yield {"id": item["id"], "labels": labels, "scores": scores}
