"""The Jira Cloud tracker client against recorded REST v3 responses, and Jira webhook verification."""

import json
from urllib.parse import parse_qs
from urllib.parse import urlparse

import pytest

from adapter.errors import MalformedDelivery
from adapter.errors import Rejected
from adapter.errors import SignatureError
from adapter.providers import jira
from adapter.providers.base import CANCELLED
from adapter.providers.base import DONE
from adapter.providers.base import UNSTARTED
from tests.conftest import fixture_bytes
from tests.conftest import load_fixture

API = "https://acme.atlassian.net/rest/api/3"


@pytest.fixture
def client():
    return jira.Client("https://acme.atlassian.net/", email="bot@acme.example", token="atl-token", project="SUP",
                       issue_type="Bug")


def test_create_issue_sends_adf_and_space_free_labels(client, no_network):
    created = no_network.add("POST", f"{API}/issue", json=load_fixture("jira", "api/issue_created"), status=201)
    no_network.add("GET", f"{API}/issue/SUP-42", json=load_fixture("jira", "api/issue"))
    issue = client.create_issue(title="CSV export times out", description="Reported on 3 tickets.\n\n> It spins\n\n- https://acme.zendesk.com/agent/tickets/1",
                                labels=("vd bug",))
    assert (issue.key, issue.category, issue.url) == ("SUP-42", UNSTARTED, "https://acme.atlassian.net/browse/SUP-42")
    fields = json.loads(created.calls[0].request.body)["fields"]
    assert fields["project"] == {"key": "SUP"} and fields["issuetype"] == {"name": "Bug"} and fields["labels"] == ["vd_bug"]
    doc = fields["description"]
    assert (doc["type"], doc["version"]) == ("doc", 1)
    assert [block["type"] for block in doc["content"]] == ["paragraph", "blockquote", "bulletList"]
    link = doc["content"][2]["content"][0]["content"][0]["content"][0]
    assert link["marks"] == [{"type": "link", "attrs": {"href": "https://acme.zendesk.com/agent/tickets/1"}}]
    assert created.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_status_categories_and_cancelled_resolutions(client, no_network):
    no_network.add("GET", f"{API}/issue/SUP-42", json=load_fixture("jira", "api/issue__wont_do"))
    assert client.get_issue("SUP-42").category == CANCELLED
    event = load_fixture("jira", "jira:issue_updated")
    assert jira.issue_of(event, client.base).category == DONE


def test_remote_links_are_keyed_by_global_id(client, no_network):
    link = no_network.add("POST", f"{API}/issue/SUP-42/remotelink", json=load_fixture("jira", "api/remotelink"), status=201)
    unlink = no_network.add("DELETE", f"{API}/issue/SUP-42/remotelink", status=204)
    client.link_ticket("SUP-42", global_id="valuedesk:zd-acme:35436", url="https://acme.zendesk.com/agent/tickets/35436",
                       title="Zendesk #35436")
    assert json.loads(link.calls[0].request.body)["globalId"] == "valuedesk:zd-acme:35436"
    client.unlink_ticket("SUP-42", global_id="valuedesk:zd-acme:35436", url="")
    assert parse_qs(urlparse(unlink.calls[0].request.url).query)["globalId"] == ["valuedesk:zd-acme:35436"]


def test_search_uses_the_jql_endpoint(client, no_network):
    search = no_network.add("GET", f"{API}/search/jql", json=load_fixture("jira", "api/search_jql"))
    [issue] = client.issues_linked_to(global_id="valuedesk:zd-acme:35436", url="")
    assert issue.key == "SUP-42"
    query = parse_qs(urlparse(search.calls[0].request.url).query)
    assert query["jql"] == ['issue in issuesWithRemoteLinksByGlobalId("valuedesk:zd-acme:35436")']
    assert query["fields"] == ["summary,status,resolution"]


def test_validation_errors_are_rejected_with_jiras_words(client, no_network):
    no_network.add("POST", f"{API}/issue/SUP-42/comment", json=load_fixture("jira", "api/error_bad_label"), status=400)
    with pytest.raises(Rejected, match="contains spaces"):
        client.add_comment("SUP-42", "hello")


def test_webhook_signature():
    body = fixture_bytes("jira", "jira:issue_updated")
    jira.verify({"X-Hub-Signature": jira.sign("jira-secret", body)}, body, "jira-secret")
    for headers in ({}, {"X-Hub-Signature": jira.sign("other", body)}, {"X-Hub-Signature": "sha1=abc"}):
        with pytest.raises(SignatureError):
            jira.verify(headers, body, "jira-secret")
    delivery = jira.describe({"X-Atlassian-Webhook-Identifier": "4711"}, json.loads(body))
    assert (delivery.delivery_id, delivery.event_type) == ("4711", "jira:issue_updated")
    with pytest.raises(MalformedDelivery):
        jira.describe({}, json.loads(body))


def _inline(block: dict) -> list[dict]:
    if block["type"] == "text":
        return [block]
    return [node for child in block.get("content", []) for node in _inline(child)]


@pytest.mark.parametrize("text, link, after", [
    ("> “Export fails at https://app.example.com/export”", "https://app.example.com/export", "”"),
    ("See the log (at https://x.example/y).", "https://x.example/y", ")."),
    ("It broke: https://x.example/a, then https://x.example/b!", "https://x.example/a", ", then "),
    ("Wiki: https://en.example.org/wiki/Foo_(bar).", "https://en.example.org/wiki/Foo_(bar)", "."),
    ("'https://x.example/q?a=1'", "https://x.example/q?a=1", "'"),
])
def test_links_in_adf_leave_trailing_punctuation_in_the_text(text, link, after):
    document = jira.adf(text)
    text_nodes = [node for block in document["content"] for node in _inline(block)]
    linked = [node for node in text_nodes if node.get("marks")]
    assert linked[0]["text"] == link and linked[0]["marks"][0]["attrs"]["href"] == link
    following = text_nodes[text_nodes.index(linked[0]) + 1]["text"]
    assert following.startswith(after)
    assert "".join(node["text"] for node in text_nodes) == text.lstrip("> ")
