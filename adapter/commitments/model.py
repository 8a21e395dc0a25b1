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
from functools import lru_cache
from pathlib import Path

from adapter.commitments.cues import cues
from adapter.commitments.cues import prepare
from adapter.commitments.cues import vetoed
from adapter.commitments.cues import words

MODEL_PATH = Path(__file__).parent / "data" / "promise_model.json"


@lru_cache(maxsize=4096)
def features(sentence: str) -> frozenset[str]:
    """Everything the model looks at in one sentence: rule cues ("c:…") and word n-grams ("w:…")."""
    return frozenset({f"c:{name}" for name in cues(sentence) if not name.startswith("_")} | words(sentence))


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
        if vetoed(cues(sentence)):
            return 0.0
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.margin(features(sentence))))))

    def reasons(self, sentence: str, count: int = 4) -> list[str]:
        """The features that pushed hardest towards a promise, strongest first."""
        found = [(self.weights.get(name, 0.0), name) for name in features(sentence)]
        return [name for weight, name in sorted(found, reverse=True)[:count] if weight > 0]

    def to_json(self, data_digest: str = "") -> str:
        """The model as stable, diffable JSON: one feature a line, sorted, with the digest of the data it came from."""
        lines = [f"{json.dumps(name)}: {weight}" for name, weight in sorted(self.weights.items())]
        header = {"format": 1, "data_sha256": data_digest, "bias": self.bias, "threshold": self.threshold}
        return json.dumps(header)[:-1] + ', "weights": {\n' + ",\n".join(lines) + "\n}}\n"


def clear_caches() -> None:
    """Forget the per-sentence caches (for timing detection on text it has not seen)."""
    for cached in (features, cues, prepare):
        cached.cache_clear()


@cache
def shipped() -> PromiseModel:
    """The model committed with the package."""
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return PromiseModel(weights=data["weights"], bias=data["bias"], threshold=data["threshold"])
