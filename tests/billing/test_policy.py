"""The policy verdict: allow within limits, ask a lead above them, or deny."""

import pytest

from adapter.billing.policy import ALLOW
from adapter.billing.policy import APPROVAL
from adapter.billing.policy import DENY
from adapter.billing.policy import BillingPolicy
from adapter.billing.policy import Proposal
from adapter.billing.policy import evaluate

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)

POLICY = BillingPolicy()


def refund(amount, currency="usd", role="agent", ticket=0, today=0):
    return Proposal("refund", role, currency, amount=amount, spent_on_ticket=ticket, spent_by_agent_today=today)


def test_defaults_let_an_agent_fix_the_everyday_case():
    assert evaluate(POLICY, refund(4900)).decision == ALLOW
    assert evaluate(POLICY, refund(10_000)).decision == ALLOW
    assert evaluate(POLICY, refund(1_500, "jpy")).decision == ALLOW


def test_above_the_ticket_limit_needs_a_lead():
    verdict = evaluate(POLICY, refund(6_000, ticket=5_000))
    assert verdict.decision == APPROVAL
    assert "$100.00 per-ticket limit ($50.00 already on this ticket)" in verdict.reason


def test_the_rolling_day_limit_counts_what_the_agent_already_refunded():
    verdict = evaluate(POLICY, refund(5_000, today=28_000))
    assert verdict.decision == APPROVAL and "$300.00 limit for 24 hours ($280.00 so far)" in verdict.reason


def test_deny_instead_of_approval_when_the_admin_says_so():
    verdict = evaluate(BillingPolicy(above_limit="deny"), refund(20_000))
    assert verdict.decision == DENY and "Ask a lead to change the limits" in verdict.reason


def test_a_currency_without_limits_goes_to_a_lead():
    verdict = evaluate(POLICY, refund(100, "chf"))
    assert verdict.decision == APPROVAL and "No refund limit is set for CHF" in verdict.reason


def test_roles_that_may_not_act_are_denied():
    policy = BillingPolicy(roles=["lead", "admin"])
    assert evaluate(policy, refund(100)).decision == DENY
    assert evaluate(policy, refund(100, role="lead")).decision == ALLOW


def test_coupons_by_percent_and_amount():
    assert evaluate(POLICY, Proposal("coupon", "agent", "usd", percent_off=25)).decision == ALLOW
    assert evaluate(POLICY, Proposal("coupon", "agent", "usd", percent_off=40)).decision == APPROVAL
    assert evaluate(POLICY, Proposal("coupon", "agent", "usd", amount=2_500)).decision == ALLOW
    assert evaluate(POLICY, Proposal("coupon", "agent", "jpy", amount=5_000)).decision == APPROVAL


def test_credits_can_be_switched_off():
    assert evaluate(BillingPolicy(credits_enabled=False), Proposal("credit", "agent", "usd", amount=100)).decision == DENY


def coupon(percent=None, amount=None, **done):
    return Proposal("coupon", "agent", "usd", amount=amount, percent_off=percent, **done)


def test_coupons_are_counted_per_ticket_and_per_agent_day():
    assert evaluate(POLICY, coupon(percent=25)).decision == ALLOW
    second = evaluate(POLICY, coupon(percent=25, coupons_on_ticket=1))
    assert second.decision == APPROVAL
    assert second.reason == ("This ticket already has 1 coupon; more than 1 coupon per ticket need approval. "
                             "A lead can approve it in one click.")
    eleventh = evaluate(POLICY, coupon(amount=500, coupons_by_agent_today=10))
    assert eleventh.decision == APPROVAL
    assert "You gave 10 coupons in the last 24 hours; more than 10 coupons a day need approval." in eleventh.reason
    assert evaluate(BillingPolicy(coupons_per_ticket=0), coupon(percent=5)).decision == APPROVAL


def test_amount_off_coupons_are_capped_by_value_too():
    policy = BillingPolicy(coupons_per_ticket=10)
    on_ticket = evaluate(policy, coupon(amount=1_000, coupon_value_on_ticket=2_000))
    assert on_ticket.decision == APPROVAL
    assert "over the $25.00 of coupons per ticket ($20.00 already on this ticket)" in on_ticket.reason
    policy = BillingPolicy(coupons_per_ticket=10, coupon_value_per_ticket={"usd": 100_000})
    today = evaluate(policy, coupon(amount=1_000, coupon_value_by_agent_today=12_000))
    assert today.decision == APPROVAL and "over your $125.00 of coupons for 24 hours ($120.00 so far)" in today.reason
    # A percentage has no value until the customer buys; its count and its percentage are what is capped.
    assert evaluate(policy, coupon(percent=10, coupon_value_on_ticket=99_999)).decision == ALLOW
    assert evaluate(BillingPolicy(coupon_value_per_ticket={}), coupon(amount=100)).decision == APPROVAL
