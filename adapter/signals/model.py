"""The learned layer: word and character TF-IDF features and one logistic regression per signal type (scikit-learn).

Two kinds of model use it: the default model shipped with the package (`adapter.signals.shipped`), trained
on examples the team wrote, and each installation's own, trained from its agents' decisions and tagged
history together with the shipped examples. Backends are pluggable; the default install never pulls in PyTorch.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from adapter import clock

MIN_EXAMPLES = 10
MIN_POSITIVES = 3
FORMAT = 2
MAX_CHARS = 3000  # the model reads the start of very long messages; the rules read all of it

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_PLACEHOLDER = re.compile(r"__\w+__")
_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """Text as the model reads it: links, @handles, dataset placeholders and digits masked, lower case."""
    text = _URL.sub(" weblink ", text)
    text = _PLACEHOLDER.sub(" ", text)
    text = _HANDLE.sub(" athandle ", text)
    text = _DIGITS.sub("0", text.replace("\u2019", "'"))
    return text.lower()


@dataclass(frozen=True)
class Example:
    """A text with the types an agent confirmed for it and, optionally, the ones they rejected."""

    text: str
    labels: frozenset[str]
    rejected: frozenset[str] = frozenset()
    weight: float = 1.0


def min_document_frequency(examples: int) -> int:
    """Rare words help small sets (an installation's first decisions) and add noise to large ones."""
    return 1 if examples < 3000 else 2


class TfidfBackend:
    """Word 1–2-gram and character 2–5-gram TF-IDF shared by every type; a balanced logistic regression per type.

    Character n-grams carry misspellings ("awsome", "crashs") that real customers write and written
    examples do not. C and the features were chosen by cross-validation on the labelled train split.
    """

    name = "tfidf"

    def __init__(self, c: float = 4.0, chars: bool = True):
        self.c = c
        self.chars = chars
        self.vectorizers: list[TfidfVectorizer] = []
        self.types: list[str] = []
        self._weights = None
        self._bias = None
        self._dense = None
        self._lookup = None

    def fit(self, texts: list[str], label_sets: list[frozenset[str]], types: Iterable[str],
            weights: list[float] | None = None, progress: Callable[[str], None] = lambda step: None) -> TfidfBackend:
        """Fit the vectorizers once and one classifier per type with enough positives."""
        floor = min_document_frequency(len(texts))
        self.vectorizers = [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode",
                                            min_df=floor, max_features=100_000, token_pattern=r"(?u)\b\w[\w']*\b")]
        if self.chars:
            self.vectorizers.append(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                                    strip_accents="unicode", min_df=floor, max_features=100_000))
        normalised = [normalise(t[:MAX_CHARS]) for t in texts]
        features = sparse.hstack([v.fit_transform(normalised) for v in self.vectorizers]).tocsr()
        sample_weight = np.array(weights if weights is not None else [1.0] * len(texts))
        columns, biases = [], []
        for type_key in types:
            target = np.array([type_key in labels for labels in label_sets])
            if target.sum() < MIN_POSITIVES or target.all():
                continue
            classifier = LogisticRegression(C=self.c, class_weight="balanced", max_iter=3000)
            classifier.fit(features, target, sample_weight=sample_weight)
            progress(type_key)
            self.types.append(type_key)
            columns.append(classifier.coef_[0])
            biases.append(classifier.intercept_[0])
        if self.types:
            # One sparse product scores every type at once (per-type predict_proba costs ~0.3 ms each).
            self._weights = sparse.csr_matrix(np.vstack(columns).T)
            self._bias = np.array(biases)
        return self

    def logits(self, texts: list[str]) -> np.ndarray:
        """Raw scores, one row per text and one column per type of `self.types`.

        Computed by hand from the fitted vocabularies: the same numbers as the vectorizers' transform, without
        scikit-learn's per-call validation, which costs more than the arithmetic for one short message.
        """
        if self._dense is None:
            self._dense = self._weights.toarray()
            self._lookup = [(v.build_analyzer(), v.vocabulary_, v.idf_) for v in self.vectorizers]
        rows = np.empty((len(texts), len(self.types)))
        for row, text in enumerate(texts):
            normalised, total, offset = normalise(text[:MAX_CHARS]), self._bias.copy(), 0
            for analyze, vocabulary, idf in self._lookup:
                counts: dict[int, int] = {}
                for term in analyze(normalised):
                    index = vocabulary.get(term)
                    if index is not None:
                        counts[index] = counts.get(index, 0) + 1
                if counts:
                    indices = np.fromiter(counts, dtype=np.int64, count=len(counts))
                    values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[indices]
                    values /= np.sqrt(values @ values)
                    total += values @ self._dense[indices + offset]
                offset += len(vocabulary)
            rows[row] = total
        return rows

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        """Probability of each trained type for each text."""
        if not texts or not self.types:
            return [{} for _ in texts]
        probabilities = 1.0 / (1.0 + np.exp(-self.logits(texts)))
        return [dict(zip(self.types, map(float, row), strict=True)) for row in probabilities]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Everything needed to score, as plain arrays (no pickle), for the model shipped in the package."""
        arrays = {"types": np.array(self.types), "weights": self._weights.toarray().astype(np.float32),
                  "bias": self._bias, "c": np.array([self.c]), "chars": np.array([self.chars])}
        for index, vectorizer in enumerate(self.vectorizers):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
            arrays[f"terms{index}"] = np.array(terms)
            arrays[f"idf{index}"] = vectorizer.idf_
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> TfidfBackend:
        """Rebuild a backend written by `to_arrays`."""
        backend = cls(c=float(arrays["c"][0]), chars=bool(arrays["chars"][0]))
        for index in range(2 if backend.chars else 1):
            if index == 0:
                vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode",
                                             token_pattern=r"(?u)\b\w[\w']*\b")
            else:
                vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                             strip_accents="unicode")
            vectorizer.vocabulary_ = {str(term): i for i, term in enumerate(arrays[f"terms{index}"])}
            vectorizer.idf_ = arrays[f"idf{index}"]
            backend.vectorizers.append(vectorizer)
        backend.types = [str(t) for t in arrays["types"]]
        backend._weights = sparse.csr_matrix(arrays["weights"].astype(np.float64))
        backend._bias = np.asarray(arrays["bias"], dtype=np.float64)
        return backend


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


def train(examples: list[Example], *, backend: str = "tfidf", base: list[Example] = (),
          progress: Callable[[str], None] = lambda step: None, **options) -> TrainedModel | None:
    """Fit a model, or None when there is not enough data yet.

    `base` examples (the shipped ones) are added to the installation's own, which keeps a model trained
    on a few decisions from forgetting what the default model knows. A type the agent did not confirm
    counts as a negative for that text, since the agent saw the message and did not tag it so.
    """
    if not enough_data(examples):
        return None
    everything = [*examples, *base]
    texts = [e.text for e in everything]
    label_sets = [e.labels for e in everything]
    types = sorted({label for labels in label_sets for label in labels})
    fitted = BACKENDS[backend](**options).fit(texts, label_sets, types, weights=[e.weight for e in everything],
                                              progress=progress)
    positives = {t: sum(t in e.labels for e in examples) for t in types}
    return TrainedModel(backend=fitted, types=list(fitted.types), examples=len(examples), positives=positives)


def dumps(model: TrainedModel) -> bytes:
    """Serialise a model for the database (only models this service trained are ever loaded)."""
    return pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


def loads(blob: bytes) -> TrainedModel:
    """Load a model written by `dumps`."""
    model = pickle.loads(blob)  # noqa: S301  (our own blob from our own database)
    if not isinstance(model, TrainedModel) or model.format != FORMAT:
        raise ValueError("not a Valuedesk signal model of this version")
    return model
