"""Freshdesk deliveries through the real route: secret header, catch-up, and each comment handled exactly once."""

import json

import pytest
from sqlalchemy import select

from adapter import clock
from adapter import dispatch
from adapter.events import CommentAdded
from adapter.events import TicketStatusChanged
from adapter.models import WebhookReceipt
from adapter.providers import freshdesk
from tests.conftest import fixture_bytes
from tests.support import FRESHDESK_API
from tests.support import freshdesk_api

SECRET = "freshdesk-webhook-secret"


@pytest.fixture
def installation(make_installation, db):
    from adapter.models import Installation

    inst = make_installation(kind="freshdesk", account="acme", secrets={
        freshdesk.SECRET_CREDENTIAL: SECRET, freshdesk.API_KEY_CREDENTIAL: "api-key-123"})
    with db.system() as session:  # old enough that the fixture comments count as live, not history
        from datetime import UTC
        from datetime import datetime

        session.get(Installation, inst.id).created_at = datetime(2026, 11, 1, tzinfo=UTC)
    return inst


@pytest.fixture
def seen(monkeypatch):
    events = []
    monkeypatch.setitem(dispatch.HANDLERS, CommentAdded, (lambda e, c: events.append(e),))
    monkeypatch.setitem(dispatch.HANDLERS, TicketStatusChanged, (lambda e, c: events.append(e),))
    return events


@pytest.fixture(autouse=True)
def recent(frozen_clock):
    # The fixtures' comments are from 20 Nov 2026; "now" is shortly after, inside the catch-up window.
    from datetime import UTC
    from datetime import datetime

    frozen_clock.set(datetime(2026, 11, 21, 9, 0, tzinfo=UTC))


def conversations(mock, ticket_fixture="ticket"):
    freshdesk_api(mock, "GET", "tickets/42", ticket_fixture)
    freshdesk_api(mock, "GET", "tickets/42/conversations", "conversations__page1",
                  headers={"Link": f'<{FRESHDESK_API}/tickets/42/conversations?page=2>; rel="next"'})
    freshdesk_api(mock, "GET", "tickets/42/conversations", "conversations__page2")


def post(client, installation, fixture, secret=SECRET, **fields):
    """Send a fixture; an app event's `timestamp` is now (its fixture's is from when it was recorded)."""
    payload = json.loads(fixture_bytes("freshdesk", fixture))
    if "timestamp" in payload:
        payload["timestamp"] = int(clock.wall().timestamp())
    return client.post(f"/webhooks/freshdesk/{installation.id}", data=json.dumps({**payload, **fields}),
                       headers={"Content-Type": "application/json", "X-Valuedesk-Secret": secret})


def test_automation_delivery_catches_up_every_comment_once(client, installation, seen, no_network):
    conversations(no_network)
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__with_requester")
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    assert post(client, installation, "automation_ticket_updated").status_code == 202
    comments = [e for e in seen if isinstance(e, CommentAdded)]
    assert [(e.comment_id, e.author_role, e.public) for e in comments] == [
        ("42-description", "customer", True), ("5001", "agent", True), ("5002", "agent", False), ("5003", "customer", True)]
    assert [e for e in seen if isinstance(e, TicketStatusChanged)] == [
        TicketStatusChanged(installation.id, "42", "open", None)]

    seen.clear()
    conversations(no_network)
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__resolved")
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    assert post(client, installation, "automation_ticket_updated").status_code == 202  # not deduped: no delivery id
    assert seen == [TicketStatusChanged(installation.id, "42", "solved", "open")]  # nothing handled twice


def test_app_event_and_automation_rule_for_the_same_reply_handle_it_once(client, installation, seen, no_network):
    conversations(no_network)
    assert post(client, installation, "on_conversation_create").status_code == 202
    assert [e.comment_id for e in seen] == ["5003"]
    assert post(client, installation, "on_conversation_create").status_code == 200  # same (ticket, conversation, event)
    conversations(no_network)
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__with_requester")
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    post(client, installation, "automation_ticket_updated")
    assert [e.comment_id for e in seen if isinstance(e, CommentAdded)].count("5003") == 1


def test_wrong_or_missing_secret_is_refused(client, db, installation, seen):
    assert post(client, installation, "automation_ticket_updated", secret="guess").status_code == 401
    response = client.post(f"/webhooks/freshdesk/{installation.id}", json=json.loads(
        fixture_bytes("freshdesk", "automation_ticket_updated")))
    assert response.status_code == 401
    with db.system() as session:
        assert session.scalars(select(WebhookReceipt)).all() == []


def test_the_secret_header_is_never_stored(client, db, installation, no_network, seen):
    conversations(no_network)
    post(client, installation, "on_conversation_create")
    with db.system() as session:
        receipt = session.scalars(select(WebhookReceipt)).one()
        assert "X-Valuedesk-Secret" not in receipt.headers and SECRET.encode() not in json.dumps(receipt.headers).encode()


def test_an_unknown_app_event_is_204(client, installation):
    assert post(client, installation, "on_ticket_update", event="onTicketDelete").status_code == 204


def test_old_history_is_left_to_backfill(client, db, installation, seen, no_network, frozen_clock):
    from datetime import UTC
    from datetime import datetime

    frozen_clock.set(datetime(2026, 12, 20, tzinfo=UTC))
    conversations(no_network)
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__with_requester")
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    post(client, installation, "automation_ticket_updated")
    assert not [e for e in seen if isinstance(e, CommentAdded)]


def rule_delivery(event: str, ticket_id: str, updated_at: str) -> bytes:
    """The body an automation rule sends, as Freshdesk fills in the template we hand out."""
    return (freshdesk.automation_body(event).replace("{{ticket.id}}", ticket_id)
            .replace("{{ticket.updated_at}}", updated_at).encode())


def send(client, installation, body: bytes):
    return client.post(f"/webhooks/freshdesk/{installation.id}", data=body,
                       headers={"Content-Type": "application/json", "X-Valuedesk-Secret": SECRET})


def test_the_same_automation_delivery_sent_three_times_is_one_delivery(client, db, installation, seen, no_network,
                                                                      jobs_off):
    body = rule_delivery("ticket_updated", "42", "2026-11-21T08:59:30Z")
    assert [send(client, installation, body).status_code for _ in range(3)] == [202, 200, 200]
    # Another change to the same ticket, and the same change as a different event, are deliveries of their own.
    assert send(client, installation, rule_delivery("ticket_updated", "42", "2026-11-21T08:59:41Z")).status_code == 202
    assert send(client, installation, rule_delivery("ticket_created", "42", "2026-11-21T08:59:30Z")).status_code == 202
    # The same instant written another way is the same change.
    assert send(client, installation, rule_delivery("ticket_updated", "42", "2026-11-21T08:59:30+00:00")).status_code == 200
    with db.system() as session:
        assert len(session.scalars(select(WebhookReceipt)).all()) == 3


def test_deliveries_older_than_the_window_are_refused(client, db, installation, jobs_off):
    old_rule = send(client, installation, rule_delivery("ticket_updated", "42", "2026-11-21T06:30:00Z"))
    assert old_rule.status_code == 401 and "window" in old_rule.json["error"]["message"]
    old_event = post(client, installation, "on_conversation_create", timestamp=int(clock.wall().timestamp()) - 3 * 3600)
    assert old_event.status_code == 401
    from_the_future = send(client, installation, rule_delivery("ticket_updated", "42", "2026-11-21T10:00:00Z"))
    assert from_the_future.status_code == 401
    assert post(client, installation, "on_conversation_create").status_code == 202  # now: accepted
    with db.system() as session:
        assert len(session.scalars(select(WebhookReceipt)).all()) == 1


def test_a_rule_without_a_rendered_updated_at_is_still_accepted_each_time(client, db, installation, jobs_off):
    unrendered = freshdesk.automation_body("ticket_updated").replace("{{ticket.id}}", "42").encode()
    legacy = fixture_bytes("freshdesk", "automation_ticket_updated")  # a rule set up before updated_at was sent
    assert [send(client, installation, body).status_code for body in (unrendered, unrendered, legacy)] == [202] * 3


@pytest.fixture
def jobs_off(monkeypatch):
    from adapter import queue

    monkeypatch.setattr(queue, "enqueue", lambda *args, **kwargs: None)
