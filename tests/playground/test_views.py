"""The playground: pages load with the sidebar frame; messages flow through the webhook pipeline."""

import re

import pytest
from sqlalchemy import select

from adapter.models import PlaygroundTicket
from adapter.models import WebhookReceipt

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)


@pytest.fixture
def seeded(runner):
    assert runner.invoke(args=["demo-data"]).exit_code == 0


def test_index_redirects_to_the_first_ticket(client, seeded):
    response = client.get("/playground/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/playground/tickets/1")


def test_ticket_page_shows_the_conversation_and_the_sidebar_frame(client, seeded):
    page = client.get("/playground/tickets/1").get_data(as_text=True)
    assert "CSV export times out" in page
    assert "Export failed (504)" in page
    assert 'src="/sidebar/playground?ticket_id=1"' in page


def test_sidebar_frame_loads_with_a_session(client, seeded):
    response = client.get("/sidebar/playground?ticket_id=1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '"token":' in html and re.search(r"hosts/playground\.[0-9a-f]{12}\.js", html)


def test_playground_is_404_before_demo_data(client):
    assert client.get("/playground/tickets/1").status_code == 404


def test_sending_a_reply_emits_an_event_that_is_processed(client, db, seeded):
    response = client.post("/playground/api/tickets/4/comments",
                           json={"author_role": "agent", "body": "Use the cursor parameter.", "public": True})
    assert response.status_code == 201
    assert response.json["comments"][-1]["body"] == "Use the cursor parameter."
    assert response.json["status"] == "pending"
    with db.tenant("playground") as session:
        last = session.scalars(select(WebhookReceipt).order_by(WebhookReceipt.id.desc())).first()
        assert last.event_type == "comment.created" and last.status == "done"


def test_new_ticket_and_status_change(client, db, seeded):
    created = client.post("/playground/api/tickets", json={
        "subject": "Hello", "requester_name": "Robin", "requester_email": "robin@x.example", "body": "Hi there"})
    assert created.status_code == 201
    ticket_id = created.json["id"]
    assert client.post(f"/playground/api/tickets/{ticket_id}/status", json={"status": "solved"}).json["status"] == "solved"
    with db.tenant("playground") as session:
        assert session.get(PlaygroundTicket, ticket_id).status == "solved"


@pytest.mark.parametrize(
    "path, body, status",
    [
        ("/playground/api/tickets/1/comments", {"author_role": "robot", "body": "x"}, 422),
        ("/playground/api/tickets/1/comments", {"author_role": "agent", "body": ""}, 422),
        ("/playground/api/tickets/1/comments", {"author_role": "agent", "body": "   "}, 400),
        ("/playground/api/tickets/999/comments", {"author_role": "agent", "body": "x"}, 404),
        ("/playground/api/tickets/1/status", {"status": "exploded"}, 422),
        ("/playground/api/tickets", {"subject": "x", "requester_name": "y", "requester_email": "not-an-email", "body": "z"}, 422),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, db, seeded, path, body, status):
    with db.tenant("playground") as session:
        before = session.query(WebhookReceipt).count()
    response = client.post(path, json=body)
    assert response.status_code == status
    assert "error" in response.json
    with db.tenant("playground") as session:
        assert session.query(WebhookReceipt).count() == before
