"""The console's refunds page: approve or decline waiting requests (with CSRF), the policy and the audit CSV."""

from sqlalchemy import select

from adapter import clock
from adapter.installations import PLAYGROUND_ID
from adapter.models import BillingAction
from tests.console.support import csrf
from tests.support import bearer
from tests.support import billing_action


def waiting_refund(client, sam, amount="250") -> str:
    preview = client.post("/api/billing/preview", headers=sam, json={
        "kind": "refund", "ticket_id": "1", "customer_id": "cus_sbx_dana", "charge_id": "ch_sbx_dana_year",
        "amount": amount, "reason": "service_issue"}).json
    assert client.post(f"/api/billing/actions/{preview['id']}/confirm", headers=sam).json["state"] == "pending_approval"
    return preview["id"]


def test_an_admin_approves_from_the_console(app, client, db, playground, sam):
    action_id = waiting_refund(client, sam)
    console = app.test_client()
    console.get("/playground/console")  # signs in as the playground's admin
    page = console.get("/admin/refunds")
    assert page.status_code == 200 and b"Waiting for approval" in page.data and b"Refund of $250.00" in page.data
    assert console.post(f"/admin/refunds/{action_id}/approve").status_code == 400  # no CSRF token
    done = console.post(f"/admin/refunds/{action_id}/approve", data={"csrf_token": csrf(page.data)}, follow_redirects=True)
    assert b"is done" in done.data
    with db.tenant(PLAYGROUND_ID) as session:
        action = billing_action(session, action_id)
        assert (action.state, action.approver_name) == ("succeeded", "Priya Natarajan")
    csv = console.get("/admin/refunds/audit.csv").get_data(as_text=True).splitlines()
    assert csv[0].startswith("created_at,action_id,event") and [line.split(",")[2] for line in csv[1:]] == \
        ["approval_requested", "approved", "succeeded"]


def test_declining_needs_a_reason(app, client, db, playground, sam):
    action_id = waiting_refund(client, sam)
    console = app.test_client()
    console.get("/playground/console")
    token = csrf(console.get("/admin/refunds").data)
    empty = console.post(f"/admin/refunds/{action_id}/decline", data={"csrf_token": token}, follow_redirects=True)
    assert b"Say why you decline" in empty.data
    console.post(f"/admin/refunds/{action_id}/decline", data={"csrf_token": token, "reason": "Use a coupon"})
    with db.tenant(PLAYGROUND_ID) as session:
        assert session.scalar(select(BillingAction.decline_reason)) == "Use a coupon"


def test_the_audit_trail_filters_and_exports_what_it_shows(app, client, db, playground, sam):
    first = waiting_refund(client, sam, "250")  # ticket 1, above the limit: approval requested, then declined
    second = client.post("/api/billing/preview", headers=sam, json={  # ticket 3, within the limit: done at once
        "kind": "refund", "ticket_id": "3", "customer_id": "cus_sbx_elena", "charge_id": "ch_sbx_elena_dup",
        "amount": "49", "reason": "duplicate_charge"}).json["id"]
    assert client.post(f"/api/billing/actions/{second}/confirm", headers=sam).json["state"] == "succeeded"
    console = app.test_client()
    console.get("/playground/console")
    token = csrf(console.get("/admin/refunds").data)
    console.post(f"/admin/refunds/{first}/decline", data={"csrf_token": token, "reason": "Outside the policy"})
    page = console.get("/admin/refunds?event=declined").get_data(as_text=True)
    assert page.count("<td>declined</td>") == 1 and "<td>approval requested</td>" not in page
    assert 'href="/admin/refunds/audit.csv?event=declined"' in page and "Download the filtered rows (CSV)" in page
    assert '<a class="btn" href="/admin/refunds/audit.csv" download>Download the whole trail (CSV)</a>' in page
    rows = console.get("/admin/refunds/audit.csv?ticket=3&kind=refund").get_data(as_text=True)
    assert [line.split(",")[1:3] for line in rows.splitlines()[1:]] == [[str(second), "confirmed"],
                                                                         [str(second), "succeeded"]]
    rows = console.get("/admin/refunds/audit.csv?event=approval_requested&ticket=1").get_data(as_text=True)
    assert [line.split(",")[1:3] for line in rows.splitlines()[1:]] == [[str(first), "approval_requested"]]
    today = clock.now().date().isoformat()
    assert len(console.get(f"/admin/refunds/audit.csv?since={today}&until={today}").get_data(as_text=True).splitlines()) == 5
    assert len(console.get("/admin/refunds/audit.csv?until=2000-01-01").get_data(as_text=True).splitlines()) == 1
    assert "No audit entry matches" in console.get("/admin/refunds?kind=credit").get_data(as_text=True)
    for bad, message in (("since=yesterday", "since must be a date"), ("kind=cash", "kind is one of"),
                         ("event=teleported", "There is no audit step")):
        refused = console.get(f"/admin/refunds?{bad}", follow_redirects=True).get_data(as_text=True)
        assert message in refused.replace("&#39;", "'")
    api = client.get("/api/admin/billing/audit.csv?kind=cash", headers=bearer(app, PLAYGROUND_ID, agent_id="agent-priya",
                                                                                name="Priya", role="admin"))
    assert api.status_code == 400 and api.json["error"]["fields"] == {"kind": "refund|coupon|credit"}
