"""Tag write-back through a real provider: confirming on a Zendesk installation sends PUT /tickets/{id}/tags."""

import json

import pytest
from huey.exceptions import RetryTask

from adapter import jobs
from adapter import queue
from adapter.models import Suggestion
from adapter.providers import zendesk
from tests.support import bearer
from tests.support import zendesk_api


@pytest.fixture
def zendesk_installation(make_installation, db):
    inst = make_installation(kind="zendesk", account="acme", secrets={
        zendesk.EMAIL_CREDENTIAL: "priya@acme.example", zendesk.TOKEN_CREDENTIAL: "api-token",
        zendesk.SECRET_CREDENTIAL: "s"})
    with db.tenant(inst.id) as session:
        session.add(Suggestion(ticket_id="35436", comment_id="1274", type_key="bug", score=0.9,
                               quote="Still failing today, our accountant is waiting.", source="rules"))
    return inst


def ticket_lookups(mock):
    zendesk_api(mock, "GET", "tickets/35436.json", "ticket")
    zendesk_api(mock, "GET", "users/show_many.json", "users_show_many")
    zendesk_api(mock, "GET", "organizations/509974.json", "organization")


def test_confirm_puts_the_type_tag_on_the_zendesk_ticket(app, client, db, zendesk_installation, no_network):
    ticket_lookups(no_network)
    tags = zendesk_api(no_network, "PUT", "tickets/35436/tags.json", json={"tags": ["enterprise", "export", "vd_bug"]})
    with db.tenant(zendesk_installation.id) as session:
        suggestion_id = session.query(Suggestion.id).scalar()
    response = client.post(f"/api/suggestions/{suggestion_id}/confirm", headers=bearer(app, zendesk_installation.id),
                           json={"new_theme_title": "Exports fail"})
    assert response.status_code == 201
    assert response.json["organization"] == "Northwind Traders"
    assert json.loads(tags.calls[0].request.body) == {"tags": ["vd_bug"]}


def test_zendesk_rate_limit_delays_the_tag_and_loses_nothing(app, client, db, zendesk_installation, no_network,
                                                              monkeypatch, frozen_clock):
    ticket_lookups(no_network)
    zendesk_api(no_network, "PUT", "tickets/35436/tags.json", "error_rate_limited", status=429,
                headers={"Retry-After": "30"})
    sent = []
    monkeypatch.setattr(queue, "enqueue", lambda name, item_id: sent.append(item_id))
    with db.tenant(zendesk_installation.id) as session:
        suggestion_id = session.query(Suggestion.id).scalar()
    assert client.post(f"/api/suggestions/{suggestion_id}/confirm", headers=bearer(app, zendesk_installation.id),
                       json={}).status_code == 201  # the agent is not held up by Zendesk
    with pytest.raises(RetryTask) as info:
        jobs.run_outbox_action(sent[0])
    assert info.value.delay == 30
    no_network.replace("PUT", "https://acme.zendesk.com/api/v2/tickets/35436/tags.json", json={"tags": ["vd_bug"]})
    frozen_clock.advance(minutes=10)
    monkeypatch.setattr(queue, "enqueue", lambda name, item_id: jobs.run_outbox_action(item_id))
    assert jobs.sweep() == 1
    assert [c.response.status_code for c in no_network.calls if c.request.method == "PUT"] == [429, 200]
