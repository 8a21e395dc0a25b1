"""Rule scoring: phrases, patterns, competitors, quotes, and safe admin patterns."""

import pytest

from adapter.errors import InvalidInput
from adapter.signals import rules


@pytest.fixture(scope="module")
def defaults():
    return rules.default_rules(["Xero", "QuickBooks Online"])


def test_each_default_type_fires_on_a_typical_message(defaults):
    cases = {
        "bug": "The export fails with error 504 every time.",
        "feature_request": "It would be great if invoices could repeat monthly.",
        "ux_friction": "The settings page is really confusing.",
        "docs_gap": "Is this documented anywhere? The docs say nothing about webhooks.",
        "churn_risk": "If this is not fixed we will not renew our plan.",
        "praise": "Thank you, the new screen is fantastic!",
        "competitor": "QuickBooks Online does this out of the box.",
    }
    for type_key, text in cases.items():
        assert rules.score(text, defaults)[type_key].score >= 0.5, type_key


def test_neutral_messages_score_nothing(defaults):
    assert rules.score("Please update our billing address to 5 Main Street.", defaults) == {}


def test_quote_is_the_sentences_that_carry_the_signal(defaults):
    text = "Hi team. We love the reports. Sadly the CSV export times out for big files. Thanks, Dana"
    bug = rules.score(text, defaults)["bug"]
    assert [s.text for s in bug.sentences] == ["Sadly the CSV export times out for big files."]


def test_scores_combine_as_noisy_or_and_stay_below_one(defaults):
    weak = rules.score("It is frozen.", defaults)["bug"].score
    strong = rules.score("It is stuck. It crashes. It is broken. Error 500.", defaults)["bug"].score
    assert weak < strong <= 0.99


def test_phrases_match_whole_words_and_curly_apostrophes():
    ruleset = rules.compile_rules({"bug": [("doesn't work", 0.8), ("bug", 0.6)]})
    assert rules.score("It doesn’t work.", ruleset)["bug"].score == 0.8
    assert rules.score("Debugging is fun.", ruleset) == {}


def test_competitor_names_only_count_as_whole_words():
    ruleset = rules.compile_rules({}, competitors=["Xero"])
    assert "competitor" in rules.score("We might move to Xero.", ruleset)
    assert rules.score("Zero issues so far, Xerox printer is fine.", ruleset) == {}


@pytest.mark.parametrize("pattern, reason", [("(a+)+$", "nests repetition"), ("([a-z]*)*", "nests repetition"),
                                             ("[unclosed", "not a valid"), ("x" * 201, "limited to")])
def test_dangerous_or_invalid_patterns_are_refused(pattern, reason):
    with pytest.raises(InvalidInput, match=reason):
        rules.validate_pattern(pattern)


def test_admin_patterns_are_case_insensitive():
    ruleset = rules.compile_rules({}, {"bug": [(r"\bE-\d{3}\b", 0.7)]})
    assert rules.score("I see e-404 now.", ruleset)["bug"].score == 0.7
