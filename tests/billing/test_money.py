"""Minor units with each currency's exponent, never floats."""

import pytest

from adapter.billing.money import format_money
from adapter.billing.money import major_text
from adapter.billing.money import to_minor
from adapter.errors import InvalidInput


@pytest.mark.parametrize("amount, currency, minor", [
    ("12.50", "usd", 1250), ("12.5", "USD", 1250), ("0.29", "usd", 29), ("1,500", "jpy", 1500), ("1500", "jpy", 1500),
    ("49", "eur", 4900), ("1.234", "kwd", 1234),
])
def test_amounts_become_exact_minor_units(amount, currency, minor):
    assert to_minor(amount, currency) == minor


@pytest.mark.parametrize("amount, currency, words", [
    ("0", "usd", "more than zero"), ("-5", "usd", "more than zero"), ("12.345", "usd", "2 decimal places"),
    ("12.5", "jpy", "JPY has no minor units"), ("abc", "usd", "not an amount"), ("NaN", "usd", "more than zero"),
    ("Infinity", "usd", "more than zero"), ("1e9", "usd", "larger than any"),
])
def test_bad_amounts_are_refused_with_a_reason(amount, currency, words):
    with pytest.raises(InvalidInput) as info:
        to_minor(amount, currency)
    assert info.value.code == "invalid_amount" and words in info.value.message


def test_formatting():
    assert format_money(1250, "usd") == "$12.50"
    assert format_money(150000, "jpy") == "¥150,000"
    assert format_money(-500, "gbp") == "-£5.00"
    assert format_money(1250, "sek") == "12.50 SEK"
    assert major_text(4800, "jpy") == "4800" and major_text(3700, "usd") == "37.00"
