"""Competitors without configuration: rivals set against the company, never its own name, partners or carriers."""

from adapter.signals import rules


def competitor(text: str, own_names=()) -> float:
    found = rules.score(text, rules.default_rules(own_names=own_names)).get("competitor")
    return found.score if found else 0.0


def test_a_rival_with_switching_or_comparison_words_is_a_competitor():
    assert competitor("We're moving to Xero next month, they do bulk edits.") >= 0.7
    assert competitor("@AirlineHelp on hold again, @JetBlue answers in five minutes and does it better.") >= 0.7
    assert competitor("Why can't you be like Southwest and let us change flights for free?") >= 0.7


def test_a_rival_named_in_passing_is_only_a_hint():
    assert 0 < competitor("My connection is on Lufthansa.") < 0.5


def test_the_company_itself_partners_and_carriers_are_not_competitors():
    assert competitor("@Delta your new app is better than the old one.") == 0  # the account the message is addressed to
    assert competitor("Delta is so much better than last year!", own_names=("Delta Air Lines",)) == 0
    assert competitor("UPS left my parcel in the rain and FedEx lost the other one.") == 0
    assert competitor("@ShopHelp @CourierCo the driver left it in the rain.") == 0
