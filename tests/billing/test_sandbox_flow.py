"""The whole refund and coupon flow against the playground's sandbox billing account."""

import pytest
from sqlalchemy import select

from adapter.installations import PLAYGROUND_ID
from adapter.models import BillingAudit
from adapter.models import PlaygroundComment

ELENA_TICKET = "3"


def test_refund_preview_then_confirm_writes_note_and_audit(client, db, playground, sam):
    billing = client.get(f"/api/tickets/{ELENA_TICKET}/billing", headers=sam).json
    assert billing["sandbox"] is True and [c["id"] for c in billing["customers"]] == ["cus_sbx_elena"]
    charges = client.get("/api/billing/customers/cus_sbx_elena/charges", headers=sam,
                         query_string={"ticket_id": ELENA_TICKET}).json
    duplicate = next(c for c in charges if c["id"] == "ch_sbx_elena_dup")
    assert (duplicate["refundable"], duplicate["refundable_text"]) == (4900, "$49.00")
    preview = client.post("/api/billing/preview", headers=sam, json={
        "kind": "refund", "ticket_id": ELENA_TICKET, "customer_id": "cus_sbx_elena", "charge_id": "ch_sbx_elena_dup",
        "amount": "12.00", "reason": "duplicate_charge"})
    assert preview.status_code == 201, preview.json
    assert (preview.json["state"], preview.json["verdict"], preview.json["remaining_text"]) == ("previewed", "allow", "$37.00")
    done = client.post(f"/api/billing/actions/{preview.json['id']}/confirm", headers=sam)
    assert done.status_code == 200, done.json
    assert done.json["state"] == "succeeded" and done.json["external_id"].startswith("re_sbx_")
    again = client.post(f"/api/billing/actions/{preview.json['id']}/confirm", headers=sam)
    assert again.json["external_id"] == done.json["external_id"]
    with db.tenant(PLAYGROUND_ID) as session:
        notes = [c.body for c in session.scalars(select(PlaygroundComment).where(PlaygroundComment.public.is_(False)))]
        events = [a.event for a in session.scalars(select(BillingAudit))]
    assert any(n.startswith("Refunded $12.00 of $49.00 (duplicate charge) by Sam Rivera.") for n in notes), notes
    assert events == ["confirmed", "succeeded"]
    left = client.get("/api/billing/customers/cus_sbx_elena/charges", headers=sam,
                      query_string={"ticket_id": ELENA_TICKET}).json
    assert next(c for c in left if c["id"] == "ch_sbx_elena_dup")["refundable"] == 3700


def test_coupons_on_one_ticket_need_a_lead_after_the_first(client, db, playground, sam):
    # The attack: six $25 coupons and three 25% coupons on one ticket, each within the per-coupon limit, all went
    # through without a lead. Now the first does and the rest wait for approval.
    outcomes = []
    for discount in [{"amount": "25.00", "currency": "usd"}] * 6 + [{"percent_off": 25}] * 3:
        preview = client.post("/api/billing/preview", headers=sam, json={
            "kind": "coupon", "ticket_id": "1", "customer_id": "cus_sbx_dana", "reason": "goodwill", **discount}).json
        done = client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=sam).json
        outcomes.append((done["state"], done["verdict_reason"]))
    assert [state for state, _ in outcomes] == ["succeeded"] + ["pending_approval"] * 8
    assert outcomes[1][1].startswith("This ticket already has 1 coupon; more than 1 coupon per ticket need approval.")


@pytest.mark.parametrize("change, field, words", [
    ({"coupons_per_ticket": -1}, "coupons_per_ticket", "The number of coupons per ticket is a whole number from 0 to 1000"),
    ({"coupons_per_agent_day": 1001}, "coupons_per_agent_day", "coupons per agent in 24 hours is a whole number"),
    ({"coupon_value_per_ticket": {"usd": -1}}, "coupon_value_per_ticket", "coupon_value_per_ticket: limits are whole"),
    ({"coupon_value_per_agent_day": {"dollars": 5}}, "coupon_value_per_agent_day", "three-letter currency"),
])
def test_coupon_caps_are_validated_by_the_admin_api(client, playground, priya, change, field, words):
    refused = client.patch("/api/admin/billing/policy", headers=priya, json=change)
    assert refused.status_code == 400 and words in refused.json["error"]["message"]
    assert field in refused.json["error"]["fields"]
    assert client.get("/api/admin/billing/policy", headers=priya).json["coupons_per_ticket"] == 1  # unchanged


def test_coupon_caps_are_set_by_the_admin_api(client, playground, priya, sam):
    saved = client.patch("/api/admin/billing/policy", headers=priya, json={
        "coupons_per_ticket": 3, "coupons_per_agent_day": 20, "coupon_value_per_ticket": {"USD": 6000}})
    assert saved.status_code == 200, saved.json
    assert (saved.json["coupons_per_ticket"], saved.json["coupon_value_per_ticket"]) == (3, {"usd": 6000})
    assert client.patch("/api/admin/billing/policy", headers=sam, json={"coupons_per_ticket": 9}).status_code == 403
