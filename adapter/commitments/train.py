"""Rebuild the shipped promise model from the labelled sentences in adapter/commitments/data (deterministic).

Only text the project may ship trains it: replies the team wrote and labelled (`replies.csv`), agent replies
from IBM's Twitter customer-care set (Apache-2.0, handles and links masked) and request sentences from
Parakweet's email-intent set (Apache-2.0) as negatives; see data/README.md. Choices (C, the threshold, the
weight of each source) were tuned on the train split of bench/labels/promises.csv, whose TWCS-derived
texts never enter the model.

Run: .venv/bin/python -m adapter.commitments.train            (rebuild data/promise_model.json)
     .venv/bin/python -m adapter.commitments.train --public ../shared/data   (re-extract the public sets first)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from adapter.commitments.detect import reply_sentences
from adapter.commitments.model import MODEL_PATH
from adapter.commitments.model import PromiseModel
from adapter.commitments.model import features

DATA = Path(__file__).parent / "data"
C = 3.0
THRESHOLD = 0.5
MIN_COUNT = 2
WORD_VALUE = 1.0
MIN_WEIGHT = 0.01  # smaller weights change no decision worth keeping; leaving them out halves the file  # word n-grams count for less than rule cues: the same L2 penalty then holds them back more
TRAINING_FILES = ("replies.csv", "ibm_twitter_docpred.csv", "email_intent.csv")
SOURCE_WEIGHTS = {"written": 1.0, "ibm_twitter_docpred": 1.0, "email_intent_parakweet": 0.5}


@dataclass(frozen=True)
class Example:
    """One sentence, whether it carries a promise, and where it came from."""

    sentence: str
    promise: bool
    source: str


def _read(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reply_examples(rows: list[dict], source: str) -> list[Example]:
    """Sentence examples from labelled replies: a promise's carrier sentences are positive, the rest negative."""
    examples = []
    for row in rows:
        parts = reply_sentences(row["text"])
        carriers = {part.strip() for part in row.get("carrier", "").split("||") if part.strip()}
        if row["promise"] == "1" and not carriers:
            if len(parts) != 1:
                raise ValueError(f"{source}: a promise of {len(parts)} sentences needs its carrier: {row['text']!r}")
            carriers = {parts[0]}
        missing = carriers - set(parts)
        if missing:
            raise ValueError(f"{source}: carrier {missing} is not one of the sentences of {row['text']!r}")
        examples += [Example(part, row["promise"] == "1" and part in carriers, source) for part in parts]
    return examples


def examples() -> list[Example]:
    """Every training sentence, in a fixed order."""
    found = reply_examples(_read("replies.csv"), "written")
    found += reply_examples(_read("ibm_twitter_docpred.csv"), "ibm_twitter_docpred")
    found += [Example(row["text"], False, "email_intent_parakweet") for row in _read("email_intent.csv")]
    return found


def fit(training: list[Example], c: float = C, threshold: float = THRESHOLD,
        weights: dict[str, float] | None = None, word_value: float = WORD_VALUE) -> PromiseModel:
    """A balanced L2 logistic regression over cues and word n-grams seen at least MIN_COUNT times."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    weights = weights or SOURCE_WEIGHTS
    found = [features(example.sentence) for example in training]
    counts = Counter(name for names in found for name in names)
    kept = [{name: 1.0 if name.startswith("c:") else word_value for name in names
             if name.startswith("c:") or counts[name] >= MIN_COUNT} for names in found]
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(kept)
    labels = [int(example.promise) for example in training]
    classifier = LogisticRegression(C=c, class_weight="balanced", solver="lbfgs", max_iter=5000)
    classifier.fit(matrix, labels, sample_weight=[weights[example.source] for example in training])
    names = vectorizer.get_feature_names_out()
    # Scaled back so that scoring is a plain sum of the weights of the features present.
    scaled = {str(name): float(weight) * (1.0 if name.startswith("c:") else word_value)
              for name, weight in zip(names, classifier.coef_[0], strict=True)}
    return PromiseModel(weights={name: round(weight, 4) for name, weight in scaled.items() if abs(weight) >= MIN_WEIGHT},
                        bias=round(float(classifier.intercept_[0]), 4), threshold=threshold)


def data_digest() -> str:
    """A digest of the training files, written into the model so a test can tell when it is out of date."""
    digest = hashlib.sha256()
    for name in TRAINING_FILES:
        digest.update((DATA / name).read_bytes())
    return digest.hexdigest()


_HANDLE = re.compile(r"@\w+")
_LINK = re.compile(r"https?://\S+|www\.\S+")


def mask(text: str) -> str:
    """A public reply with its handles and links masked."""
    return " ".join(_LINK.sub("https://example.com/link", _HANDLE.sub("@customer", text)).split())


def _key(text: str) -> str:
    """A reply as compared for duplicates: masked, without sign-off, punctuation or case."""
    from adapter.commitments.cues import prepare

    return re.sub(r"[^a-z0-9 ]", "", prepare(mask(text)).replace("@customer", "@user"))


def refresh_public(shared: Path) -> None:
    """Re-extract the Apache-2.0 sets into data/ from the shared data folder (bench/labels holds the labels)."""
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "bench"))
    sys.path.insert(0, str(root / "bench" / "labels"))
    from sample import airline_turns  # bench/labels/sample.py reads ../shared/data
    from sample import ibm_turns

    from adapter.commitments import cues

    turns = {turn["id"]: turn for turn in ibm_turns()}
    with open(root / "bench" / "labels" / "promises.csv", encoding="utf-8", newline="") as handle:
        labelled = [row for row in csv.DictReader(handle) if row["source"] == "ibm_twitter_docpred"]
    # The test part stays unseen: no training text may equal one of its texts once masked.
    held_out = {_key(turns[row["id"]]["text"]) for row in labelled if row["split"] == "test"}
    rows, seen = [], set()
    for row in labelled:
        text = mask(turns[row["id"]]["text"])
        if row["split"] != "train" or _key(text) in held_out or _key(text) in seen:
            continue
        seen.add(_key(text))
        carrier = ""
        if row["promise"] == "1":
            parts = reply_sentences(text)
            strong = [part for part in parts if cues.cues(part) & STRONG_CUES]
            carrier = "||".join(strong) if strong else parts[MANUAL_CARRIERS[row["id"]]]
        rows.append({"id": row["id"], "text": text, "promise": row["promise"], "carrier": carrier})
    _write("ibm_twitter_docpred.csv", ["id", "text", "promise", "carrier"], rows)

    sentences = []
    for line in (shared / "email_intent_parakweet" / "train_Ask0729-fixed.txt").read_text(errors="replace").splitlines():
        intent, _, text = line.partition("\t")
        text = " ".join(text.split())
        # Sentences in which the rules see a commitment are left out rather than guessed at.
        if intent in ("Yes", "No") and 3 <= len(text.split()) <= 60 and not _may_commit(cues.cues(text)):
            sentences.append({"text": text, "intent": intent})
    _write("email_intent.csv", ["text", "intent"], sorted(sentences, key=lambda row: (row["intent"], row["text"])))
    # Our written replies must be our own words: report any that near-copies a TWCS reply (CC BY-NC-SA).
    for sentence, source, similarity in near_copies(_read("replies.csv"), [t["text"] for t in airline_turns()
                                                                            if t["role"] == "rep"]):
        print(f"near-copy ({similarity:.2f}): {sentence!r} ~ {source!r}")


def near_copies(rows: list[dict], public: list[str], least: float = 0.6):
    """Written sentences whose word trigrams overlap a public reply's sentence by `least` (Jaccard) or more."""
    def grams(text: str) -> set[str]:
        found = re.findall(r"[a-z']+", text.lower())
        return {" ".join(found[index:index + 3]) for index in range(len(found) - 2)}

    index, known = defaultdict(set), []
    for text in public:
        for sentence in reply_sentences(text):
            if len(found := grams(sentence)) >= 3:
                for gram in found:
                    index[gram].add(len(known))
                known.append((sentence, found))
    for row in rows:
        for sentence in reply_sentences(row["text"]):
            found = grams(sentence)
            shared = Counter(position for gram in found for position in index.get(gram, ()))
            for position, count in shared.items():
                similarity = count / len(found | known[position][1])
                if similarity >= least:
                    yield sentence, known[position][0], similarity


# Promises whose sentence the strong cues miss: the index of the sentence that carries them.
MANUAL_CARRIERS = {"i:dev:K2vgttTVBZ7PwlJ4NHeb:5": 0}
STRONG_CUES = frozenset({"fut:we:will:act", "fut:we:will:followup", "fut:we:will:check", "fut:i:will:act",
                         "fut:i:will:followup", "fut:i:will:check", "let_me_action", "hear_back", "checking_now",
                         "fut:team:will:followup", "fut:team:will:check", "fut:team:will:act"})
_COMMITTING = re.compile(r"^(?:fut:(?:i|we|team|they):(?:will|like)|bare:|and_will:|let_me|hear_back|expect|"
                         r"checking_now|polite|channel)")


def _may_commit(found: set[str]) -> bool:
    return any(_COMMITTING.match(name) for name in found)


def _write(name: str, fields: list[str], rows: list[dict]) -> None:
    with open(DATA / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--public", type=Path, help="the shared data folder to re-extract the public sets from")
    args = parser.parse_args(argv)
    if args.public:
        refresh_public(args.public)
    training = examples()
    model = fit(training)
    MODEL_PATH.write_text(model.to_json(data_digest()), encoding="utf-8")
    by_source = Counter((example.source, example.promise) for example in training)
    print(json.dumps({f"{source} {'promise' if promise else 'other'}": count
                      for (source, promise), count in sorted(by_source.items())}, indent=1))
    print(f"{len(model.weights)} features written to {MODEL_PATH}")


if __name__ == "__main__":
    main()
