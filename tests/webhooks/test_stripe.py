"""POST /webhooks/stripe/<installation>: signature, dedupe on the event id, and a refund that fails later."""

import json

import pytest
from sqlalchemy import select

from adapter import clock
from adapter.models import BillingAction
from adapter.models import BillingAudit
from adapter.models import WebhookReceipt
from adapter.providers import stripe
from adapter.providers import zendesk
from tests.conftest import load_fixture
from tests.support import stripe_headers
from tests.support import zendesk_api

SECRET = "whsec_acmeSecret123456"


@pytest.fixture
def shop(make_installation):
    return make_installation(kind="zendesk", account="acme", secrets={
        zendesk.EMAIL_CREDENTIAL: "priya@acme.example", zendesk.TOKEN_CREDENTIAL: "api-token",
        zendesk.SECRET_CREDENTIAL: "s", stripe.API_KEY_CREDENTIAL: "rk_test_51Hx2ValuedeskAcme00",
        stripe.SECRET_CREDENTIAL: SECRET})


def refunded_action(db, installation_id) -> int:
    with db.tenant(installation_id) as session:
        action = BillingAction(kind="refund", state="succeeded", provider="stripe", ticket_id="35436", agent_id="agent-sam",
                               agent_name="Sam Rivera", customer_id="cus_NffrFeUfNV2Hib", charge_id="ch_1",
                               charge_amount=4000, currency="usd", amount=1200, reason="duplicate_charge",
                               verdict="allow", verdict_reason="Within your limits.",
                               external_id="re_3MmlLrLkdIwHu7ix0M6nJ4Ik", external_status="succeeded", attempts=1,
                               retryable=False)
        session.add(action)
        session.flush()
        return action.id


def post(client, installation_id, payload: dict, secret: str = SECRET, **kwargs):
    body = json.dumps(payload).encode()
    return client.post(f"/webhooks/stripe/{installation_id}", data=body, headers=stripe_headers(secret, body, **kwargs))


def test_refund_failed_marks_the_action_and_notes_the_ticket(client, db, shop, no_network):
    note = zendesk_api(no_network, "PUT", "tickets/35436.json", "ticket")
    action_id = refunded_action(db, shop.id)
    response = post(client, shop.id, load_fixture("stripe", "refund.failed"))
    assert response.status_code == 202, response.json
    with db.tenant(shop.id) as session:
        action = session.get(BillingAction, action_id)
        assert (action.state, action.external_status) == ("failed", "failed")
        assert "expired or canceled card" in action.error
        assert [a.event for a in session.scalars(select(BillingAudit))] == ["refund_failed"]
    body = json.loads(note.calls[0].request.body)["ticket"]["comment"]["body"]
    assert "refund of $12.00 by Sam Rivera failed after it was sent" in body
    # Stripe retries deliveries: the same event id is stored once.
    assert post(client, shop.id, load_fixture("stripe", "refund.failed")).json == {"status": "duplicate"}


def test_refund_updated_only_records_the_status(client, db, shop):
    action_id = refunded_action(db, shop.id)
    assert post(client, shop.id, load_fixture("stripe", "refund.updated")).status_code == 202
    with db.tenant(shop.id) as session:
        assert session.get(BillingAction, action_id).state == "succeeded"


@pytest.mark.parametrize("secret, offset", [("whsec_wrongSecret000000", 0), (SECRET, -301)])
def test_bad_or_stale_signatures_are_refused_and_nothing_is_stored(client, db, shop, secret, offset):

    response = post(client, shop.id, load_fixture("stripe", "refund.failed"), secret=secret,
                    timestamp=int(clock.wall().timestamp()) + offset)
    assert response.status_code == 401
    with db.tenant(shop.id) as session:
        assert session.scalars(select(WebhookReceipt)).all() == []


def test_events_we_do_not_use_are_acknowledged_without_storing(client, shop):
    assert post(client, shop.id, load_fixture("stripe", "customer.updated")).status_code == 204
