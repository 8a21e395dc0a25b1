"""Zendesk deliveries through the real route: verified, stored, deduped, processed with the comment read from the API."""

import pytest
from huey.exceptions import RetryTask
from sqlalchemy import select

from adapter import dispatch
from adapter import jobs
from adapter.events import CommentAdded
from adapter.models import WebhookReceipt
from adapter.providers import zendesk
from tests.conftest import fixture_bytes
from tests.support import api_fixture
from tests.support import zendesk_api
from tests.support import zendesk_headers

SECRET = "zendesk-signing-secret"


@pytest.fixture
def installation(make_installation):
    return make_installation(kind="zendesk", account="acme", secrets={
        zendesk.SECRET_CREDENTIAL: SECRET, zendesk.EMAIL_CREDENTIAL: "priya@acme.example",
        zendesk.TOKEN_CREDENTIAL: "api-token"})


@pytest.fixture
def seen(monkeypatch):
    events = []

    def record(event, ctx):
        events.append((event, ctx.comment(event.ticket_id, event.comment_id).body))

    monkeypatch.setitem(dispatch.HANDLERS, CommentAdded, (record,))
    return events


def post(client, installation, fixture, invocation_id="inv-1", secret=SECRET):
    body = fixture_bytes("zendesk", fixture)
    return client.post(f"/webhooks/zendesk/{installation.id}", data=body,
                       headers=zendesk_headers(secret, body, invocation_id=invocation_id))


def test_trigger_delivery_is_resolved_through_the_api(client, installation, seen, no_network):
    zendesk_api(no_network, "GET", "tickets/35436/comments.json", "ticket_comments")
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    response = post(client, installation, "trigger_comment_added")
    assert response.status_code == 202
    [(event, body)] = seen
    assert (event.author_role, event.public, event.comment_id) == ("customer", True, "1274")
    assert body == "Still failing today, our accountant is waiting."
    # One listing served both the role lookup and the handler's read.
    assert len([c for c in no_network.calls if "comments.json" in c.request.url]) == 1


def test_event_subscription_delivery_needs_no_lookup_for_role(client, installation, seen, no_network):
    zendesk_api(no_network, "GET", "tickets/35436/comments.json", "ticket_comments")
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    assert post(client, installation, "ticket_comment_added").status_code == 202
    assert seen[0][0].author_role == "customer"


def test_replayed_invocation_is_a_duplicate(client, installation, seen, no_network):
    zendesk_api(no_network, "GET", "tickets/35436/comments.json", "ticket_comments")
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    assert post(client, installation, "trigger_comment_added").status_code == 202
    assert post(client, installation, "trigger_comment_added").status_code == 200
    assert len(seen) == 1


def test_wrong_secret_is_401_and_nothing_stored(client, db, installation, seen):
    response = post(client, installation, "trigger_comment_added", secret="not-the-secret")
    assert response.status_code == 401
    with db.system() as session:
        assert session.scalars(select(WebhookReceipt)).all() == []


def test_ignored_event_is_204(client, installation):
    assert post(client, installation, "ticket_priority_changed").status_code == 204


def test_rate_limited_lookup_is_retried_after_retry_after(db, installation, seen, no_network, client, monkeypatch):
    zendesk_api(no_network, "GET", "tickets/35436/comments.json", "error_rate_limited", status=429,
                headers={"Retry-After": "45"})
    # Run the job by hand to see the retry it asks Huey for (immediate mode swallows it).
    from adapter import intake

    monkeypatch.setattr(intake, "enqueue_processing", lambda receipt_id: True)
    response = post(client, installation, "trigger_comment_added")
    with pytest.raises(RetryTask) as info:
        jobs.process_receipt(response.json["receipt_id"])
    assert info.value.delay == 45
    with db.system() as session:
        receipt = session.get(WebhookReceipt, response.json["receipt_id"])
        assert receipt.status == "pending" and "rate limiting" in receipt.last_error
    no_network.replace("GET", "https://acme.zendesk.com/api/v2/tickets/35436/comments.json",
                       json=api_fixture("zendesk", "ticket_comments"))
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    jobs.process_receipt(response.json["receipt_id"])
    with db.system() as session:
        assert session.get(WebhookReceipt, response.json["receipt_id"]).status == "done"
    assert len(seen) == 1


# The Zendesk app's own webhook (requirements.json): one address for every account, told apart by the webhook's id.

APP_WEBHOOK = "01GSAK5KXNEV4JHCB0AKTE0BX4"  # the X-Zendesk-Webhook-Id zendesk_headers sends


def _record_webhook(db, installation_id: str, webhook_id: str) -> None:
    from adapter.models import Installation

    with db.system() as session:
        row = session.get(Installation, installation_id)
        row.settings = {**(row.settings or {}), "zendesk": {"webhook_id": webhook_id, "connected_by": "oauth"}}


def _receipts(db, installation_id: str) -> int:
    with db.system() as session:
        return len(session.scalars(select(WebhookReceipt).where(WebhookReceipt.installation_id == installation_id))
                   .all())


def post_to_app_webhook(client, fixture, secret=SECRET, webhook_id=APP_WEBHOOK):
    body = fixture_bytes("zendesk", fixture)
    headers = {**zendesk_headers(secret, body), "X-Zendesk-Webhook-Id": webhook_id}
    return client.post("/webhooks/zendesk", data=body, headers=headers)


def test_the_apps_webhook_reaches_the_installation_that_connected_it(client, db, installation, seen, no_network):
    _record_webhook(db, installation.id, APP_WEBHOOK)
    zendesk_api(no_network, "GET", "tickets/35436/comments.json", "ticket_comments")
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    response = post_to_app_webhook(client, "trigger_comment_added")
    assert response.status_code == 202, response.json
    assert seen and seen[0][0].installation_id == installation.id and _receipts(db, installation.id) == 1


def test_another_accounts_webhook_id_does_not_open_this_installation(client, db, installation, make_installation,
                                                                     seen):
    other = make_installation(kind="zendesk", account="globex", secrets={zendesk.SECRET_CREDENTIAL: "globex-secret"})
    _record_webhook(db, installation.id, APP_WEBHOOK)
    _record_webhook(db, other.id, "01GLOBEXWEBHOOK0000000000")
    # Signed with globex's secret but naming acme's webhook: checked against acme's secret, refused.
    refused = post_to_app_webhook(client, "trigger_comment_added", secret="globex-secret")
    assert refused.status_code == 401
    assert _receipts(db, installation.id) == 0 and _receipts(db, other.id) == 0 and seen == []


def test_a_webhook_no_installation_connected_is_refused_plainly(client, db, installation, seen):
    response = post_to_app_webhook(client, "trigger_comment_added", webhook_id="01UNKNOWN")
    assert response.status_code == 404 and "Connect Valuedesk to Zendesk" in response.json["error"]["message"]
    missing = client.post("/webhooks/zendesk", data=b"{}", headers={"Content-Type": "application/json"})
    assert missing.status_code == 404 and _receipts(db, installation.id) == 0 and seen == []
