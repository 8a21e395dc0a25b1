"""The vendor registry: a helpdesk added by one registry line works end to end (webhook to tag write-back)."""

import json
from datetime import UTC
from datetime import datetime

import pytest

from adapter import providers
from adapter.headers import content_security_policy
from adapter.installations import normalise_account
from adapter.models import Suggestion
from adapter.providers.base import Comment
from adapter.providers.base import Ticket
from adapter.providers.vendor import BILLING
from adapter.providers.vendor import HELPDESK
from adapter.providers.vendor import TRACKER
from adapter.sidebar.packaging import PACKAGERS
from tests.providers import fakedesk
from tests.support import bearer

SECRET = "fakedesk-signing-secret"
COMPLAINT = "The CSV export crashes every time I click it. This is broken and my accountant is waiting."


@pytest.fixture
def fakedesk_registered(monkeypatch):
    """Fakedesk joins the registry (the one line a new helpdesk adds) with one account in its cloud."""
    monkeypatch.setattr(providers, "VENDORS", [*providers.VENDORS, fakedesk.VENDOR])
    ticket = Ticket(id="7", subject="Export broken", status="open", requester_name="Mia Chen",
                    requester_email="mia@northwind.example", organization="Northwind Traders", assignee_id="fd-ada",
                    assignee_name="Ada Agent", tags=("export",), url="https://acme.fakedesk.test/tickets/7")
    comment = Comment(id="70", ticket_id="7", author_role="customer", author_id="c-1", author_name="Mia Chen",
                      body=COMPLAINT, public=True, created_at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
    monkeypatch.setitem(fakedesk.ACCOUNTS, "acme", fakedesk.Account(tickets={"7": ticket}, comments={"7": [comment]}))
    return fakedesk.ACCOUNTS["acme"]


def test_every_role_has_its_vendors():
    assert providers.helpdesk_kinds() == ("zendesk", "freshdesk", "playground")
    assert [v.name for v in providers.vendors(TRACKER)] == ["jira", "linear", "sandbox"]
    assert [v.name for v in providers.vendors(BILLING)] == ["stripe", "sandbox"]
    assert providers.webhook_source("zendesk") is providers.zendesk
    assert providers.webhook_source("sandbox") is None  # the sandboxes send no webhooks


def test_a_registered_helpdesk_is_an_installation_kind_with_its_origins(fakedesk_registered):
    assert fakedesk.VENDOR.role == HELPDESK and "fakedesk" in providers.helpdesk_kinds()
    assert normalise_account("fakedesk", "https://acme.fakedesk.test/tickets/7") == "acme"
    policy = content_security_policy(framed_by_helpdesk=True, nonce=None)
    assert "https://*.fakedesk.test" in policy and "https://*.zendesk.com" in policy


def test_fake_helpdesk_webhook_to_suggestion_to_confirm_to_tag(app, client, db, make_installation,
                                                                fakedesk_registered):
    installation = make_installation(kind="fakedesk", account="acme.fakedesk.test",
                                     secrets={fakedesk.SECRET_CREDENTIAL: SECRET})
    assert installation.id.startswith("fk-acme-")
    body = json.dumps({"event": "comment.created", "ticket_id": "7", "comment_id": "70"}).encode()
    unsigned = client.post(f"/webhooks/fakedesk/{installation.id}", data=body,
                           headers={"Content-Type": "application/json", fakedesk.DELIVERY_HEADER: "d-0",
                                    fakedesk.SIGNATURE_HEADER: fakedesk.sign("not-the-secret", body)})
    assert unsigned.status_code == 401
    delivered = client.post(f"/webhooks/fakedesk/{installation.id}", data=body,
                            headers={"Content-Type": "application/json", fakedesk.DELIVERY_HEADER: "d-1",
                                     fakedesk.SIGNATURE_HEADER: fakedesk.sign(SECRET, body)})
    assert delivered.status_code in (200, 202), delivered.get_data(as_text=True)
    with db.tenant(installation.id) as session:
        suggestion = session.query(Suggestion).filter_by(ticket_id="7", comment_id="70").one()
        suggestion_id, type_key = suggestion.id, suggestion.type_key
    assert fakedesk_registered.tag_writes == []  # nothing is written before an agent confirms

    confirmed = client.post(f"/api/suggestions/{suggestion_id}/confirm",
                            headers=bearer(app, installation.id, agent_id="fd-ada", name="Ada Agent", host="fakedesk"),
                            json={})
    assert confirmed.status_code == 201, confirmed.get_data(as_text=True)
    assert confirmed.json["organization"] == "Northwind Traders"
    assert fakedesk_registered.tag_writes == [("7", (f"vd_{type_key}",))]
    assert f"vd_{type_key}" in fakedesk_registered.tickets["7"].tags


def test_every_helpdesk_that_frames_the_sidebar_has_an_app_packager():
    assert set(PACKAGERS) == {v.name for v in providers.vendors(HELPDESK) if v.frame_ancestors} == {"zendesk", "freshdesk"}
