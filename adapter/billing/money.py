"""Amounts in integer minor units, converted with each currency's exponent and never through floats."""

from __future__ import annotations

from decimal import Decimal
from decimal import InvalidOperation

from adapter.errors import InvalidInput

# Stripe's zero-decimal and three-decimal currencies (docs.stripe.com/currencies); all others use two.
ZERO_DECIMAL = frozenset(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"])
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$", "nzd": "NZ$", "inr": "₹",
           "krw": "₩", "brl": "R$", "mxn": "MX$"}
MAX_MINOR = 99_999_999  # Stripe's largest charge amount in minor units


def exponent(currency: str) -> int:
    """Digits after the decimal point for the currency (0 for JPY, 2 for USD)."""
    code = currency.lower()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def to_minor(amount: str | int | Decimal, currency: str) -> int:
    """Parse a major-unit amount ("12.50" USD) into minor units (1250).

    :raise DomainError: InvalidInput when it is not a positive amount this currency can express.
    """
    code = currency.lower()
    try:
        value = Decimal(str(amount).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(f"{amount!r} is not an amount.", code="invalid_amount", fields={"amount": "e.g. 12.50"}) from None
    if not value.is_finite() or value <= 0:
        raise InvalidInput("The amount must be more than zero.", code="invalid_amount", fields={"amount": "more than 0"})
    scaled = value.scaleb(exponent(code))
    if scaled != scaled.to_integral_value():
        places = exponent(code)
        detail = "has no minor units" if places == 0 else f"has {places} decimal places"
        raise InvalidInput(f"{code.upper()} {detail}; {amount} cannot be charged or refunded exactly.", code="invalid_amount", fields={"amount": f"at most {places} decimals"})
    minor = int(scaled)
    if minor > MAX_MINOR:
        raise InvalidInput("That amount is larger than any card payment.", code="invalid_amount", fields={"amount": "too large"})
    return minor


def to_major(minor: int, currency: str) -> Decimal:
    """Minor units back to a Decimal in major units (1250 USD -> 12.50)."""
    return Decimal(minor).scaleb(-exponent(currency))


def major_text(minor: int, currency: str) -> str:
    """The amount as a plain number string with the currency's decimals ("12.50", "1500")."""
    return f"{to_major(minor, currency):.{exponent(currency)}f}"


def format_money(minor: int, currency: str) -> str:
    """A person-readable amount: "$12.00", "¥1,500", "12.50 SEK"."""
    places = exponent(currency)
    number = f"{to_major(abs(minor), currency):,.{places}f}"
    sign = "-" if minor < 0 else ""
    symbol = SYMBOLS.get(currency.lower())
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency.upper()}"
