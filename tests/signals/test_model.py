"""The learned layer: trains on a tiny committed set, predicts, refuses to train on too little, round-trips."""

import json

import pytest

from adapter.signals import model
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def examples():
    rows = [json.loads(line) for line in (FIXTURES / "signals" / "training.jsonl").read_text().splitlines()]
    return [model.Example(text=r["text"], labels=frozenset(r["labels"])) for r in rows]


def test_training_and_predicting(examples):
    trained = model.train(examples)
    assert trained is not None
    assert set(trained.types) == {"bug", "feature_request", "praise", "churn_risk"}
    assert trained.positives["bug"] == 8
    [crash, wish, thanks] = trained.predict(["The dashboard crashes with an error", "Please add support for SSO",
                                             "Thanks, brilliant update"])
    assert max(crash, key=crash.get) == "bug"
    assert max(wish, key=wish.get) == "feature_request"
    assert max(thanks, key=thanks.get) == "praise"


def test_types_with_too_few_examples_are_left_to_the_rules(examples):
    trained = model.train(examples + [model.Example("the docs are unclear", frozenset({"docs_gap"}))])
    assert "docs_gap" not in trained.types


def test_not_enough_data_means_no_model(examples):
    assert model.train(examples[:model.MIN_EXAMPLES - 1]) is None
    assert model.train([model.Example(f"text {i}", frozenset()) for i in range(40)]) is None


def test_round_trip(examples):
    trained = model.train(examples)
    again = model.loads(model.dumps(trained))
    text = ["Export crashes again"]
    assert again.predict(text) == trained.predict(text)
    with pytest.raises(ValueError):
        model.loads(__import__("pickle").dumps({"not": "a model"}))
