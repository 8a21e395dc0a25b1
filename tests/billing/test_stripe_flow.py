"""Refunds, coupons and credits through the API on a Zendesk installation with Stripe, against recorded responses."""

import json
import re
import threading
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import requests
from sqlalchemy import func
from sqlalchemy import select

from adapter import clock
from adapter.billing import actions
from adapter.models import BillingAction
from adapter.models import BillingAudit
from adapter.providers import stripe
from adapter.providers import zendesk
from tests.conftest import load_fixture
from tests.support import bearer
from tests.support import billing_action
from tests.support import serving
from tests.support import stripe_api
from tests.support import zendesk_api

TICKET = "35436"  # requester dana@northwind.example in the Zendesk fixtures
CUSTOMER = "cus_NffrFeUfNV2Hib"
CHARGE = "ch_3MmlLrLkdIwHu7ix0snN0B15"  # $40.00
JPY_CHARGE = "ch_3JpyChargeLkdIwHu7ix0001"  # ¥4,800
KEY = "rk_test_51Hx2ValuedeskAcme00"


@pytest.fixture(autouse=True)
def no_stripe_retries(monkeypatch):
    monkeypatch.setattr(stripe, "NETWORK_RETRIES", 0)  # the retry back-off would only slow the tests


@pytest.fixture
def shop(make_installation):
    return make_installation(kind="zendesk", account="acme", secrets={
        zendesk.EMAIL_CREDENTIAL: "priya@acme.example", zendesk.TOKEN_CREDENTIAL: "api-token",
        zendesk.SECRET_CREDENTIAL: "s", stripe.API_KEY_CREDENTIAL: KEY, stripe.SECRET_CREDENTIAL: "whsec_acmeSecret123456"})


@pytest.fixture
def agent(app, shop):
    return bearer(app, shop.id, host="zendesk")


@pytest.fixture
def lead(app, shop):
    return bearer(app, shop.id, agent_id="agent-lee", name="Lee Okafor", role="lead", host="zendesk")


@pytest.fixture
def stripe_account(no_network):
    """The ticket, the customer and its charges; returns the refund-create mock."""
    zendesk_api(no_network, "GET", f"tickets/{TICKET}.json", "ticket")
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    zendesk_api(no_network, "GET", "organizations/509974.json", "organization")
    zendesk_api(no_network, "PUT", f"tickets/{TICKET}.json", "ticket")
    stripe_api(no_network, "GET", f"customers/{CUSTOMER}", "customer")
    stripe_api(no_network, "GET", "customers", "customers_list")
    stripe_api(no_network, "GET", "charges", "charges_list")
    stripe_api(no_network, "GET", f"charges/{CHARGE}", "charge")
    stripe_api(no_network, "GET", f"charges/{JPY_CHARGE}", "charge__jpy")
    return stripe_api(no_network, "POST", "refunds", "refund")


def refund_body(**fields):
    return {"kind": "refund", "ticket_id": TICKET, "customer_id": CUSTOMER, "charge_id": CHARGE, "amount": "12.00",
            "reason": "duplicate_charge", **fields}


def previewed(client, headers, **fields):
    response = client.post("/api/billing/preview", headers=headers, json=refund_body(**fields))
    assert response.status_code == 201, response.json
    return response.json


def notes(no_network) -> list[str]:
    return [json.loads(c.request.body)["ticket"]["comment"]["body"] for c in no_network.calls
            if c.request.method == "PUT" and c.request.url.endswith(f"/tickets/{TICKET}.json")]


def audit_events(db, installation_id):
    with db.tenant(installation_id) as session:
        return [(a.event, a.actor_name, a.amount, a.verdict, a.external_ids.get("refund"))
                for a in session.scalars(select(BillingAudit).order_by(BillingAudit.id))]


def test_ticket_panel_lists_the_requesters_customers(client, shop, agent, stripe_account):
    panel = client.get(f"/api/tickets/{TICKET}/billing", headers=agent).json
    assert (panel["connected"], panel["provider"], panel["sandbox"]) == (True, "stripe", False)
    assert [c["id"] for c in panel["customers"]] == [CUSTOMER]
    charges = client.get(f"/api/billing/customers/{CUSTOMER}/charges", headers=agent, query_string={"ticket_id": TICKET}).json
    assert [(c["id"], c["refundable_text"]) for c in charges] == [(CHARGE, "$40.00"), (JPY_CHARGE, "¥4,800")]


def test_customer_searches_leave_no_email_in_any_log(client, shop, agent, stripe_account, json_log):
    # stripe-python logs each request URL at INFO; a customer search is /v1/customers?email=dana%40northwind.example.
    assert client.get(f"/api/tickets/{TICKET}/billing", headers=agent).json["customers"]
    written = json_log.getvalue()
    assert "/v1/customers" not in written or "[email]" in written
    assert "northwind.example" not in written and "dana" not in written.lower()


def test_preview_sends_nothing_and_confirm_refunds_once(client, db, shop, agent, stripe_account, no_network):
    preview = previewed(client, agent)
    assert (preview["state"], preview["verdict"], preview["remaining_text"], preview["amount"]) == \
        ("previewed", "allow", "$28.00", 1200)
    assert "Refund $12.00 of the $40.00 charge" in preview["summary"]
    assert stripe_account.call_count == 0
    done = client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent)
    assert done.status_code == 200 and done.json["state"] == "succeeded"
    assert done.json["external_id"] == "re_3MmlLrLkdIwHu7ix0M6nJ4Ik"
    sent = {k: v[0] for k, v in parse_qs(stripe_account.calls[0].request.body).items()}
    assert sent["amount"] == "1200" and sent["reason"] == "duplicate" and sent["metadata[valuedesk_action]"] == str(preview["id"])
    assert sent["metadata[valuedesk_ticket]"] == TICKET and sent["metadata[valuedesk_agent]"] == "agent-sam"
    assert stripe_account.calls[0].request.headers["Idempotency-Key"] == f"valuedesk-{shop.id}-action-{preview['id']}"
    assert notes(no_network) == ["Refunded $12.00 of $40.00 (duplicate charge) by Sam Rivera."]
    assert audit_events(db, shop.id) == [("confirmed", "Sam Rivera", 1200, "allow", None),
                                         ("succeeded", "Sam Rivera", 1200, "allow", "re_3MmlLrLkdIwHu7ix0M6nJ4Ik")]
    # A double click, a second tab or a retried request: the same action back, no second refund.
    assert client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent).json["state"] == "succeeded"
    assert stripe_account.call_count == 1


def under_fire(url: str, clicks: list[dict]) -> list[tuple[int, str]]:
    """POST to `url` from one thread per click (each with its own headers), all released at once."""
    return all_at_once([(url, headers) for headers in clicks])


def all_at_once(posts: list[tuple[str, dict]]) -> list[tuple[int, str]]:
    """POST each (url, headers) from its own thread, all released at once; (status, state or error code) each."""
    barrier, results = threading.Barrier(len(posts)), []

    def click(url, headers):
        barrier.wait()
        response = requests.post(url, headers=headers, timeout=30)
        results.append((response.status_code, response.json().get("state") or response.json()["error"]["code"]))

    threads = [threading.Thread(target=click, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_fifty_concurrent_confirms_or_approvals_against_a_real_server_make_one_refund_call(
        app, client, db, shop, agent, lead, stripe_account, no_network):
    no_network.add_passthru("http://127.0.0.1")
    within = previewed(client, agent)
    with serving(app) as base_url:
        confirms = under_fire(f"{base_url}/api/billing/actions/{within['id']}/confirm", [agent] * 50)
        assert stripe_account.call_count == 1  # fifty clicks, one refund
        assert len(confirms) == 50 and {status for status, _ in confirms} == {200}

        lowered = client.patch("/api/admin/billing/policy", headers=bearer(app, shop.id, agent_id="admin", role="admin"),
                               json={"refund_per_ticket": {"usd": 2000}})  # above $20 a lead approves
        assert lowered.status_code == 200
        above = previewed(client, agent, amount="30.00", reason="service_issue")
        assert client.post(f"/api/billing/actions/{above['id']}/confirm", headers=agent).json["state"] == \
            "pending_approval"
        second_lead = bearer(app, shop.id, agent_id="agent-kim", name="Kim Lai", role="lead", host="zendesk")
        approvals = under_fire(f"{base_url}/api/billing/actions/{above['id']}/approve", [lead, second_lead] * 25)
    assert stripe_account.call_count == 2  # fifty approvals by two leads, one more refund
    assert sum(1 for status, _ in approvals if status == 200) >= 1
    assert {status for status, _ in approvals} <= {200, 409}
    with db.tenant(shop.id) as session:
        states = {a.public_id: a.state for a in session.scalars(select(BillingAction))}
        above_row = session.scalar(select(BillingAction).where(BillingAction.public_id == above["id"]))
        approved = [a.event for a in session.scalars(select(BillingAudit).where(BillingAudit.action_id == above_row.id))]
    assert states[within["id"]] == states[above["id"]] == "succeeded"
    assert approved.count("approved") == 1 and approved.count("succeeded") == 1


YEARLY = "ch_3NqAnnLkdIwHu7ix1AnnuaL0"  # $1,200.00, the same customer


def refunded_total(db, installation_id) -> tuple[int, int]:
    """(how many refunds went through, their sum in cents)."""
    with db.tenant(installation_id) as session:
        done = [a.amount for a in session.scalars(select(BillingAction).where(BillingAction.state == "succeeded"))]
    return len(done), sum(done)


def other_ticket(no_network, ticket_id: str) -> None:
    """Another ticket of the same requester (the recorded ticket under a new id)."""
    body = load_fixture("zendesk", "api/ticket")
    body["ticket"] = {**body["ticket"], "id": int(ticket_id), "url": f"https://acme.zendesk.com/api/v2/tickets/{ticket_id}.json"}
    zendesk_api(no_network, "GET", f"tickets/{ticket_id}.json", json=body)
    zendesk_api(no_network, "PUT", f"tickets/{ticket_id}.json", json=body)


def test_eight_confirms_at_once_never_pass_the_per_ticket_limit(app, client, db, shop, agent, stripe_account,
                                                                 no_network):
    # The attack: eight $90 previews on one ticket (each within the $100 per-ticket limit on its own), confirmed at
    # the same moment against a real threaded server. Before the limit lock, PostgreSQL refunded $270.
    no_network.add_passthru("http://127.0.0.1")
    stripe_api(no_network, "GET", f"charges/{YEARLY}", "charge__yearly")
    previews = [previewed(client, agent, charge_id=YEARLY, amount="90.00") for _ in range(8)]
    assert {p["verdict"] for p in previews} == {"allow"}
    with serving(app) as base_url:
        outcomes = all_at_once([(f"{base_url}/api/billing/actions/{p['id']}/confirm", agent) for p in previews])
    assert sorted(state for _, state in outcomes) == ["pending_approval"] * 7 + ["succeeded"]
    assert refunded_total(db, shop.id) == (1, 9_000) and stripe_account.call_count == 1


def test_eight_confirms_at_once_never_pass_the_per_agent_day_limit(app, client, db, shop, agent, stripe_account,
                                                                    no_network):
    # Eight $90 refunds on eight tickets against the $300 allowance of 24 hours: three go through, five wait.
    no_network.add_passthru("http://127.0.0.1")
    stripe_api(no_network, "GET", f"charges/{YEARLY}", "charge__yearly")
    tickets = [str(40_001 + n) for n in range(8)]
    for ticket in tickets:
        other_ticket(no_network, ticket)
    previews = [previewed(client, agent, charge_id=YEARLY, amount="90.00", ticket_id=ticket) for ticket in tickets]
    with serving(app) as base_url:
        outcomes = all_at_once([(f"{base_url}/api/billing/actions/{p['id']}/confirm", agent) for p in previews])
    assert sorted(state for _, state in outcomes) == ["pending_approval"] * 5 + ["succeeded"] * 3
    assert refunded_total(db, shop.id) == (3, 27_000) and stripe_account.call_count == 3


def test_action_ids_are_random_and_say_nothing_about_other_installations(app, client, db, shop, agent,
                                                                          stripe_account, make_installation):
    # Action ids were one global sequence: the gap between two of ours counted everyone else's refunds.
    first = previewed(client, agent)
    other = make_installation(kind="zendesk", account="initech", secrets={})
    with db.tenant(other.id) as session:
        session.add(BillingAction(kind="refund", state="previewed", provider="stripe", ticket_id="1", agent_id="x",
                                  agent_name="X", customer_id="cus_x", currency="usd", amount=100, reason="other",
                                  verdict="allow", verdict_reason="-"))
    second = previewed(client, agent)
    for preview in (first, second):
        assert re.fullmatch(r"[0-9a-f]{24}", preview["id"]) and not preview["id"].isdigit()
    with db.tenant(shop.id) as session:
        internal = billing_action(session, first["id"]).id
    assert client.get(f"/api/billing/actions/{internal}", headers=agent).status_code == 404
    assert client.get(f"/api/billing/actions/{first['id']}", headers=agent).json["id"] == first["id"]
    client.post(f"/api/billing/actions/{first['id']}/confirm", headers=agent)
    sent = parse_qs(stripe_account.calls[0].request.body)
    assert sent["metadata[valuedesk_action]"] == [first["id"]]
    assert stripe_account.calls[0].request.headers["Idempotency-Key"] == f"valuedesk-{shop.id}-action-{first['id']}"
    trail = client.get("/api/admin/billing/audit.csv", headers=bearer(app, shop.id, agent_id="a", role="admin"))
    assert {line.split(",")[1] for line in trail.get_data(as_text=True).splitlines()[1:]} == {first["id"]}


def test_crash_after_the_stripe_call_is_reconciled_without_a_second_refund(app, client, db, shop, agent,
                                                                            stripe_account, no_network, monkeypatch):
    preview = previewed(client, agent)
    real_succeed = actions._succeed

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed between the Stripe call and the database write")

    monkeypatch.setattr(actions, "_succeed", crash)
    assert client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent).status_code == 500
    monkeypatch.setattr(actions, "_succeed", real_succeed)
    with db.tenant(shop.id) as session:
        assert billing_action(session, preview["id"]).state == "executing"
    refund = dict(load_fixture("stripe", "api/refund"), metadata={"valuedesk_action": preview["id"]})
    stripe_api(no_network, "GET", "refunds", json={"object": "list", "data": [refund], "has_more": False})
    with app.app_context():
        from adapter.providers import billing_client
        with db.tenant(shop.id) as session:
            billing = billing_client(session, session.get(type(shop), shop.id))
        assert actions.reconcile(shop, billing, now=clock.now() + timedelta(minutes=3), db=db) == 1
    with db.tenant(shop.id) as session:
        action = billing_action(session, preview["id"])
        assert (action.state, action.external_id, action.attempts) == ("succeeded", refund["id"], 2)
    assert stripe_account.call_count == 1


def test_a_retry_after_an_outage_reuses_the_idempotency_key(client, shop, agent, stripe_account, no_network):
    no_network.replace("POST", "https://api.stripe.com/v1/refunds", body=requests.ConnectionError("reset by peer"))
    preview = previewed(client, agent)
    failed = client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent).json
    assert (failed["state"], failed["retryable"]) == ("failed", True)
    assert "could not be reached" in failed["error"] and "never go through twice" in failed["error"]
    stripe_api(no_network, "GET", "refunds", "refunds_list__empty")
    no_network.replace("POST", "https://api.stripe.com/v1/refunds", json=load_fixture("stripe", "api/refund"))
    retried = client.post(f"/api/billing/actions/{preview['id']}/retry", headers=agent).json
    assert retried["state"] == "succeeded"
    posts = [c for c in no_network.calls if c.request.method == "POST" and c.request.url.endswith("/v1/refunds")]
    assert len(posts) == 2 and posts[0].request.headers["Idempotency-Key"] == posts[1].request.headers["Idempotency-Key"]


@pytest.mark.parametrize("fixture, status, retryable, words", [
    ("error_card", 402, False, "declined"),
    ("error_invalid_request", 400, False, "already been refunded"),
    ("error_rate_limit", 429, True, "rate limiting"),
    ("error_permission", 403, False, "lacks a permission"),
])
def test_stripe_errors_leave_a_failed_action_with_a_clear_message(client, db, shop, agent, stripe_account, no_network,
                                                                   fixture, status, retryable, words):
    no_network.replace("POST", "https://api.stripe.com/v1/refunds", json=load_fixture("stripe", f"api/{fixture}"),
                       status=status)
    preview = previewed(client, agent)
    failed = client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent).json
    assert (failed["state"], failed["retryable"]) == ("failed", retryable) and words in failed["error"]
    assert [e[0] for e in audit_events(db, shop.id)] == ["confirmed", "failed"]
    assert notes(no_network) == []


def test_partial_refunds_up_to_the_remainder(client, shop, agent, stripe_account, no_network):
    first = previewed(client, agent, amount="30")
    client.post(f"/api/billing/actions/{first['id']}/confirm", headers=agent)
    no_network.replace("GET", f"https://api.stripe.com/v1/charges/{CHARGE}",
                       json=load_fixture("stripe", "api/charge__partly_refunded"))  # $30.00 of $40.00 refunded
    over = client.post("/api/billing/preview", headers=agent, json=refund_body(amount="10.01"))
    assert over.status_code == 400 and over.json["error"]["code"] == "above_refundable"
    assert "Only $10.00 of this $40.00 charge" in over.json["error"]["message"]
    rest = previewed(client, agent, amount="10")
    assert rest["remaining_text"] == "$0.00"


def test_jpy_amounts_have_no_minor_units(client, shop, agent, stripe_account):
    ok = previewed(client, agent, charge_id=JPY_CHARGE, amount="1500")
    assert (ok["amount"], ok["currency"], ok["amount_text"]) == (1500, "jpy", "¥1,500")
    half = client.post("/api/billing/preview", headers=agent, json=refund_body(charge_id=JPY_CHARGE, amount="12.5"))
    assert half.status_code == 400 and "JPY has no minor units" in half.json["error"]["message"]


def test_above_the_limit_a_lead_approves_and_it_executes(client, db, shop, agent, lead, stripe_account, no_network):
    client.patch("/api/admin/billing/policy", headers=bearer(client.application, shop.id, agent_id="a", name="Ada",
                                                             role="admin"), json={"refund_per_ticket": {"usd": 1000}})
    preview = previewed(client, agent)
    assert preview["verdict"] == "approval" and "$10.00 per-ticket limit" in preview["verdict_reason"]
    waiting = client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent).json
    assert waiting["state"] == "pending_approval" and stripe_account.call_count == 0
    assert "waits for a lead's approval" in notes(no_network)[0]
    assert [a["id"] for a in client.get("/api/billing/approvals", headers=lead).json] == [preview["id"]]
    assert client.get("/api/billing/approvals", headers=agent).status_code == 403
    assert client.post(f"/api/billing/actions/{preview['id']}/approve", headers=agent).status_code == 403
    approved = client.post(f"/api/billing/actions/{preview['id']}/approve", headers=lead).json
    assert (approved["state"], approved["approver_name"]) == ("succeeded", "Lee Okafor")
    assert stripe_account.call_count == 1
    assert notes(no_network)[-1] == "Refunded $12.00 of $40.00 (duplicate charge) by Sam Rivera, approved by Lee Okafor."
    assert [e[0] for e in audit_events(db, shop.id)] == ["approval_requested", "approved", "succeeded"]
    assert client.post(f"/api/billing/actions/{preview['id']}/approve", headers=lead).json["state"] == "succeeded"


def test_a_lead_declines_with_a_reason_the_agent_sees(client, db, shop, agent, lead, stripe_account, no_network):
    client.patch("/api/admin/billing/policy", headers=bearer(client.application, shop.id, agent_id="a", name="Ada",
                                                             role="admin"), json={"refund_per_ticket": {"usd": 1000}})
    preview = previewed(client, agent)
    client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent)
    assert client.post(f"/api/billing/actions/{preview['id']}/decline", headers=lead, json={}).status_code == 422
    declined = client.post(f"/api/billing/actions/{preview['id']}/decline", headers=lead,
                           json={"reason": "Refunded last month already; offer a coupon instead."}).json
    assert declined["state"] == "declined"
    mine = client.get("/api/billing/actions/mine", headers=agent).json
    assert mine[0]["decline_reason"] == "Refunded last month already; offer a coupon instead."
    assert stripe_account.call_count == 0
    assert client.post(f"/api/billing/actions/{preview['id']}/approve", headers=lead).status_code == 409


def test_deny_policy_refuses_to_confirm(client, shop, agent, stripe_account):
    client.patch("/api/admin/billing/policy", headers=bearer(client.application, shop.id, agent_id="a", name="Ada",
                                                             role="admin"),
                 json={"refund_per_ticket": {"usd": 1000}, "above_limit": "deny"})
    preview = previewed(client, agent)
    assert preview["verdict"] == "deny"
    refused = client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "policy_denied"
    assert stripe_account.call_count == 0


def test_coupon_with_a_one_customer_promotion_code(client, db, shop, agent, stripe_account, no_network):
    coupon = stripe_api(no_network, "POST", "coupons", "coupon")
    promo = stripe_api(no_network, "POST", "promotion_codes", "promotion_code")
    preview = client.post("/api/billing/preview", headers=agent, json={
        "kind": "coupon", "ticket_id": TICKET, "customer_id": CUSTOMER, "percent_off": 20, "expires_days": 30,
        "reason": "service_issue"}).json
    assert preview["verdict"] == "allow" and preview["code"] is None
    done = client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent).json
    assert (done["state"], done["code"]) == ("succeeded", "NORTHWIND4K7QX")
    sent = {k: v[0] for k, v in parse_qs(promo.calls[0].request.body).items()}
    assert sent["customer"] == CUSTOMER and sent["max_redemptions"] == "1" and sent["code"].startswith("NORTHWIND")
    assert coupon.call_count == 1
    assert notes(no_network)[0].startswith("Created promotion code NORTHWIND4K7QX (20% off, one use, expires ")


def test_balance_credit(client, shop, agent, stripe_account, no_network):
    txn = stripe_api(no_network, "POST", f"customers/{CUSTOMER}/balance_transactions", "customer_balance_transaction")
    preview = client.post("/api/billing/preview", headers=agent, json={
        "kind": "credit", "ticket_id": TICKET, "customer_id": CUSTOMER, "amount": "10", "currency": "usd",
        "reason": "goodwill"}).json
    done = client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent).json
    assert done["state"] == "succeeded" and parse_qs(txn.calls[0].request.body)["amount"] == ["-1000"]
    assert notes(no_network) == ["Credited $10.00 to the customer's balance (goodwill gesture) by Sam Rivera."]


@pytest.mark.parametrize("fields, status, code", [
    ({"amount": "0"}, 400, "invalid_amount"),
    ({"amount": "-5"}, 400, "invalid_amount"),
    ({"amount": "40.01"}, 400, "above_refundable"),
    ({"amount": "12.001"}, 400, "invalid_amount"),
    ({"charge_id": "ch_nope"}, 404, "unknown_charge"),
    ({"currency": "eur"}, 400, "currency_mismatch"),
    ({"reason": "because"}, 422, "invalid_input"),
    ({"reason": "other"}, 400, "reason_text_required"),
    ({"customer_id": "cus_OtherPerson01"}, 404, "unknown_customer"),
    ({"charge_id": "ch_other"}, 404, "unknown_charge"),
    ({"amount": None}, 400, "amount_required"),
    ({"kind": "gift"}, 422, "invalid_input"),
])
def test_bad_input_is_refused_and_nothing_reaches_stripe(client, db, shop, agent, stripe_account, no_network,
                                                         fields, status, code):
    stripe_api(no_network, "GET", "charges/ch_nope", "error_no_such_charge", status=404)
    stripe_api(no_network, "GET", "charges/ch_other", "charge__other_customer")
    stripe_api(no_network, "GET", "customers/cus_OtherPerson01", "customer__other")
    response = client.post("/api/billing/preview", headers=agent, json=refund_body(**fields))
    assert (response.status_code, response.json["error"]["code"]) == (status, code), response.json
    assert stripe_account.call_count == 0
    with db.tenant(shop.id) as session:
        assert session.scalar(select(func.count()).select_from(BillingAction)) == 0


def test_another_installation_cannot_reach_these_actions_or_charges(app, client, make_installation, shop, agent,
                                                                    stripe_account, no_network):
    other = make_installation(kind="zendesk", account="globex", secrets={
        zendesk.EMAIL_CREDENTIAL: "ops@globex.example", zendesk.TOKEN_CREDENTIAL: "t", zendesk.SECRET_CREDENTIAL: "s",
        stripe.API_KEY_CREDENTIAL: "rk_test_51HxGlobexKey000000"})
    stranger = bearer(app, other.id, agent_id="agent-sam", name="Sam Rivera", role="admin", host="zendesk")
    ticket = dict(load_fixture("zendesk", "api/ticket")["ticket"], requester_id=1)
    no_network.add("GET", f"https://globex.zendesk.com/api/v2/tickets/{TICKET}.json", json={"ticket": ticket})
    no_network.add("GET", "https://globex.zendesk.com/api/v2/users/show_many.json",
                   json={"users": [{"id": 1, "name": "Gus", "email": "gus@globex.example", "role": "end-user"}]})
    no_network.add("GET", "https://globex.zendesk.com/api/v2/organizations/509974.json",
                   json=load_fixture("zendesk", "api/organization"))
    preview = previewed(client, agent)
    for method, path in (("get", f"/api/billing/actions/{preview['id']}"),
                         ("post", f"/api/billing/actions/{preview['id']}/confirm"),
                         ("post", f"/api/billing/actions/{preview['id']}/approve"),
                         ("post", f"/api/billing/actions/{preview['id']}/cancel")):
        assert getattr(client, method)(path, headers=stranger).status_code == 404, path
    charges = client.get(f"/api/billing/customers/{CUSTOMER}/charges", headers=stranger, query_string={"ticket_id": TICKET})
    assert charges.status_code == 404 and charges.json["error"]["code"] == "unknown_customer"
    assert client.get("/api/billing/approvals", headers=stranger).json == []
    assert stripe_account.call_count == 0


def test_execution_rechecks_the_remainder_and_never_over_refunds(client, db, shop, agent, stripe_account, no_network):
    preview = previewed(client, agent, amount="30")
    # Someone refunded $30.00 in the Stripe dashboard between the preview and the confirm.
    no_network.replace("GET", f"https://api.stripe.com/v1/charges/{CHARGE}",
                       json=load_fixture("stripe", "api/charge__partly_refunded"))
    failed = client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=agent).json
    assert failed["state"] == "failed" and "Only $10.00 is left to refund" in failed["error"]
    assert failed["retryable"] is False and stripe_account.call_count == 0


def test_unverified_agents_are_recorded_on_the_action(app, client, db, shop, stripe_account):
    preview = previewed(client, bearer(app, shop.id, agent_id="fd-77", name="Frankie", host="freshdesk",
                                       verified=False))
    with db.tenant(shop.id) as session:
        assert billing_action(session, preview["id"]).agent_verified is False


def test_admin_connects_and_disconnects_stripe(app, client, db, make_installation, no_network):
    from adapter.credentials import CredentialStore

    other = make_installation(kind="zendesk", account="initech", secrets={})
    admin = bearer(app, other.id, agent_id="a", name="Ada", role="admin", host="zendesk")
    path = "/api/admin/billing/stripe"
    assert client.put(path, headers=admin, json={"api_key": "pk_live_nope"}).status_code == 422
    assert client.put(path, headers=bearer(app, other.id), json={"api_key": "rk_test_51HxInitech0000"}).status_code == 403
    stripe_api(no_network, "GET", "customers", json={"error": {"message": "Invalid API Key provided",
                                                                "type": "invalid_request_error"}}, status=401)
    refused = client.put(path, headers=admin, json={"api_key": "rk_test_51HxInitech0000"})
    assert (refused.status_code, refused.json["error"]["code"]) == (400, "stripe_key_refused")
    assert "Stripe refused the API key" in refused.json["error"]["message"]
    with db.tenant(other.id) as session:
        assert CredentialStore(session, other.id).get(stripe.API_KEY_CREDENTIAL) is None
    no_network.replace("GET", "https://api.stripe.com/v1/customers", json=load_fixture("stripe", "api/customers_list__empty"))
    assert client.put(path, headers=admin, json={"api_key": "rk_test_51HxInitech0000",
                                                 "webhook_secret": "whsec_initechSecret01"}).status_code == 204
    with db.tenant(other.id) as session:
        assert CredentialStore(session, other.id).get(stripe.SECRET_CREDENTIAL) == "whsec_initechSecret01"
    assert client.delete(path, headers=admin).status_code == 204
    with db.tenant(other.id) as session:
        assert CredentialStore(session, other.id).names() == []


def test_the_worker_job_finishes_an_interrupted_execution(app, client, db, shop, agent, stripe_account, no_network):
    from adapter import jobs

    preview = previewed(client, agent)
    with db.tenant(shop.id) as session:  # as if the web process died right after claiming the execution
        action = billing_action(session, preview["id"])
        action.state, action.attempts = "executing", 1
        action.updated_at = clock.now() - timedelta(minutes=5)
    stripe_api(no_network, "GET", "refunds", "refunds_list__empty")
    with app.app_context():
        assert jobs.reconcile_billing() == 1
    with db.tenant(shop.id) as session:
        assert billing_action(session, preview["id"]).state == "succeeded"
    assert stripe_account.call_count == 1
    assert stripe_account.calls[0].request.headers["Idempotency-Key"] == f"valuedesk-{shop.id}-action-{preview['id']}"


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/tickets/abc", None),
    ("GET", "/api/tickets/12ab/billing", None),
    ("GET", f"/api/billing/customers/{CUSTOMER}/charges?ticket_id=abc", None),
    ("POST", "/api/billing/preview", refund_body(ticket_id="abc")),
    ("POST", "/api/billing/preview", refund_body(ticket_id="4²")),  # a digit to str.isdigit, not to Zendesk
])
def test_a_ticket_id_zendesk_cannot_have_is_a_404_with_a_message(client, agent, no_network, method, path, body):
    response = client.open(path, method=method, headers=agent, json=body)
    assert response.status_code == 404, response.json
    assert "ticket ids are numbers" in response.json["error"]["message"]
    assert not [call for call in no_network.calls if "zendesk.com" in call.request.url]
