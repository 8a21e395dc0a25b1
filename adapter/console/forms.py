"""Reading console form fields into typed values, with a message a person understands when one is wrong."""

from __future__ import annotations

from decimal import Decimal
from decimal import InvalidOperation

from werkzeug.datastructures import MultiDict

from adapter.billing.money import to_minor
from adapter.errors import ApiError
from adapter.errors import DomainError


def _invalid(name: str, message: str, hint: str) -> ApiError:
    return ApiError(400, "invalid_setting", message, fields={name: hint})


def whole(form: MultiDict, name: str, label: str) -> int:
    """A whole number field."""
    value = form.get(name, "").strip()
    try:
        return int(value)
    except ValueError:
        raise _invalid(name, f"{label} must be a whole number, not {value!r}.", "whole number") from None


def number(form: MultiDict, name: str, label: str) -> float:
    """A decimal number field (a comma is taken as the decimal point)."""
    value = form.get(name, "").strip()
    try:
        return float(value.replace(",", "."))
    except ValueError:
        raise _invalid(name, f"{label} must be a number like 0.75, not {value!r}.", "number") from None


def checked(form: MultiDict, name: str) -> bool:
    """A checkbox: ticked or not."""
    return form.get(name) == "on"


def lines(form: MultiDict, name: str) -> list[str]:
    """A textarea with one entry per line, blank lines dropped."""
    return [line.strip() for line in form.get(name, "").splitlines() if line.strip()]


def money(form: MultiDict, name: str, label: str, currency: str) -> int:
    """An amount typed in major units (100 or 100.00) as integer minor units of `currency`; 0 is allowed."""
    value = form.get(name, "").strip().replace(",", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _invalid(name, f"{label} must be an amount like 100 or 100.00, not {value!r}.", "amount") from None
    if not amount.is_finite() or amount < 0:
        raise _invalid(name, f"{label} must be 0 or more.", "0 or more")
    if amount == 0:
        return 0
    try:
        return to_minor(amount, currency)
    except (ApiError, DomainError) as exc:
        raise _invalid(name, f"{label}: {exc.message}", "amount") from None
