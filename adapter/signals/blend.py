"""What an installation's suggestions come from: the shipped default model, blended with its own as decisions arrive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from importlib import resources

from adapter.signals import shipped
from adapter.signals.model import TrainedModel

# The installation's own model gets weight n / (n + HALF_WEIGHT) after n examples of its own: a quarter
# after ten decisions, two thirds after sixty, nearly all of it after a tagged history of a few hundred.
HALF_WEIGHT = 30


def own_weight(examples: int) -> float:
    """Share of the installation's own model in the blend after `examples` decisions and tagged tickets."""
    return examples / (examples + HALF_WEIGHT) if examples > 0 else 0.0


def default_thresholds() -> dict[str, float]:
    """Per-type raw score that counts as "as sure as the admin's threshold of 0.5" (chosen on the train split)."""
    path = resources.files("adapter.signals") / "default" / "thresholds.json"
    return {k: float(v) for k, v in json.loads(path.read_text(encoding="utf-8"))["thresholds"].items()}


@dataclass
class Blend:
    """The default model and, once trained, the installation's own, mixed per type by how much the latter has seen."""

    default: TrainedModel
    own: TrainedModel | None = None
    weight: float = 0.0
    thresholds: dict[str, float] = field(default_factory=dict)

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        """Blended probability of each type for each text."""
        base = self.default.predict(texts)
        if self.own is None or self.weight <= 0:
            return base
        mine = self.own.predict(texts)
        blended = []
        for theirs, ours in zip(base, mine, strict=True):
            keys = set(theirs) | set(ours)
            blended.append({k: (1 - self.weight) * theirs.get(k, 0.0) + self.weight * ours.get(k, theirs.get(k, 0.0))
                            for k in keys})
        return blended


def fresh() -> Blend:
    """What a new installation uses: the shipped model alone, with its thresholds."""
    return Blend(default=shipped.default_model(), thresholds=default_thresholds())


def with_own(own: TrainedModel | None) -> Blend:
    """The shipped model blended with an installation's own model."""
    return Blend(default=shipped.default_model(), own=own, weight=own_weight(own.examples) if own else 0.0,
                 thresholds=default_thresholds())
