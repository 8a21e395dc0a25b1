"""The learned layer: TF-IDF features and one logistic regression per signal type (scikit-learn).

Trained per installation from its agents' confirmations (positives) and rejections (negatives).
Backends are pluggable; the default install ships only this one, so it never pulls in PyTorch.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from adapter import clock

MIN_EXAMPLES = 30
MIN_POSITIVES = 5
FORMAT = 1


@dataclass(frozen=True)
class Example:
    """A text with the types an agent confirmed for it and, optionally, the ones they rejected."""

    text: str
    labels: frozenset[str]
    rejected: frozenset[str] = frozenset()


def min_document_frequency(examples: int) -> int:
    """Rare words help small sets (an installation's first decisions) and add noise to large ones."""
    return 1 if examples < 300 else 2 if examples < 2000 else 3


class TfidfBackend:
    """Word 1–2-gram TF-IDF shared by every type; a balanced logistic regression per type.

    C=8 and the document-frequency floor were chosen by 5-fold cross-validation on the NLBSE
    training split (bench/signals.py reports the test split).
    """

    name = "tfidf"

    def __init__(self, c: float = 8.0):
        self.c = c
        self.vectorizer: TfidfVectorizer | None = None
        self.types: list[str] = []
        self.classifiers: dict[str, LogisticRegression] = {}
        self._weights = None
        self._bias = None

    def fit(self, texts: list[str], label_sets: list[frozenset[str]], types: Iterable[str]) -> TfidfBackend:
        """Fit the vectorizer once and one classifier per type with enough positives."""
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode",
                                          min_df=min_document_frequency(len(texts)), max_features=200_000)
        features = self.vectorizer.fit_transform(texts)
        for type_key in types:
            target = np.array([type_key in labels for labels in label_sets])
            if target.sum() < MIN_POSITIVES or target.all():
                continue
            classifier = LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000)
            self.classifiers[type_key] = classifier.fit(features, target)
        self.types = sorted(self.classifiers)
        if self.types:
            # One sparse product scores every type at once (per-type predict_proba costs ~0.3 ms each).
            self._weights = sparse.csr_matrix(np.vstack([self.classifiers[t].coef_[0] for t in self.types]).T)
            self._bias = np.array([self.classifiers[t].intercept_[0] for t in self.types])
        return self

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        """Probability of each trained type for each text."""
        if not texts or not self.types:
            return [{} for _ in texts]
        logits = (self.vectorizer.transform(texts) @ self._weights).toarray() + self._bias
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        return [dict(zip(self.types, map(float, row), strict=True)) for row in probabilities]


BACKENDS = {"tfidf": TfidfBackend}


@dataclass
class TrainedModel:
    """A fitted backend and what it was trained on."""

    backend: object
    types: list[str]
    examples: int
    positives: dict[str, int]
    trained_at: datetime = field(default_factory=clock.now)
    format: int = FORMAT

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        """Probability of each trained type for each text."""
        return self.backend.predict(texts)


def enough_data(examples: list[Example]) -> bool:
    """True when at least MIN_EXAMPLES exist and some type has MIN_POSITIVES confirmations."""
    if len(examples) < MIN_EXAMPLES:
        return False
    counts: dict[str, int] = {}
    for example in examples:
        for label in example.labels:
            counts[label] = counts.get(label, 0) + 1
    return any(count >= MIN_POSITIVES for count in counts.values())


def train(examples: list[Example], *, backend: str = "tfidf", **options) -> TrainedModel | None:
    """Fit a model, or None when there is not enough data yet.

    A rejected type counts as a negative for that text; every other type it was not confirmed for
    does too, since the agent saw the message and did not tag it so.
    """
    if not enough_data(examples):
        return None
    texts = [e.text for e in examples]
    label_sets = [e.labels for e in examples]
    types = sorted({label for labels in label_sets for label in labels})
    fitted = BACKENDS[backend](**options).fit(texts, label_sets, types)
    positives = {t: sum(t in labels for labels in label_sets) for t in types}
    return TrainedModel(backend=fitted, types=sorted(fitted.classifiers), examples=len(examples), positives=positives)


def dumps(model: TrainedModel) -> bytes:
    """Serialise a model for the database (only models this service trained are ever loaded)."""
    return pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


def loads(blob: bytes) -> TrainedModel:
    """Load a model written by `dumps`."""
    model = pickle.loads(blob)  # noqa: S301  (our own blob from our own database)
    if not isinstance(model, TrainedModel) or model.format != FORMAT:
        raise ValueError("not a Valuedesk signal model of this version")
    return model
