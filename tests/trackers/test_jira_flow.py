"""A Zendesk installation with Jira: send a theme, link its tickets, survive outages, close the loop from the webhook."""

import json
from datetime import timedelta

import pytest
from huey.exceptions import RetryTask
from sqlalchemy import select

from adapter import clock
from adapter import jobs
from adapter import queue
from adapter.models import Commitment
from adapter.models import OutboxAction
from adapter.models import TrackerLink
from adapter.models import TrackerTicket
from adapter.models import WebhookReceipt
from adapter.providers import jira
from adapter.providers import zendesk
from adapter.trackers import sync
from tests.conftest import load_fixture
from tests.support import bearer
from tests.support import zendesk_api
from tests.trackers.support import JIRA_API
from tests.trackers.support import JIRA_SECRET
from tests.trackers.support import add_signal
from tests.trackers.support import connect
from tests.trackers.support import make_theme

ZENDESK_SECRETS = {zendesk.EMAIL_CREDENTIAL: "priya@acme.example", zendesk.TOKEN_CREDENTIAL: "api-token",
                   zendesk.SECRET_CREDENTIAL: "s"}


@pytest.fixture
def acme(make_installation, db):
    installation = make_installation(kind="zendesk", account="acme", secrets=ZENDESK_SECRETS)
    connect(db, installation.id, "jira")
    return installation


def jira_create(mock, *, search=None):
    """The calls that create SUP-42: look for an earlier attempt, create, read back."""
    found = mock.add("GET", f"{JIRA_API}/search/jql", json=search or {"issues": []})
    created = mock.add("POST", f"{JIRA_API}/issue", json=load_fixture("jira", "api/issue_created"), status=201)
    mock.add("GET", f"{JIRA_API}/issue/SUP-42", json=load_fixture("jira", "api/issue"))
    links = mock.add("POST", f"{JIRA_API}/issue/SUP-42/remotelink", json=load_fixture("jira", "api/remotelink"), status=201)
    return found, created, links


def send(app, client, installation_id, theme_id):
    return client.post(f"/api/themes/{theme_id}/tracker", headers=bearer(app, installation_id))


def test_sending_a_theme_creates_one_issue_with_context_and_links_every_ticket(app, client, db, acme, no_network):
    theme_id = make_theme(db, acme.id)
    _, created, links = jira_create(no_network)
    response = send(app, client, acme.id, theme_id)
    assert response.status_code == 201, response.json
    fields = json.loads(created.calls[0].request.body)["fields"]
    assert fields["project"] == {"key": "SUP"} and fields["issuetype"] == {"name": "Bug"}
    assert fields["labels"][:2] == ["valuedesk", "vd_bug"] and fields["labels"][2].startswith("valuedesk-")
    text = json.dumps(fields["description"])
    assert "Tickets: 2" in text and "Customers: 2 customers at 1 organization" in text
    assert "The export spins forever and times out (35436)" in text and '"type": "blockquote"' in text
    assert "https://acme.zendesk.com/agent/tickets/35437" in text
    sent = [json.loads(call.request.body) for call in links.calls]
    assert [s["globalId"] for s in sent] == [f"valuedesk:{acme.id}:35436", f"valuedesk:{acme.id}:35437"]
    assert sent[0]["object"]["url"] == "https://acme.zendesk.com/agent/tickets/35436"
    with db.tenant(acme.id) as session:
        link = session.scalar(select(TrackerLink))
        assert (link.state, link.issue_key, link.reported_tickets) == ("linked", "SUP-42", 2)
        assert all(session.scalars(select(TrackerTicket.linked_at)))
    again = send(app, client, acme.id, theme_id)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_sent"
    assert len(created.calls) == 1


def test_an_outage_delays_the_issue_and_nothing_is_lost(app, client, db, acme, no_network, monkeypatch, frozen_clock):
    theme_id = make_theme(db, acme.id)
    sent = []
    monkeypatch.setattr(queue, "enqueue", lambda name, *args, **kwargs: sent.append(args[0]))
    no_network.add("GET", f"{JIRA_API}/search/jql", json={"issues": []})
    no_network.add("POST", f"{JIRA_API}/issue", json={"errorMessages": ["busy"]}, status=429, headers={"Retry-After": "17"})
    assert send(app, client, acme.id, theme_id).status_code == 201
    with pytest.raises(RetryTask) as info:
        jobs.run_outbox_action(sent[0])
    assert info.value.delay == 17
    with db.tenant(acme.id) as session:
        action = session.get(OutboxAction, sent[0])
        assert action.status == "pending" and "RateLimited" in action.last_error
        assert session.scalar(select(TrackerLink.state)) == "creating"
    no_network.reset()
    _, created, links = jira_create(no_network)
    frozen_clock.set(action.next_attempt_at + timedelta(seconds=1))
    jobs.run_outbox_action(sent[0])
    jobs.run_outbox_action(sent[1])  # the links follow in their own action
    assert len(created.calls) == 1 and len(links.calls) == 2


def test_a_create_whose_answer_was_lost_is_adopted_not_repeated(app, client, db, acme, no_network, monkeypatch):
    theme_id = make_theme(db, acme.id)
    sent = []
    monkeypatch.setattr(queue, "enqueue", lambda name, *args, **kwargs: sent.append(args[0]))
    assert send(app, client, acme.id, theme_id).status_code == 201
    # Jira created the issue on an earlier attempt whose answer never arrived: the label finds it.
    found, created, _ = jira_create(no_network, search=load_fixture("jira", "api/search_jql"))
    jobs.run_outbox_action(sent[0])
    assert len(created.calls) == 0 and "labels" in found.calls[0].request.url
    with db.tenant(acme.id) as session:
        assert session.scalar(select(TrackerLink.issue_key)) == "SUP-42"


def test_more_tickets_link_at_once_and_the_count_comment_is_at_most_hourly(app, client, db, acme, no_network, monkeypatch, frozen_clock):
    theme_id = make_theme(db, acme.id)
    jira_create(no_network)
    comments = no_network.add("POST", f"{JIRA_API}/issue/SUP-42/comment", json={"id": "1"}, status=201)
    assert send(app, client, acme.id, theme_id).status_code == 201
    start = clock.now()
    with db.tenant(acme.id) as session:
        sync.on_signal(session, add_signal(session, theme_id, "35438", 3))
    assert len(comments.calls) == 1  # the first update goes at once
    first = json.dumps(json.loads(comments.calls[0].request.body))
    assert "1 more ticket since the last update: 3 in all" in first and "tickets/35438" in first
    with db.tenant(acme.id) as session:
        sync.on_signal(session, add_signal(session, theme_id, "35439", 4))
        sync.on_signal(session, add_signal(session, theme_id, "35440", 5))
        sync.on_signal(session, add_signal(session, theme_id, "35440", 6))  # same ticket again: nothing new to link
    assert len(comments.calls) == 1  # debounced: the next one waits for the hour
    with db.tenant(acme.id) as session:
        waiting = session.scalars(select(OutboxAction).where(OutboxAction.kind == "tracker.comment_count",
                                                             OutboxAction.status == "pending")).all()
        assert len(waiting) == 1 and waiting[0].next_attempt_at == start + timedelta(hours=1)
        assert session.scalar(select(TrackerTicket.id).where(TrackerTicket.ticket_id == "35440",
                                                             TrackerTicket.linked_at.is_not(None)))
    jobs.run_outbox_action(waiting[0].id)  # woken early: it puts itself back
    assert len(comments.calls) == 1
    frozen_clock.set(start + timedelta(minutes=61))
    jobs.run_outbox_action(waiting[0].id)
    assert len(comments.calls) == 2
    assert "2 more tickets since the last update: 5 in all" in json.dumps(json.loads(comments.calls[1].request.body))


def test_relinking_is_idempotent(app, client, db, acme, no_network):
    theme_id = make_theme(db, acme.id)
    _, _, links = jira_create(no_network)
    send(app, client, acme.id, theme_id)
    with db.tenant(acme.id) as session:
        link = session.scalar(select(TrackerLink))
        session.execute(TrackerTicket.__table__.update().values(linked_at=None))
        sync._link_soon(session, link)
    ids = [json.loads(call.request.body)["globalId"] for call in links.calls]
    assert ids == [ids[0], ids[1], ids[0], ids[1]]  # the same global ids: Jira updates, never duplicates
    with db.tenant(acme.id) as session:
        assert len(session.scalars(select(TrackerTicket)).all()) == 2


def jira_post(client, installation_id, payload, *, secret=JIRA_SECRET, identifier="hook-1", signature=None):
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", jira.IDENTIFIER_HEADER: identifier,
               jira.SIGNATURE_HEADER: signature or jira.sign(secret, body)}
    return client.post(f"/webhooks/jira/{installation_id}", data=body, headers=headers)


def test_jira_webhook_signature_accept_reject_and_replay(app, client, db, acme, no_network):
    payload = load_fixture("jira", "jira:issue_updated")
    assert jira_post(client, acme.id, payload, secret="wrong").status_code == 401
    assert jira_post(client, acme.id, payload, signature="nope").status_code == 401
    assert jira_post(client, acme.id, payload, identifier="hook-9").status_code == 202
    replay = jira_post(client, acme.id, payload, identifier="hook-9")
    assert replay.status_code == 200 and replay.json["status"] == "duplicate"
    with db.system() as session:
        assert len(session.scalars(select(WebhookReceipt).where(WebhookReceipt.provider == "jira")).all()) == 1


def test_done_closes_the_loop_on_every_linked_ticket_of_that_installation_only(app, client, db, acme, make_installation,
                                                                             no_network):
    other = make_installation(kind="zendesk", account="globex", secrets=ZENDESK_SECRETS)
    connect(db, other.id, "jira")
    for installation in (acme, other):
        theme_id = make_theme(db, installation.id)
        with db.tenant(installation.id) as session:
            link = TrackerLink(theme_id=theme_id, tracker="jira", state="linked", issue_key="SUP-42", issue_id="10042",
                               title="CSV export", status="In Progress", category="in_progress")
            session.add(link)
            session.flush()
            sync._attach_tickets(session, link)
    zendesk_api(no_network, "GET", "tickets/35436.json", "ticket")
    zendesk_api(no_network, "GET", "tickets/35437.json", "ticket")
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    zendesk_api(no_network, "GET", "organizations/509974.json", "organization")
    notes = [zendesk_api(no_network, "PUT", f"tickets/{t}.json", "ticket") for t in ("35436", "35437")]
    tags = [zendesk_api(no_network, "PUT", f"tickets/{t}/tags.json", json={"tags": ["vd_issue_done"]})
            for t in ("35436", "35437")]
    response = jira_post(client, acme.id, load_fixture("jira", "jira:issue_updated"))
    assert response.status_code == 202
    for note in notes:
        body = json.loads(note.calls[0].request.body)["ticket"]["comment"]
        assert body["public"] is False and body["body"].startswith("SUP-42 shipped: CSV export times out for yearly reports")
    assert [json.loads(t.calls[0].request.body) for t in tags] == [{"tags": ["vd_issue_done"]}] * 2
    with db.tenant(acme.id) as session:
        followups = session.scalars(select(Commitment).order_by(Commitment.ticket_id)).all()
        assert [(c.ticket_id, c.agent_id, c.state) for c in followups] == [("35436", "235323", "open"),
                                                                          ("35437", "235323", "open")]
        assert followups[0].text == "Tell the customer that SUP-42 shipped"
        assert "The export spins forever and times out (35436)" in followups[0].nudge
        assert followups[0].nudge.startswith("Hi Dana, good news")
        assert session.scalar(select(TrackerLink.category)) == "done"
    with db.tenant(other.id) as session:
        assert session.scalars(select(Commitment)).all() == []
        assert session.scalar(select(TrackerLink.category)) == "in_progress"
    # The same delivery again changes nothing; a second done event neither.
    assert jira_post(client, acme.id, load_fixture("jira", "jira:issue_updated"), identifier="hook-2").status_code == 202
    assert all(len(note.calls) == 1 for note in notes)


def test_reopening_the_issue_removes_the_tag_and_cancels_the_followups(app, client, db, acme, no_network):
    theme_id = make_theme(db, acme.id, tickets=("35436",))
    with db.tenant(acme.id) as session:
        link = TrackerLink(theme_id=theme_id, tracker="jira", state="linked", issue_key="SUP-42", issue_id="10042",
                           title="CSV export", status="In Progress", category="in_progress")
        session.add(link)
        session.flush()
        sync._attach_tickets(session, link)
    zendesk_api(no_network, "GET", "tickets/35436.json", "ticket")
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")
    zendesk_api(no_network, "GET", "organizations/509974.json", "organization")
    notes = zendesk_api(no_network, "PUT", "tickets/35436.json", "ticket")
    zendesk_api(no_network, "PUT", "tickets/35436/tags.json", json={"tags": ["vd_issue_done"]})
    removed = zendesk_api(no_network, "DELETE", "tickets/35436/tags.json", json={"tags": []})
    done = load_fixture("jira", "jira:issue_updated")
    assert jira_post(client, acme.id, done).status_code == 202
    reopened = json.loads(json.dumps(done))
    reopened["issue"]["fields"]["status"] = {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}
    reopened["issue"]["fields"]["resolution"] = None
    assert jira_post(client, acme.id, reopened, identifier="hook-3").status_code == 202
    assert json.loads(removed.calls[0].request.body) == {"tags": ["vd_issue_done"]}
    assert "SUP-42 was reopened" in json.loads(notes.calls[1].request.body)["ticket"]["comment"]["body"]
    with db.tenant(acme.id) as session:
        assert session.scalar(select(Commitment.state)) == "cancelled"
