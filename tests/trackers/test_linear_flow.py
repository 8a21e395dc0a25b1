"""A Freshdesk installation with Linear: GraphQL variables only, the request id as issue id, signed webhooks."""

import json

import pytest
import responses
from sqlalchemy import func
from sqlalchemy import select

from adapter import clock
from adapter.models import Commitment
from adapter.models import TrackerLink
from adapter.models import TrackerTicket
from adapter.models import WebhookReceipt
from adapter.providers import freshdesk
from adapter.providers import linear
from adapter.trackers import sync
from tests.conftest import load_fixture
from tests.support import bearer
from tests.support import freshdesk_api
from tests.trackers.support import LINEAR_API
from tests.trackers.support import LINEAR_SECRET
from tests.trackers.support import connect
from tests.trackers.support import linear_post
from tests.trackers.support import make_theme


@pytest.fixture
def acme(make_installation, db):
    installation = make_installation(kind="freshdesk", account="acme", secrets={
        freshdesk.API_KEY_CREDENTIAL: "fd-key", freshdesk.SECRET_CREDENTIAL: "s"})
    connect(db, installation.id, "linear")
    return installation


def graphql(mock):
    """Answer each GraphQL operation by its name, recording the variables it was sent."""
    seen = []

    def answer(request):
        body = json.loads(request.body)
        seen.append(body)
        query = body["query"]
        if query.startswith("query Issue"):
            return 200, {}, json.dumps({"data": {"issue": None}, "errors": [{"message": "Entity not found: Issue"}]})
        if "issueCreate" in query:
            return 200, {}, json.dumps(load_fixture("linear", "api/issue_create"))
        if "attachmentLinkURL" in query:
            return 200, {}, json.dumps(load_fixture("linear", "api/attachment_link_url"))
        return 500, {}, "{}"

    mock.add_callback(responses.POST, LINEAR_API, callback=answer, content_type="application/json")
    return seen


def test_send_creates_the_issue_with_variables_and_links_tickets_by_url(app, client, db, acme, no_network):
    theme_id = make_theme(db, acme.id)
    seen = graphql(no_network)
    response = client.post(f"/api/themes/{theme_id}/tracker", headers=bearer(app, acme.id))
    assert response.status_code == 201, response.json
    lookup, create, *rest = seen
    links = [call for call in rest if "attachmentLinkURL" in call["query"]]  # customer needs: test_linear_needs.py
    request_id = create["variables"]["input"]["id"]
    assert lookup["variables"] == {"id": request_id}  # an earlier attempt would be found by its id
    assert request_id == sync.request_id(acme.id, 1) and request_id[14] == "4"  # UUID v4 form
    fields = create["variables"]["input"]
    assert (fields["teamId"], fields["labelIds"]) == ("72b2a2dc", ["label-bug"])
    assert "Tickets: 2" in fields["description"] and fields["title"] == "CSV export times out"
    assert "CSV export" not in create["query"]  # values travel as variables, never inside the query
    assert [link["variables"]["url"] for link in links] == ["https://acme.freshdesk.com/a/tickets/35436",
                                                           "https://acme.freshdesk.com/a/tickets/35437"]
    with db.tenant(acme.id) as session:
        assert session.scalar(select(TrackerLink.issue_key)) == "ENG-123"
        assert len(session.scalars(select(TrackerTicket)).all()) == 2


def test_linear_webhook_signature_window_and_replay(client, acme):
    payload = load_fixture("linear", "Issue.update")
    assert linear_post(client, acme.id, payload, secret="wrong").status_code == 401
    stale = linear_post(client, acme.id, payload, stamp_ms=int((clock.wall().timestamp() - 120) * 1000))
    assert stale.status_code == 401
    assert linear_post(client, acme.id, payload, delivery="d-7").status_code == 202
    assert linear_post(client, acme.id, payload, delivery="d-7").json["status"] == "duplicate"


def test_completed_issue_closes_the_loop_on_the_freshdesk_tickets(client, db, acme, no_network):
    theme_id = make_theme(db, acme.id, tickets=("35436",))
    with db.tenant(acme.id) as session:
        link = TrackerLink(theme_id=theme_id, tracker="linear", state="linked", issue_key="ENG-123",
                           issue_id="9cfb482a-81e3-4154-b5b9-2c805e70a02d", title="CSV export", status="In Progress",
                           category="in_progress")
        session.add(link)
        session.flush()
        sync._attach_tickets(session, link)
    freshdesk_api(no_network, "GET", "tickets/35436", "ticket")
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    note = freshdesk_api(no_network, "POST", "tickets/35436/notes", json={"id": 5010, "private": True}, status=201)
    tags = freshdesk_api(no_network, "PUT", "tickets/35436", "ticket")
    assert linear_post(client, acme.id, load_fixture("linear", "Issue.update")).status_code == 202
    sent = json.loads(note.calls[0].request.body)
    assert sent["private"] is True and sent["body"].startswith("ENG-123 shipped: CSV export times out")
    assert "vd_issue_done" in json.loads(tags.calls[-1].request.body)["tags"]
    with db.tenant(acme.id) as session:
        assert session.scalar(select(Commitment.text)) == "Tell the customer that ENG-123 shipped"


def test_an_hour_old_body_resent_with_a_fresh_linear_timestamp_header_is_refused(client, db, acme):
    hour_ago = int((clock.wall().timestamp() - 3600) * 1000)
    body = json.dumps({**load_fixture("linear", "Issue.update"), "webhookTimestamp": hour_ago}).encode()
    headers = {"Content-Type": "application/json", linear.DELIVERY_HEADER: "d-new",
               linear.SIGNATURE_HEADER: linear.sign(LINEAR_SECRET, body),
               "Linear-Timestamp": str(int(clock.wall().timestamp() * 1000))}
    response = client.post(f"/webhooks/linear/{acme.id}", data=body, headers=headers)
    assert response.status_code == 401 and "webhookTimestamp" in response.json["error"]["message"]
    with db.system() as session:
        assert session.scalar(select(func.count()).select_from(WebhookReceipt)) == 0
