"""The Stripe billing client against recorded Stripe responses, and Stripe webhook verification."""

from datetime import UTC
from datetime import datetime
from urllib.parse import parse_qs

import pytest
import requests

from adapter import clock
from adapter.errors import AuthError
from adapter.errors import MalformedDelivery
from adapter.errors import NotFound
from adapter.errors import RateLimited
from adapter.errors import Rejected
from adapter.errors import SignatureError
from adapter.errors import Unavailable
from adapter.events import RefundUpdated
from adapter.providers import stripe
from tests.conftest import fixture_bytes
from tests.conftest import load_fixture
from tests.support import stripe_api

SECRET = "whsec_test_4eC39HqLyjWDarjtT1zdp7dc"


@pytest.fixture
def client():
    return stripe.Client("rk_test_51Hx2Valuedesk0000", network_retries=0)


def form(call) -> dict:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def test_customers_are_matched_by_email_ignoring_case(client, no_network):
    listing = stripe_api(no_network, "GET", "customers", "customers_list")
    [customer] = client.find_customers("DANA@northwind.example")
    assert (customer.id, customer.name) == ("cus_NffrFeUfNV2Hib", "Northwind Traders")
    # Stripe's filter is case-sensitive: we ask for the address as written and in lower case.
    asked = sorted(parse_qs(c.request.url.split("?")[1])["email"][0] for c in listing.calls)
    assert asked == ["DANA@northwind.example", "dana@northwind.example"]
    assert listing.calls[0].request.headers["Authorization"] == "Bearer rk_test_51Hx2Valuedesk0000"


def test_charges_carry_the_refundable_remainder(client, no_network):
    stripe_api(no_network, "GET", "charges", "charges_list")
    usd, jpy = client.list_charges("cus_NffrFeUfNV2Hib")
    assert (usd.amount, usd.refundable, usd.currency) == (4000, 4000, "usd")
    assert (jpy.amount, jpy.currency) == (4800, "jpy")
    stripe_api(no_network, "GET", "charges/ch_3MmlLrLkdIwHu7ix0snN0B15", "charge__partly_refunded")
    assert client.get_charge("ch_3MmlLrLkdIwHu7ix0snN0B15").refundable == 1000


def test_refund_is_form_encoded_with_our_idempotency_key(client, no_network):
    stripe_api(no_network, "GET", "charges/ch_3MmlLrLkdIwHu7ix0snN0B15", "charge")
    created = stripe_api(no_network, "POST", "refunds", "refund")
    charge = client.get_charge("ch_3MmlLrLkdIwHu7ix0snN0B15")
    refund = client.refund(charge, 1200, reason="duplicate", metadata={"valuedesk_action": "1", "valuedesk_ticket": "42"},
                           idempotency_key="valuedesk-zd-acme-action-1")
    assert (refund.id, refund.status, refund.action_ref) == ("re_3MmlLrLkdIwHu7ix0M6nJ4Ik", "succeeded", "1")
    call = created.calls[0]
    assert call.request.headers["Idempotency-Key"] == "valuedesk-zd-acme-action-1"
    assert form(call) == {"charge": "ch_3MmlLrLkdIwHu7ix0snN0B15", "amount": "1200", "reason": "duplicate",
                          "metadata[valuedesk_action]": "1", "metadata[valuedesk_ticket]": "42"}


def test_promotion_code_uses_the_nested_coupon_of_current_api_versions(client, no_network):
    coupon = stripe_api(no_network, "POST", "coupons", "coupon")
    promo = stripe_api(no_network, "POST", "promotion_codes", "promotion_code")
    expires = datetime(2026, 12, 23, tzinfo=UTC)
    made = client.create_promotion("cus_NffrFeUfNV2Hib", code="NORTHWIND4K7QX", percent_off=20, amount_off=None,
                                   currency=None, expires_at=expires, metadata={}, idempotency_key="k-1")
    assert (made.code, made.coupon_id, made.promotion_code_id) == ("NORTHWIND4K7QX", "Z4OV52SU", "promo_1MiM6KLkdIwHu7ixrIaX4wgn")
    sent = form(coupon.calls[0])
    assert (sent["percent_off"], sent["duration"], sent["max_redemptions"]) == ("20", "once", "1")
    assert sent["redeem_by"] == str(int(expires.timestamp()))
    sent = form(promo.calls[0])
    assert (sent["promotion[type]"], sent["promotion[coupon]"], sent["customer"]) == ("coupon", "Z4OV52SU", "cus_NffrFeUfNV2Hib")
    assert coupon.calls[0].request.headers["Idempotency-Key"] == "k-1:coupon"
    assert promo.calls[0].request.headers["Idempotency-Key"] == "k-1:promotion_code"


def test_balance_credit_is_sent_as_a_negative_amount(client, no_network):
    txn = stripe_api(no_network, "POST", "customers/cus_NffrFeUfNV2Hib/balance_transactions", "customer_balance_transaction")
    credit = client.credit_balance("cus_NffrFeUfNV2Hib", 1000, "usd", description="Goodwill", metadata={},
                                   idempotency_key="k-2")
    assert (credit.amount, credit.currency) == (1000, "usd")
    assert form(txn.calls[0])["amount"] == "-1000"


@pytest.mark.parametrize("fixture, status, error, words", [
    ("error_card", 402, Rejected, "declined"),
    ("error_invalid_request", 400, Rejected, "already been refunded"),
    ("error_no_such_charge", 404, NotFound, "No such charge"),
    ("error_rate_limit", 429, RateLimited, "rate limiting"),
    ("error_permission", 403, AuthError, "permission"),
])
def test_stripe_errors_become_clear_provider_errors(client, no_network, fixture, status, error, words):
    stripe_api(no_network, "GET", "charges/ch_3MmlLrLkdIwHu7ix0snN0B15", "charge")
    stripe_api(no_network, "POST", "refunds", fixture, status=status)
    charge = client.get_charge("ch_3MmlLrLkdIwHu7ix0snN0B15")
    with pytest.raises(error) as info:
        client.refund(charge, 100, reason="duplicate", metadata={}, idempotency_key="k")
    assert words in info.value.message


def test_connection_failure_is_unavailable(client, no_network):
    no_network.add("GET", "https://api.stripe.com/v1/charges/ch_x", body=requests.ConnectionError("reset"))
    with pytest.raises(Unavailable):
        client.get_charge("ch_x")


def test_webhook_signature_accept_and_reject():
    body = fixture_bytes("stripe", "refund.failed")
    now = clock.wall()
    stamp = int(clock.wall().timestamp())
    stripe.verify({"Stripe-Signature": stripe.sign(SECRET, stamp, body)}, body, SECRET, now)
    # A second v1 from a rolled secret: any matching signature passes.
    rolled = f"t={stamp},v1={'0' * 64},v1={stripe.sign(SECRET, stamp, body).split('v1=')[1]}"
    stripe.verify({"Stripe-Signature": rolled}, body, SECRET, now)
    bad = [
        {},
        {"Stripe-Signature": stripe.sign("whsec_other", stamp, body)},
        {"Stripe-Signature": stripe.sign(SECRET, stamp - 301, body)},
        {"Stripe-Signature": stripe.sign(SECRET, stamp + 301, body)},
        {"Stripe-Signature": "v1=abc"},
        {"Stripe-Signature": stripe.sign(SECRET, stamp, body + b" ")},
    ]
    for headers in bad:
        with pytest.raises(SignatureError):
            stripe.verify(headers, body, SECRET, now)


def test_refund_events_parse_to_domain_events():
    failed = load_fixture("stripe", "refund.failed")
    assert stripe.describe({}, failed).delivery_id == "evt_3MmlLrLkdIwHu7ix0jxYDlnd"
    assert stripe.parse_event("zd-1", failed) == RefundUpdated("zd-1", "re_3MmlLrLkdIwHu7ix0M6nJ4Ik", "failed", "1",
                                                              "expired_or_canceled_card")
    assert stripe.parse_event("zd-1", load_fixture("stripe", "customer.updated")) is None
    with pytest.raises(MalformedDelivery):
        stripe.describe({}, {"type": "refund.failed"})
