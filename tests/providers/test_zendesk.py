"""Zendesk provider: every fixture parses to its domain event; signatures; each client call against recorded shapes."""

import json
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import requests
import responses
from werkzeug.datastructures import Headers

from adapter import clock
from adapter.errors import AuthError
from adapter.errors import NotFound
from adapter.errors import RateLimited
from adapter.errors import SignatureError
from adapter.errors import Unavailable
from adapter.errors import UnsupportedEvent
from adapter.events import CommentAdded
from adapter.events import TicketAssigned
from adapter.events import TicketCreated
from adapter.events import TicketStatusChanged
from adapter.providers import zendesk
from tests.conftest import fixture_bytes
from tests.conftest import load_fixture
from tests.support import ZENDESK_API
from tests.support import zendesk_api
from tests.support import zendesk_headers

SECRET = "dGhpcyBpcyBhIHNpZ25pbmcgc2VjcmV0IGZvciB0ZXN0cw=="


def parse(name):
    return zendesk.parse_event("zd-acme", load_fixture("zendesk", name))


# Deliveries, one test per fixture


def test_trigger_comment_added():
    assert parse("trigger_comment_added") == CommentAdded("zd-acme", "35436", "1274", None, None, "20978392")


def test_trigger_comment_added_unrendered():
    with pytest.raises(UnsupportedEvent, match="numeric ticket_id"):
        parse("trigger_comment_added__unrendered")


def test_trigger_ticket_created():
    assert parse("trigger_ticket_created") == TicketCreated("zd-acme", "35436")


def test_trigger_status_changed():
    assert parse("trigger_status_changed") == TicketStatusChanged("zd-acme", "35436", "solved")


def test_trigger_status_changed_translated():
    # A translated label is left for dispatch to look up through the API.
    assert parse("trigger_status_changed__translated") == TicketStatusChanged("zd-acme", "35436", None)


def test_trigger_assignee_changed():
    assert parse("trigger_assignee_changed") == TicketAssigned("zd-acme", "35436", "235324")


def test_ticket_comment_added():
    assert parse("ticket_comment_added") == CommentAdded("zd-acme", "35436", "1274", "customer", True, "20978392")


def test_ticket_comment_added_private_note():
    assert parse("ticket_comment_added__private_note") == CommentAdded("zd-acme", "35436", "1290", "agent", False, "235323")


def test_ticket_created():
    assert parse("ticket_created") == TicketCreated("zd-acme", "35437")


def test_ticket_status_changed():
    assert parse("ticket_status_changed") == TicketStatusChanged("zd-acme", "35436", "solved", "open")


def test_ticket_agent_assignment_changed():
    assert parse("ticket_agent_assignment_changed") == TicketAssigned("zd-acme", "35436", "235324")


def test_ticket_priority_changed():
    assert parse("ticket_priority_changed") is None
    assert zendesk.describe({}, load_fixture("zendesk", "ticket_priority_changed")).event_type in zendesk.IGNORED_EVENT_TYPES


def test_user_active_changed():
    with pytest.raises(UnsupportedEvent):
        parse("user_active_changed")


def test_describe_uses_the_invocation_id():
    payload = load_fixture("zendesk", "trigger_comment_added")
    delivery = zendesk.describe(Headers({"x-zendesk-webhook-invocation-id": "inv-1"}), payload)
    assert (delivery.delivery_id, delivery.event_type) == ("inv-1", "trigger.comment_added")
    event_payload = load_fixture("zendesk", "ticket_status_changed")
    assert zendesk.describe(Headers(), event_payload).delivery_id == event_payload["id"]


def test_every_event_type_has_a_parser_and_a_fixture():
    assert set(zendesk.EVENT_PARSERS) == set(zendesk.EVENT_TYPES)
    from tests.conftest import FIXTURES

    seen = {zendesk.event_type_of(json.loads(p.read_text())) for p in (FIXTURES / "zendesk").glob("*.json")}
    assert set(zendesk.EVENT_TYPES) <= seen


# Signatures


def test_valid_signature_is_accepted():
    body = fixture_bytes("zendesk", "trigger_comment_added")
    zendesk.verify(Headers(zendesk_headers(SECRET, body)), body, SECRET, clock.wall())


def test_known_signature_vector():
    # Computed independently: printf %s "2021-03-25T05:09:27Z{\"a\":1}" | openssl dgst -sha256 -hmac secret -binary | base64
    assert zendesk.sign("secret", "2021-03-25T05:09:27Z", b'{"a":1}') == "cfusl9J3LiQ8f1lBL4XyKz9XF36PrBmDiX2DDJ7FACs="


@pytest.mark.parametrize("change", ["secret", "body", "stale", "future", "missing", "not-iso"])
def test_bad_signatures_are_refused(change):
    body = fixture_bytes("zendesk", "trigger_comment_added")
    now = clock.wall()
    headers = zendesk_headers(SECRET, body)
    secret = "another-secret" if change == "secret" else SECRET
    if change == "body":
        body = body.replace(b"1274", b"9999")
    if change in ("stale", "future"):
        moved = now + timedelta(minutes=-6 if change == "stale" else 6)
        headers = zendesk_headers(SECRET, body, timestamp=moved.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if change == "missing":
        del headers[zendesk.SIGNATURE_HEADER]
    if change == "not-iso":
        headers = zendesk_headers(SECRET, body, timestamp="1616649000")
    with pytest.raises(SignatureError):
        zendesk.verify(Headers(headers), body, secret, now)


# Client calls


@pytest.fixture
def client():
    return zendesk.Client("acme", email="priya@acme.example", token="api-token")


def test_get_ticket_batches_people(no_network, client):
    zendesk_api(no_network, "GET", "tickets/35436.json", "ticket")
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    zendesk_api(no_network, "GET", "organizations/509974.json", "organization")
    ticket = client.get_ticket("35436")
    assert ticket.subject == "CSV export times out for our yearly report"
    assert (ticket.requester_name, ticket.requester_email) == ("Dana Whitfield", "dana@northwind.example")
    assert (ticket.organization, ticket.assignee_name, ticket.status) == ("Northwind Traders", "Sam Rivera", "open")
    assert ticket.tags == ("enterprise", "export")
    assert ticket.url == "https://acme.zendesk.com/agent/tickets/35436"
    show_many = [c for c in no_network.calls if "show_many" in c.request.url][0]
    assert "ids=20978392%2C235323" in show_many.request.url or "ids=20978392,235323" in show_many.request.url
    assert no_network.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_list_comments_maps_roles_and_visibility(no_network, client):
    zendesk_api(no_network, "GET", "tickets/35436/comments.json", "ticket_comments")
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    comments = client.list_comments("35436")
    assert [(c.id, c.author_role, c.public) for c in comments] == [
        ("1270", "customer", True), ("1272", "agent", True), ("1273", "agent", False), ("1274", "customer", True)]
    assert comments[1].body.startswith("Thanks Dana, I'll check with engineering")
    assert comments[0].created_at == datetime(2026, 11, 20, 9, 12, 7, tzinfo=UTC)


def test_add_and_remove_tags_send_only_our_tags(no_network, client):
    add = zendesk_api(no_network, "PUT", "tickets/35436/tags.json", json={"tags": ["enterprise", "vd_bug"]})
    remove = zendesk_api(no_network, "DELETE", "tickets/35436/tags.json", json={"tags": ["enterprise"]})
    client.add_tags("35436", ["vd_bug"])
    client.remove_tags("35436", ["vd_bug"])
    assert json.loads(add.calls[0].request.body) == {"tags": ["vd_bug"]}
    assert json.loads(remove.calls[0].request.body) == {"tags": ["vd_bug"]}


def test_private_note_is_not_public(no_network, client):
    update = zendesk_api(no_network, "PUT", "tickets/35436.json",
                         json={"ticket": load_fixture("zendesk", "api/ticket")["ticket"], "audit": {"id": 1, "events": []}})
    client.add_private_note("35436", "Refunded $12.00 of $40.00 (duplicate charge) by Sam Rivera")
    sent = json.loads(update.calls[0].request.body)
    assert sent == {"ticket": {"id": 35436, "comment": {
        "body": "Refunded $12.00 of $40.00 (duplicate charge) by Sam Rivera", "public": False}}}


def test_list_macros_reads_comment_text(no_network, client):
    zendesk_api(no_network, "GET", "macros.json", "macros_active")
    macros = client.list_macros()
    assert [(m.title, m.body) for m in macros] == [
        ("Refund policy", "Refunds are available within 30 days of purchase."),
        ("Known issue: exports", "Our engineers are aware of slow exports."),
        ("Channel reply", "Thanks for reaching out on social."),
    ]
    assert "active=true" in no_network.calls[0].request.url


def test_list_agents(no_network, client):
    zendesk_api(no_network, "GET", "users.json", "users_agents")
    assert [(a.name, a.role) for a in client.list_agents()] == [("Sam Rivera", "agent"), ("Priya Natarajan", "admin")]
    assert "role%5B%5D=agent&role%5B%5D=admin" in no_network.calls[0].request.url


def test_incremental_ticket_ids_follow_the_cursor(no_network, client):
    zendesk_api(no_network, "GET", "incremental/tickets/cursor.json", "incremental_tickets")
    zendesk_api(no_network, "GET", "incremental/tickets/cursor.json", "incremental_tickets__end")
    ids = list(client.iter_ticket_ids(datetime(2026, 11, 1, tzinfo=UTC)))
    assert ids == ["35430", "35436"]  # the deleted ticket is skipped
    assert "start_time=" in no_network.calls[0].request.url
    assert "cursor=MTU3NjYxMzUzOS4wfHw0Njd8" in no_network.calls[1].request.url


def test_rate_limit_raises_at_once_with_retry_after(no_network, client):
    zendesk_api(no_network, "GET", "tickets/35436.json", "error_rate_limited", status=429, headers={"Retry-After": "37"})
    started = time.monotonic()
    with pytest.raises(RateLimited) as info:
        client.get_ticket("35436")
    assert info.value.retry_after == 37
    assert time.monotonic() - started < 2  # zenpy did not sleep
    assert len(no_network.calls) == 1


@pytest.mark.parametrize(
    "status, fixture, error",
    [(401, "error_unauthorized", AuthError), (404, "error_not_found", NotFound), (503, None, Unavailable)],
)
def test_vendor_errors_are_mapped(no_network, client, status, fixture, error):
    zendesk_api(no_network, "GET", "tickets/35436/comments.json", fixture, status=status)
    with pytest.raises(error):
        client.list_comments("35436")


def test_connection_failure_is_unavailable(no_network, client):
    no_network.add(responses.GET, f"{ZENDESK_API}/tickets/1.json", body=requests.ConnectionError("refused"))
    with pytest.raises(Unavailable):
        client.get_ticket("1")


def test_client_for_requires_credentials():
    from adapter.models import Installation

    class Empty:
        def get(self, name):
            return None

    with pytest.raises(AuthError, match="not connected"):
        zendesk.client_for(Installation(id="x", kind="zendesk", account="acme", name="Acme"), Empty())
