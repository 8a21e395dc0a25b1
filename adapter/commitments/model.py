"""The learned layer: a logistic regression over the rules' cues and word n-grams, shipped as plain weights (pure).

Trained by `python -m adapter.commitments.train` on replies the team wrote and labelled plus Apache-2.0
data (adapter/commitments/data/README.md); scoring is a sum of weights, so every decision can name the
phrases that carried it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from adapter.commitments.cues import cues
from adapter.commitments.cues import vetoed
from adapter.commitments.cues import words

MODEL_PATH = Path(__file__).parent / "data" / "promise_model.json"


def features(sentence: str) -> set[str]:
    """Everything the model looks at in one sentence: rule cues ("c:…") and word n-grams ("w:…")."""
    return {f"c:{name}" for name in cues(sentence)} | words(sentence)


@dataclass(frozen=True)
class PromiseModel:
    """Weights per feature, a bias, and the probability from which a sentence counts as a promise."""

    weights: dict[str, float]
    bias: float
    threshold: float

    def margin(self, found: set[str]) -> float:
        """The log-odds that a sentence with these features promises a follow-up."""
        return self.bias + sum(self.weights.get(name, 0.0) for name in found)

    def score(self, sentence: str) -> float:
        """The probability that `sentence` promises a follow-up (0 when the rules rule it out)."""
        found = features(sentence)
        if vetoed({name[2:] for name in found if name.startswith("c:")}):
            return 0.0
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.margin(found)))))

    def reasons(self, sentence: str, count: int = 4) -> list[str]:
        """The features that pushed hardest towards a promise, strongest first."""
        found = [(self.weights.get(name, 0.0), name) for name in features(sentence)]
        return [name for weight, name in sorted(found, reverse=True)[:count] if weight > 0]

    def to_json(self) -> str:
        """The model as stable, diffable JSON (features sorted, weights rounded)."""
        weights = {name: round(weight, 5) for name, weight in sorted(self.weights.items()) if abs(weight) >= 1e-5}
        return json.dumps({"format": 1, "bias": round(self.bias, 5), "threshold": round(self.threshold, 4),
                           "weights": weights}, indent=0, sort_keys=False) + "\n"


@cache
def shipped() -> PromiseModel:
    """The model committed with the package."""
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return PromiseModel(weights=data["weights"], bias=data["bias"], threshold=data["threshold"])
