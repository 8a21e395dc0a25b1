"""Freshdesk provider: fixtures parse to domain events; the secret header; each client call in the documented shape."""

import json
import time
from datetime import UTC
from datetime import datetime

import pytest
from responses import matchers
from werkzeug.datastructures import Headers

from adapter import clock
from adapter.errors import AuthError
from adapter.errors import RateLimited
from adapter.errors import SignatureError
from adapter.errors import Unavailable
from adapter.errors import UnsupportedEvent
from adapter.events import CommentAdded
from adapter.events import TicketUpdated
from adapter.providers import freshdesk
from adapter.providers.freshdesk import client as freshdesk_client
from tests.conftest import load_fixture
from tests.support import FRESHDESK_API
from tests.support import freshdesk_api


@pytest.fixture(autouse=True)
def fresh_budgets():
    freshdesk_client._budgets.clear()


def parse(name):
    return freshdesk.parse_event("fd-acme", load_fixture("freshdesk", name))


def test_automation_ticket_created():
    assert parse("automation_ticket_created") == TicketUpdated("fd-acme", "42")


def test_automation_ticket_updated():
    assert parse("automation_ticket_updated") == TicketUpdated("fd-acme", "42")


def test_automation_ticket_updated_unrendered():
    with pytest.raises(UnsupportedEvent):
        parse("automation_ticket_updated__unrendered")


def test_automation_ticket_deleted():
    with pytest.raises(UnsupportedEvent):
        parse("automation_ticket_deleted")


def test_on_conversation_create():
    assert parse("on_conversation_create") == CommentAdded("fd-acme", "42", "5003", "customer", True, "9001")


def test_on_conversation_create_private_note():
    assert parse("on_conversation_create__private_note") == CommentAdded("fd-acme", "42", "5004", "agent", False, "7001")


def test_on_ticket_create():
    assert parse("on_ticket_create") == TicketUpdated("fd-acme", "42")


def test_on_ticket_update_is_a_catch_up_of_the_ticket():
    # The marketplace app forwards ticket changes (status, assignee) instead of an automation rule.
    assert parse("on_ticket_update") == TicketUpdated("fd-acme", "42")


def test_each_ticket_update_is_its_own_delivery():
    payload = load_fixture("freshdesk", "on_ticket_update")
    first = freshdesk.describe({}, payload).delivery_id
    assert first == "42::onTicketUpdate:2025-11-23T09:35:00+00:00"
    assert freshdesk.describe({}, {**payload, "timestamp": payload["timestamp"] + 1}).delivery_id != first
    assert freshdesk.describe({}, dict(payload)).delivery_id == first  # the same update sent twice is one


def test_app_events_dedupe_on_ticket_conversation_and_event():
    payload = load_fixture("freshdesk", "on_conversation_create")
    assert freshdesk.describe({}, payload).delivery_id == "42:5003:onConversationCreate"
    assert freshdesk.describe({}, payload) == freshdesk.describe({}, payload)
    automation = load_fixture("freshdesk", "automation_ticket_updated")
    assert freshdesk.describe({}, automation).event_type == "automation.ticket_updated"


def test_every_event_type_has_a_parser():
    assert set(freshdesk.EVENT_PARSERS) == set(freshdesk.EVENT_TYPES)


def test_secret_header_is_compared():
    now = clock.wall()
    freshdesk.verify(Headers({"X-Valuedesk-Secret": "s3cret"}), b"{}", "s3cret", now)
    for headers in ({"X-Valuedesk-Secret": "wrong"}, {}, {"X-Valuedesk-Secret": ""}):
        with pytest.raises(SignatureError):
            freshdesk.verify(Headers(headers), b"{}", "s3cret", now)
    assert "X-Valuedesk-Secret" not in freshdesk.STORED_HEADERS


def test_automation_rules_are_filled_in():
    text = freshdesk.automation_rules("https://vd.test/webhooks/freshdesk/fd-acme-1", "s3cret")
    assert "URL:           https://vd.test/webhooks/freshdesk/fd-acme-1" in text
    assert "X-Valuedesk-Secret: s3cret" in text
    assert '"ticket_id": "{{ticket.id}}", "updated_at": "{{ticket.updated_at}}"' in text
    assert text.count("Action: Trigger webhook") == 2


@pytest.fixture
def client():
    return freshdesk.Client("acme", "api-key-123")


def test_get_ticket_sideloads_requester_and_company(no_network, client):
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__with_requester",
                  match=[matchers.query_param_matcher({"include": "requester,company"})])
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    ticket = client.get_ticket("42")
    assert (ticket.requester_name, ticket.organization, ticket.assignee_name) == (
        "Dana Whitfield", "Northwind Traders", "Sam Rivera")
    assert (ticket.status, ticket.tags, ticket.url) == ("open", ("enterprise",), "https://acme.freshdesk.com/a/tickets/42")
    assert no_network.calls[0].request.headers["Authorization"] == "Basic YXBpLWtleS0xMjM6WA=="  # api-key-123:X


def test_conversations_are_paged_and_follow_the_description(no_network, client):
    freshdesk_api(no_network, "GET", "tickets/42", "ticket")
    freshdesk_api(no_network, "GET", "tickets/42/conversations", "conversations__page1",
                  headers={"Link": f'<{FRESHDESK_API}/tickets/42/conversations?page=2&per_page=100>; rel="next"'},
                  match=[matchers.query_param_matcher({"page": "1", "per_page": "100"})])
    freshdesk_api(no_network, "GET", "tickets/42/conversations", "conversations__page2",
                  match=[matchers.query_param_matcher({"page": "2", "per_page": "100"})])
    comments = client.list_comments("42")
    assert [(c.id, c.author_role, c.public) for c in comments] == [
        ("42-description", "customer", True), ("5001", "agent", True), ("5002", "agent", False), ("5003", "customer", True)]
    assert comments[0].body == "Every time I export to CSV it fails with 504."
    assert comments[3].created_at == datetime(2026, 11, 20, 14, 25, 30, tzinfo=UTC)


def test_add_tags_keeps_existing_tags(no_network, client):
    freshdesk_api(no_network, "GET", "tickets/42", "ticket")
    put = freshdesk_api(no_network, "PUT", "tickets/42", "ticket")
    client.add_tags("42", ["vd_bug", "enterprise"])
    assert json.loads(put.calls[0].request.body) == {"tags": ["enterprise", "vd_bug"]}


def test_add_tags_rereads_when_someone_changed_the_ticket(no_network, client):
    # First read: [enterprise]. Before writing, the ticket changed to [enterprise, escalated]:
    # we start over from that version so "escalated" survives.
    freshdesk_api(no_network, "GET", "tickets/42", "ticket")
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__changed")
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__changed")
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__changed")
    put = freshdesk_api(no_network, "PUT", "tickets/42", "ticket__changed")
    client.add_tags("42", ["vd_bug"])
    assert json.loads(put.calls[0].request.body) == {"tags": ["enterprise", "escalated", "vd_bug"]}


def test_tag_write_gives_up_when_the_ticket_never_settles(no_network, client):
    for _ in range(3):
        freshdesk_api(no_network, "GET", "tickets/42", "ticket")
        freshdesk_api(no_network, "GET", "tickets/42", "ticket__changed")
    with pytest.raises(Unavailable, match="kept changing"):
        client.add_tags("42", ["vd_bug"])
    assert not [c for c in no_network.calls if c.request.method == "PUT"]


def test_remove_tags_only_removes_ours(no_network, client):
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__changed")
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__changed")
    put = freshdesk_api(no_network, "PUT", "tickets/42", "ticket")
    client.remove_tags("42", ["escalated", "not-there"])
    assert json.loads(put.calls[0].request.body) == {"tags": ["enterprise"]}


def test_notes_are_private_and_escaped(no_network, client):
    post = freshdesk_api(no_network, "POST", "tickets/42/notes", json={"id": 5010, "private": True}, status=201)
    client.add_private_note("42", "Refunded $12.00 <script>\nby Sam")
    assert json.loads(post.calls[0].request.body) == {"body": "Refunded $12.00 &lt;script&gt;<br>by Sam", "private": True}


def test_canned_responses_are_the_macros(no_network, client):
    freshdesk_api(no_network, "GET", "canned_response_folders", "canned_response_folders")
    freshdesk_api(no_network, "GET", "canned_response_folders/601/responses", "canned_responses__billing")
    freshdesk_api(no_network, "GET", "canned_response_folders/602/responses", "canned_responses__exports")
    assert [(m.title, m.body) for m in client.list_macros()] == [
        ("Refund policy", "Refunds are available within 30 days of purchase."),
        ("Invoice copy", "You can download a copy of any invoice from Billing."),
        ("Export known issue", "Our engineers are aware that large exports can time out."),
    ]


def test_agents_and_ticket_listing(no_network, client):
    freshdesk_api(no_network, "GET", "agents", "agents")
    assert [a.name for a in client.list_agents()] == ["Sam Rivera", "Priya Natarajan"]
    freshdesk_api(no_network, "GET", "tickets", "tickets_updated_since")
    assert list(client.iter_ticket_ids(datetime(2026, 11, 1, tzinfo=UTC))) == ["40", "41"]
    assert "updated_since=2026-11-01T00%3A00%3A00Z" in no_network.calls[-1].request.url


def test_rate_limit_becomes_rate_limited(no_network, client):
    freshdesk_api(no_network, "GET", "tickets/42", "error_rate_limited", status=429, headers={"Retry-After": "17"})
    with pytest.raises(RateLimited) as info:
        client.get_ticket("42")
    assert info.value.retry_after == 17


def test_jobs_pause_before_the_budget_runs_out(no_network, client):
    freshdesk_api(no_network, "GET", "agents/me", "agents_me",
                  headers={"X-RateLimit-Total": "200", "X-RateLimit-Remaining": "9", "X-RateLimit-Used-CurrentRequest": "1"})
    client.me()  # interactive call, records the budget
    assert client.budget().remaining == 9
    with pytest.raises(RateLimited) as info:
        client.get_ticket("42")  # a job: waits for the window to roll over instead of spending the reserve
    assert 0 < info.value.retry_after <= 60
    assert len(no_network.calls) == 1  # nothing was sent
    freshdesk_client._budgets[client.host].observed_at = time.monotonic() - 61
    freshdesk_api(no_network, "GET", "tickets/42", "ticket__with_requester")
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    assert client.get_ticket("42").id == "42"


def test_client_for_requires_a_key():
    from adapter.models import Installation

    class Empty:
        def get(self, name):
            return None

    with pytest.raises(AuthError, match="not connected"):
        freshdesk.client_for(Installation(id="x", kind="freshdesk", account="acme", name="A"), Empty())


def test_a_ticket_id_that_is_not_a_number_is_not_found_without_a_call(no_network):
    from adapter.errors import NotFound
    from adapter.providers.freshdesk.client import Client

    for method in ("get_ticket", "list_comments", "add_private_note"):
        with pytest.raises(NotFound, match="ticket ids are numbers"):
            getattr(Client("acme", "key"), method)(*(["../agents/1"] + ([] if method != "add_private_note" else ["x"])))
    assert not no_network.calls
