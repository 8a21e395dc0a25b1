"""The whole refund and coupon flow against the playground's sandbox billing account."""

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
