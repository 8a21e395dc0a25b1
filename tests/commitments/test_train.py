"""The shipped model: its training data is consistent and shippable, and the model is what the script builds from it."""

import csv
import json
from collections import Counter

from adapter.commitments import train
from adapter.commitments.detect import reply_sentences
from adapter.commitments.model import MODEL_PATH
from adapter.commitments.model import shipped

PROMISE_CLASSES = {"first_person", "checking", "let_me", "channel", "polite", "company_or_team", "passive_or_hear_back"}
NEGATIVE_CLASSES = {"request", "courtesy", "offer", "ability", "purpose", "feedback_relay", "availability",
                    "announcement", "done", "reassurance", "hedge", "information", "standing_offer", "negation",
                    "third_party", "hope", "referral", "other"}


def written() -> list[dict]:
    with open(train.DATA / "replies.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_written_replies_are_labelled_consistently():
    rows = written()
    assert len({row["text"] for row in rows}) == len(rows), "a reply is written twice"
    for row in rows:
        promise = row["promise"] == "1"
        assert row["phrasing"] in (PROMISE_CLASSES if promise else NEGATIVE_CLASSES), row
        assert promise or (row["conditional"], row["vague"], row["carrier"]) == ("0", "0", ""), row
        if row["carrier"]:
            assert row["carrier"] in reply_sentences(row["text"]), row
    examples = train.reply_examples(rows, "written")  # raises on a promise whose sentence is not marked
    assert sum(example.promise for example in examples) == sum(row["promise"] == "1" for row in rows)


def test_every_class_is_well_represented():
    counts = Counter(row["phrasing"] for row in written())
    assert all(counts[name] >= 20 for name in PROMISE_CLASSES), counts
    assert all(counts[name] >= 10 for name in NEGATIVE_CLASSES), counts
    flags = Counter((row["conditional"], row["vague"]) for row in written() if row["promise"] == "1")
    assert flags[("1", "0")] >= 40 and flags[("0", "1")] >= 20, flags


def test_public_sets_are_masked_and_negative_where_they_must_be():
    with open(train.DATA / "ibm_twitter_docpred.csv", encoding="utf-8", newline="") as handle:
        ibm = list(csv.DictReader(handle))
    assert ibm and not any("@" in row["text"].replace("@customer", "") for row in ibm)
    assert not any("http" in row["text"].replace("https://example.com/link", "") for row in ibm)
    examples = train.examples()
    assert all(not example.promise for example in examples if example.source == "email_intent_parakweet")


def test_the_shipped_model_was_built_from_the_data_in_the_package():
    header = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert header["data_sha256"] == train.data_digest(), "training data changed: run python -m adapter.commitments.train"
    assert (header["threshold"], len(header["weights"])) == (shipped().threshold, len(shipped().weights))


def test_training_is_deterministic():
    sample = train.examples()[::7]
    first, second = train.fit(sample), train.fit(sample)
    assert first == second
    assert first.threshold == train.THRESHOLD and first.weights
