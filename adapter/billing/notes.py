"""What a billing action is called in words: its phrase, its discount, the notes written on the ticket."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from adapter.billing import policy as rules
from adapter.billing.money import format_money
from adapter.models import BillingAction


def coupon_expiry(action: BillingAction) -> datetime:
    """When a coupon stops working; fixed by the preview so every attempt sends the same request."""
    return (action.created_at + timedelta(days=action.expires_days or 30)).replace(microsecond=0)


def describe(action: BillingAction) -> str:
    """A short phrase for the action: "refund of $12.00", "coupon for 20% off", "credit of ¥500"."""
    if action.kind == "refund":
        return f"refund of {format_money(action.amount, action.currency)}"
    if action.kind == "coupon":
        return f"coupon for {discount(action)}"
    return f"credit of {format_money(action.amount, action.currency)}"


def discount(action: BillingAction) -> str:
    """The coupon's discount in words: "20% off", "$10.00 off"."""
    return f"{action.percent_off}% off" if action.percent_off else f"{format_money(action.amount, action.currency)} off"


def _by(action: BillingAction) -> str:
    approved = f", approved by {action.approver_name}" if action.approver_name else ""
    sandbox = " [Sandbox: no real money moved.]" if action.provider == "sandbox" else ""
    why = f" Note: {action.reason_text}" if action.reason_text else ""
    return f"by {named(action)}{approved}.{why}{sandbox}"


UNVERIFIED_MARK = " (sign-in not confirmed by the helpdesk)"


def named(action: BillingAction) -> str:
    """The agent's name, marked when the helpdesk did not vouch that it was them."""
    return action.agent_name + ("" if action.agent_verified else UNVERIFIED_MARK)


def result_note(action: BillingAction) -> str:
    """The private note written on the ticket once the action went through."""
    label = rules.REASONS[action.reason][0].lower()
    if action.kind == "refund":
        whole = f" of {format_money(action.charge_amount, action.currency)}" if action.charge_amount else ""
        return f"Refunded {format_money(action.amount, action.currency)}{whole} ({label}) {_by(action)}"
    if action.kind == "coupon":
        expires = coupon_expiry(action).strftime("%-d %b %Y")
        return (f"Created promotion code {action.code} ({discount(action)}, one use, expires {expires}) "
                f"for this customer ({label}) {_by(action)}")
    return f"Credited {format_money(action.amount, action.currency)} to the customer's balance ({label}) {_by(action)}"
