"""classify(): rules and model together, thresholds, allowed types and verbatim quotes."""

import json

from adapter.signals import model
from adapter.signals import rules
from adapter.signals.classify import classify
from adapter.signals.classify import scores
from tests.conftest import FIXTURES

MESSAGE = (
    "Hi, every time I try to export our 2025 invoices to CSV the page spins for a minute and then shows "
    "\"Export failed (504)\". Our accountant needs the file by Friday. Honestly, if we can't get our own data out "
    "we'll have to look at moving to Xero.\n\nOn Tue, 3 Mar 2026, Sam wrote:\n> Thanks for reaching out!"
)


def trained():
    rows = [json.loads(line) for line in (FIXTURES / "signals" / "training.jsonl").read_text().splitlines()]
    return model.train([model.Example(r["text"], frozenset(r["labels"])) for r in rows])


def test_rules_find_several_signals_with_their_own_quotes():
    found = {s.type_key: s for s in classify(MESSAGE, rules.default_rules(["Xero"]))}
    assert set(found) == {"bug", "churn_risk", "competitor"}
    assert found["bug"].quote.startswith("Hi, every time I try to export")
    assert found["competitor"].quote.endswith("moving to Xero.")
    assert "Thanks for reaching out" not in found["bug"].quote  # quoted history is not the customer's words


def test_threshold_and_allowed_types():
    ruleset = rules.default_rules(["Xero"])
    assert {s.type_key for s in classify(MESSAGE, ruleset, types={"bug"})} == {"bug"}
    assert classify(MESSAGE, ruleset, threshold=0.995) == []
    assert classify("   ", ruleset) == []


def test_model_finds_what_rules_miss_and_quotes_its_best_sentence():
    message = "Hello. Could you let us schedule reports every Friday for the finance team? Thanks."
    without = {s.type_key for s in classify(message, rules.compile_rules({}))}
    assert "feature_request" not in without
    found = {s.type_key: s for s in classify(message, rules.compile_rules({}), trained())}
    assert found["feature_request"].source == "model"
    assert found["feature_request"].quote == "Could you let us schedule reports every Friday for the finance team?"


def test_scores_cover_every_requested_type():
    result = scores("The export crashes.", rules.default_rules(), types=["bug", "praise"])
    assert set(result) == {"bug", "praise"} and result["bug"] >= 0.5 and result["praise"] == 0.0
