"""The webhook view: verify, store, dedupe, enqueue, answer; bad deliveries change nothing."""

import json
import logging

import pytest
from sqlalchemy import func
from sqlalchemy import select

from adapter import clock
from adapter import dispatch
from adapter.events import CommentAdded
from adapter.installations import disable_installation
from adapter.models import Installation
from adapter.models import WebhookReceipt
from adapter.queue import enqueue as ORIGINAL_ENQUEUE  # noqa: E402
from tests.conftest import fixture_bytes
from tests.conftest import load_fixture
from tests.support import signed_playground_post


@pytest.fixture
def installation(make_installation):
    return make_installation(account="acme")


@pytest.fixture
def seen(monkeypatch):
    """Record events that reach the domain handlers."""
    events = []
    monkeypatch.setitem(dispatch.HANDLERS, CommentAdded, (lambda event, ctx: events.append(event),))
    return events


def receipt_count(db) -> int:
    with db.system() as session:
        return session.scalar(select(func.count()).select_from(WebhookReceipt))


def test_valid_delivery_is_stored_then_processed(client, db, installation, seen):
    response = signed_playground_post(client, installation.id, load_fixture("playground", "comment_created"),
                                      delivery_id="d-1")
    assert response.status_code == 202
    assert response.json["status"] == "accepted"
    with db.system() as session:
        receipt = session.get(WebhookReceipt, response.json["receipt_id"])
        assert receipt.status == "done"
        assert receipt.delivery_id == "d-1"
        assert json.loads(receipt.body) == load_fixture("playground", "comment_created")
        assert "X-Valuedesk-Signature" not in receipt.headers  # secrets and signatures are not kept
    assert seen == [CommentAdded(installation_id=installation.id, ticket_id="1", comment_id="11",
                                 author_role="customer", public=True)]


def test_duplicate_delivery_answers_200_without_a_second_job(client, db, installation, seen):
    payload = load_fixture("playground", "comment_created")
    assert signed_playground_post(client, installation.id, payload, delivery_id="d-1").status_code == 202
    again = signed_playground_post(client, installation.id, payload, delivery_id="d-1")
    assert again.status_code == 200
    assert again.json == {"status": "duplicate"}
    assert receipt_count(db) == 1
    assert len(seen) == 1


def test_same_delivery_id_for_two_installations_is_not_a_duplicate(client, db, make_installation, seen):
    a, b = make_installation(account="alpha"), make_installation(account="bravo")
    payload = load_fixture("playground", "comment_created")
    assert signed_playground_post(client, a.id, payload, delivery_id="same").status_code == 202
    assert signed_playground_post(client, b.id, payload, delivery_id="same").status_code == 202
    assert [e.installation_id for e in seen] == [a.id, b.id]


@pytest.mark.parametrize(
    "tamper, status, code",
    [
        ({"secret": "wrong-secret"}, 401, "invalid_signature"),
        ({"age": 600}, 401, "invalid_signature"),  # ten minutes old
        ({"age": -600}, 401, "invalid_signature"),  # ten minutes ahead
        ({"headers": {"X-Valuedesk-Signature": ""}}, 401, "invalid_signature"),
        ({"headers": {"X-Valuedesk-Timestamp": "yesterday"}}, 401, "invalid_signature"),
    ],
)
def test_bad_signatures_are_refused_and_nothing_is_stored(client, db, installation, seen, tamper, status, code):
    if "age" in tamper:  # computed now, not when the tests were collected minutes earlier
        tamper = {"timestamp": int(clock.wall().timestamp()) - tamper["age"]}
    response = signed_playground_post(client, installation.id, load_fixture("playground", "comment_created"), **tamper)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert receipt_count(db) == 0
    assert seen == []


def test_altered_body_is_refused(client, db, installation):
    from adapter.providers import playground

    body = fixture_bytes("playground", "comment_created")
    stamp = str(int(clock.wall().timestamp()))
    response = client.post(
        f"/webhooks/playground/{installation.id}",
        data=body.replace(b"11", b"99"),
        headers={"Content-Type": "application/json", playground.TIMESTAMP_HEADER: stamp,
                 playground.SIGNATURE_HEADER: playground.sign("whsec-test-secret", stamp, body),
                 playground.DELIVERY_HEADER: "x"},
    )
    assert response.status_code == 401
    assert receipt_count(db) == 0


def test_unknown_provider_and_installation(client, installation):
    assert client.post(f"/webhooks/helpscout/{installation.id}", json={}).status_code == 404
    response = signed_playground_post(client, "no-such-installation", {"event": "ticket.created", "ticket_id": 1})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "unknown_installation"


def test_disabled_installation_is_refused(client, db, installation):
    with db.system() as session:
        disable_installation(session, session.get(Installation, installation.id))
    response = signed_playground_post(client, installation.id, load_fixture("playground", "comment_created"))
    assert response.status_code == 410
    assert receipt_count(db) == 0


def test_installation_without_secret_is_not_connected(client, db, make_installation):
    bare = make_installation(account="bare", secrets={})
    response = signed_playground_post(client, bare.id, load_fixture("playground", "comment_created"))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_connected"


def test_invalid_json_and_wrong_content_type(client, db, installation):
    assert signed_playground_post(client, installation.id, b"{not json").status_code == 400
    assert signed_playground_post(client, installation.id, b"[1, 2]").status_code == 400
    response = signed_playground_post(client, installation.id, b'{"event": "ticket.created", "ticket_id": 1}',
                                      headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert receipt_count(db) == 0


def test_body_over_the_limit_is_413(client, db, installation):
    huge = b'{"event": "ticket.created", "pad": "' + b"x" * 1_100_000 + b'"}'
    response = signed_playground_post(client, installation.id, huge)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "request_entity_too_large"
    assert receipt_count(db) == 0


def test_ignored_and_unknown_events_answer_204_and_store_nothing(client, db, installation):
    assert signed_playground_post(client, installation.id, load_fixture("playground", "ticket_viewed")).status_code == 204
    assert signed_playground_post(client, installation.id, load_fixture("playground", "ticket_merged")).status_code == 204
    assert receipt_count(db) == 0


def test_missing_delivery_id_is_400(client, db, installation):
    response = signed_playground_post(client, installation.id, load_fixture("playground", "ticket_created"),
                                      headers={"X-Valuedesk-Delivery": ""})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_delivery"


def test_queue_outage_still_acknowledges_and_the_sweep_recovers(app, client, installation, seen, monkeypatch, frozen_clock):
    from adapter import jobs
    from adapter import queue

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(queue, "enqueue", broken)
    response = signed_playground_post(client, installation.id, load_fixture("playground", "comment_created"))
    assert response.status_code == 202  # stored, so nothing is lost
    assert seen == []
    monkeypatch.setattr(queue, "enqueue", ORIGINAL_ENQUEUE)
    frozen_clock.advance(minutes=10)
    with app.app_context():
        assert jobs.sweep() == 1
        assert jobs.sweep() == 0
    assert len(seen) == 1


def test_logs_carry_no_bodies_or_secrets(client, installation, caplog):
    caplog.set_level(logging.INFO)
    payload = {"event": "comment.created", "ticket_id": 1, "comment_id": 5, "author_role": "customer",
               "public": True, "note": "SENSITIVE-CUSTOMER-TEXT"}
    signed_playground_post(client, installation.id, payload)
    text = "\n".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert "SENSITIVE-CUSTOMER-TEXT" not in text
    assert "whsec-test-secret" not in text
    line = next(r for r in caplog.records if r.getMessage() == "http.request")
    assert line.fields["webhook"] == "playground.accepted" and line.fields["status"] == 202
    assert line.fields["installation"] == installation.id and line.fields["receipt_id"] > 0


def test_after_a_long_outage_one_sweep_takes_every_stalled_delivery(app, client, installation, monkeypatch, frozen_clock):
    from adapter import jobs
    from adapter import queue
    from adapter import workitems

    monkeypatch.setattr(workitems, "SWEEP_BATCH", 5)  # twelve deliveries are more than two batches
    monkeypatch.setattr(queue, "enqueue", lambda *args, **kwargs: (_ for _ in ()).throw(ConnectionError("redis down")))
    for n in range(12):
        payload = {**load_fixture("playground", "comment_created"), "comment_id": 100 + n}
        assert signed_playground_post(client, installation.id, payload).status_code == 202
    requeued = []
    monkeypatch.setattr(queue, "enqueue", lambda name, *args, **kwargs: requeued.append(args[0]))
    frozen_clock.advance(minutes=10)
    with app.app_context():
        assert jobs.sweep() == 12
    assert sorted(requeued) == sorted(set(requeued)) and len(requeued) == 12
