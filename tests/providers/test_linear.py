"""The Linear tracker client against recorded GraphQL responses, and Linear webhook verification."""

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from adapter.errors import AuthError
from adapter.errors import RateLimited
from adapter.errors import SignatureError
from adapter.providers import linear
from adapter.providers.base import CANCELLED
from adapter.providers.base import DONE
from tests.conftest import fixture_bytes
from tests.conftest import load_fixture

GRAPHQL = "https://api.linear.app/graphql"


@pytest.fixture
def client():
    return linear.Client(team_id="72b2a2dc", api_key="lin_api_key123", label_ids={"bug": "label-bug"})


def sent(call) -> dict:
    return json.loads(call.request.body)


def test_create_issue_uses_variables_never_string_built_queries(client, no_network):
    create = no_network.add("POST", GRAPHQL, json=load_fixture("linear", "api/issue_create"))
    title = 'Export "fails" } mutation { teamDelete'
    issue = client.create_issue(title=title, description="**3 tickets**", kind="bug")
    assert (issue.key, issue.url) == ("ENG-123", "https://linear.app/ledgerly/issue/ENG-123/csv-export-times-out")
    body = sent(create.calls[0])
    assert title not in body["query"] and body["variables"]["input"] == {
        "teamId": "72b2a2dc", "title": title, "description": "**3 tickets**", "labelIds": ["label-bug"]}
    # A personal API key goes in Authorization as is, without "Bearer".
    assert create.calls[0].request.headers["Authorization"] == "lin_api_key123"


def test_oauth_tokens_are_bearer_tokens(no_network):
    call = no_network.add("POST", GRAPHQL, json=load_fixture("linear", "api/issue"))
    issue = linear.Client(team_id="t", oauth_token="oauth-abc").get_issue("ENG-123")
    assert issue.category == CANCELLED
    assert call.calls[0].request.headers["Authorization"] == "Bearer oauth-abc"
    assert sent(call.calls[0])["variables"] == {"id": "ENG-123"}


def test_links_are_attachments_keyed_by_url(client, no_network):
    no_network.add("POST", GRAPHQL, json=load_fixture("linear", "api/attachment_link_url"))
    client.link_ticket("ENG-123", global_id="x", url="https://acme.zendesk.com/agent/tickets/1", title="Zendesk #1")
    assert sent(no_network.calls[-1])["variables"] == {"issueId": "ENG-123", "url": "https://acme.zendesk.com/agent/tickets/1",
                                                       "title": "Zendesk #1"}
    no_network.replace("POST", GRAPHQL, json=load_fixture("linear", "api/attachments_for_url"))
    assert [i.key for i in client.issues_linked_to(global_id="x", url="https://acme.zendesk.com/agent/tickets/1")] == ["ENG-123"]


@pytest.mark.parametrize("fixture, error", [("error_ratelimited", RateLimited), ("error_authentication", AuthError)])
def test_graphql_errors_map_onto_our_taxonomy(client, no_network, fixture, error):
    # Linear reports many failures as HTTP 200 with an errors array.
    no_network.add("POST", GRAPHQL, json=load_fixture("linear", f"api/{fixture}"))
    with pytest.raises(error):
        client.add_comment("ENG-123", "hello")


def test_webhook_signature_and_sixty_second_window():
    body = fixture_bytes("linear", "Issue.update")
    sent_at = datetime.fromtimestamp(json.loads(body)["webhookTimestamp"] / 1000, UTC)
    good = {"Linear-Signature": linear.sign("lin-secret", body)}
    linear.verify(good, body, "lin-secret", sent_at + timedelta(seconds=30))
    with pytest.raises(SignatureError, match="60-second"):
        linear.verify(good, body, "lin-secret", sent_at + timedelta(seconds=61))
    with pytest.raises(SignatureError):
        linear.verify({"Linear-Signature": linear.sign("other", body)}, body, "lin-secret", sent_at)
    payload = json.loads(body)
    delivery = linear.describe({"Linear-Delivery": "d-1"}, payload)
    assert (delivery.delivery_id, delivery.event_type) == ("d-1", "Issue.update")
    assert linear.issue_of(payload).category == DONE


def test_only_the_signed_webhook_timestamp_counts_not_the_header():
    body = fixture_bytes("linear", "Issue.update")  # webhookTimestamp 1763892000000
    sent_at = datetime.fromtimestamp(json.loads(body)["webhookTimestamp"] / 1000, UTC)
    an_hour_later = sent_at + timedelta(hours=1)
    resent = {"Linear-Signature": linear.sign("lin-secret", body),
              "Linear-Timestamp": str(int(an_hour_later.timestamp() * 1000))}  # fresh, but not signed
    with pytest.raises(SignatureError, match="webhookTimestamp"):
        linear.verify(resent, body, "lin-secret", an_hour_later)
    unstamped = json.dumps({k: v for k, v in json.loads(body).items() if k != "webhookTimestamp"}).encode()
    with pytest.raises(SignatureError, match="no webhookTimestamp"):
        linear.verify({"Linear-Signature": linear.sign("lin-secret", unstamped),
                       "Linear-Timestamp": str(int(sent_at.timestamp() * 1000))}, unstamped, "lin-secret", sent_at)
