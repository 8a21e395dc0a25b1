"""`valuedesk billing`: connect Stripe, show and change the policy, export the audit trail."""

import json

import pytest

from adapter.credentials import CredentialStore
from adapter.providers import stripe
from tests.support import stripe_api


@pytest.fixture
def shop(make_installation):
    return make_installation(kind="zendesk", account="acme", secrets={})


def test_connect_checks_the_key_and_prints_the_webhook(runner, db, shop, no_network):
    stripe_api(no_network, "GET", "customers", "customers_list__empty")
    result = runner.invoke(args=["billing", "connect", "--installation", shop.id, "--key", "rk_test_51HxAcmeKey0000"])
    assert result.exit_code == 0, result.output
    assert f"https://valuedesk.test/webhooks/stripe/{shop.id}" in result.output and "refund.failed" in result.output
    with db.tenant(shop.id) as session:
        assert CredentialStore(session, shop.id).get(stripe.API_KEY_CREDENTIAL) == "rk_test_51HxAcmeKey0000"


def test_connect_refuses_a_key_stripe_refuses(runner, db, shop, no_network):
    stripe_api(no_network, "GET", "customers", json={"error": {"message": "Invalid API Key provided",
                                                                "type": "invalid_request_error"}}, status=401)
    result = runner.invoke(args=["billing", "connect", "--installation", shop.id, "--key", "rk_test_51HxWrong000000"])
    assert result.exit_code == 1 and "Stripe refused the key" in result.output
    with db.tenant(shop.id) as session:
        assert CredentialStore(session, shop.id).get(stripe.API_KEY_CREDENTIAL) is None


def test_connect_takes_the_api_path_and_its_checks(runner, db, shop, make_installation):
    malformed = runner.invoke(args=["billing", "connect", "--installation", shop.id, "--key", "sk_nope"])
    assert malformed.exit_code == 1 and "not a Stripe secret or restricted key" in malformed.output
    bad_secret = runner.invoke(args=["billing", "connect", "--installation", shop.id, "--key", "rk_test_51HxAcmeKey0000",
                                     "--webhook-secret", "whsec_"])
    assert bad_secret.exit_code == 1 and "starts with whsec_" in bad_secret.output
    sandbox = make_installation(kind="playground", account="sandbox-shop", secrets={})
    refused = runner.invoke(args=["billing", "connect", "--installation", sandbox.id, "--key", "rk_test_51HxAcmeKey0000"])
    assert refused.exit_code == 1 and "never a real Stripe key" in refused.output
    with db.tenant(shop.id) as session:
        assert CredentialStore(session, shop.id).names() == []


def test_policy_show_and_change(runner, shop):
    shown = json.loads(runner.invoke(args=["billing", "policy", "--installation", shop.id]).output)
    assert shown["refund_per_ticket"]["usd"] == 10_000 and shown["reviewed"] is False
    changed = runner.invoke(args=["billing", "policy", "--installation", shop.id, "--set",
                                  '{"refund_per_ticket": {"USD": 5000}, "above_limit": "deny"}'])
    assert json.loads(changed.output)["refund_per_ticket"] == {"usd": 5000}
    caps = runner.invoke(args=["billing", "policy", "--installation", shop.id, "--set",
                               '{"coupons_per_ticket": 2, "coupon_value_per_agent_day": {"usd": 9000}}'])
    assert (json.loads(caps.output)["coupons_per_ticket"], json.loads(caps.output)["coupon_value_per_agent_day"]) == \
        (2, {"usd": 9000})
    refused = runner.invoke(args=["billing", "policy", "--installation", shop.id, "--set", '{"coupons_per_ticket": true}'])
    assert refused.exit_code == 1 and "coupons per ticket is a whole number from 0 to 1000" in refused.output
    bad = runner.invoke(args=["billing", "policy", "--installation", shop.id, "--set", '{"above_limit": "shrug"}'])
    assert bad.exit_code == 1 and "request_approval or deny" in bad.output
    unknown = runner.invoke(args=["billing", "policy", "--installation", shop.id, "--set", '{"max": 1}'])
    assert unknown.exit_code == 1 and "Unknown setting(s): max" in unknown.output


def test_audit_csv_header(runner, shop):
    result = runner.invoke(args=["billing", "audit", "--installation", shop.id])
    assert result.output.startswith("created_at,action_id,event,actor_name")
