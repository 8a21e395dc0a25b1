"""Hostile deliveries on every provider route: each is refused with the right status and leaves no receipt or job.

One table of senders (how each vendor signs a delivery) times one table of abuses, so a new provider route gets
the whole matrix by adding one sender.
"""

import json
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from adapter import clock
from adapter import queue
from adapter.installations import disable_installation
from adapter.models import Installation
from adapter.models import WebhookReceipt
from adapter.providers import freshdesk
from adapter.providers import jira
from adapter.providers import linear
from adapter.providers import playground
from adapter.providers import stripe
from adapter.providers import zendesk
from tests.conftest import fixture_bytes

SECRET = "the-right-secret-0123456789abcdef"
OTHER = "somebody-elses-secret-0123456789"
DEEP = b'{"a":' * 5000 + b"1" + b"}" * 5000
STALE = timedelta(hours=3)  # beyond every provider's window (Linear 60 s, Freshdesk 2 hours, the others 5 minutes)


@dataclass(frozen=True)
class Sender:
    """How one vendor signs and identifies a delivery."""

    provider: str
    kind: str  # the installation's helpdesk
    fixture: str
    has_window: bool  # whether a stale timestamp is refused (Jira sends no time; Freshdesk's is in the body)

    @property
    def vendor(self) -> str:
        """The vendor whose payloads this sender posts ("freshdesk-app": the marketplace app's own route)."""
        return self.provider.removesuffix("-app")

    def address(self, installation: Installation | str) -> str:
        """Where it posts: the installation's id, or the marketplace Freshdesk app's domain."""
        if self.provider == "freshdesk-app":
            account = installation.account if isinstance(installation, Installation) else installation
            return f"/webhooks/freshdesk/app/{account}.freshdesk.com"
        return f"/webhooks/{self.provider}/{getattr(installation, 'id', installation)}"

    def body(self) -> bytes:
        payload = json.loads(fixture_bytes(self.vendor, self.fixture))
        if self.provider == "linear":
            payload["webhookTimestamp"] = int(clock.wall().timestamp() * 1000)
        if self.vendor == "freshdesk":
            payload["timestamp"] = int(clock.wall().timestamp())
        return json.dumps(payload).encode()

    def headers(self, body: bytes, secret: str, *, delivery: str, age: timedelta = timedelta(0)) -> dict:
        sent_at = clock.wall() - age
        if self.provider == "playground":
            stamp = str(int(sent_at.timestamp()))
            return {playground.TIMESTAMP_HEADER: stamp, playground.SIGNATURE_HEADER: playground.sign(secret, stamp, body),
                    playground.DELIVERY_HEADER: delivery}
        if self.provider == "zendesk":
            stamp = sent_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            return {zendesk.SIGNATURE_HEADER: zendesk.sign(secret, stamp, body), zendesk.TIMESTAMP_HEADER: stamp,
                    zendesk.INVOCATION_HEADER: delivery}
        if self.provider == "freshdesk":
            return {freshdesk.SECRET_HEADER: secret}
        if self.provider == "freshdesk-app":
            return {freshdesk.APP_KEY_HEADER: secret}
        if self.provider == "stripe":
            return {stripe.SIGNATURE_HEADER: stripe.sign(secret, int(sent_at.timestamp()), body)}
        if self.provider == "jira":
            return {jira.SIGNATURE_HEADER: jira.sign(secret, body), jira.IDENTIFIER_HEADER: delivery}
        # Linear signs its time inside the body (webhookTimestamp); the header is fresh, as a replayer would send it.
        return {linear.SIGNATURE_HEADER: linear.sign(secret, body), linear.DELIVERY_HEADER: delivery,
                linear.TIMESTAMP_HEADER: str(int(clock.wall().timestamp() * 1000))}

    def aged(self, body: bytes, secret: str, *, delivery: str, age: timedelta) -> tuple[bytes, dict]:
        """The delivery as sent `age` ago: the signed time moved back, wherever the vendor signs it."""
        if self.provider == "linear":
            body = json.dumps({**json.loads(body), "webhookTimestamp": int((clock.wall() - age).timestamp() * 1000)}).encode()
        if self.vendor == "freshdesk":
            body = json.dumps({**json.loads(body), "timestamp": int((clock.wall() - age).timestamp())}).encode()
        return body, self.headers(body, secret, delivery=delivery, age=age)


SENDERS = [
    Sender("playground", "playground", "comment_created", True),
    Sender("zendesk", "zendesk", "ticket_comment_added", True),
    Sender("freshdesk", "freshdesk", "on_conversation_create", True),
    Sender("freshdesk-app", "freshdesk", "on_conversation_create", True),
    Sender("stripe", "zendesk", "refund.failed", True),
    Sender("jira", "zendesk", "jira:issue_updated", False),
    Sender("linear", "freshdesk", "Issue.update", True),
]
SECRET_NAMES = {"playground": playground.SECRET_CREDENTIAL, "zendesk": zendesk.SECRET_CREDENTIAL,
                "freshdesk": freshdesk.SECRET_CREDENTIAL, "stripe": stripe.SECRET_CREDENTIAL,
                "jira": jira.SECRET_CREDENTIAL, "linear": linear.SECRET_CREDENTIAL,
                "freshdesk-app": freshdesk.APP_KEY_DIGEST}


@pytest.fixture
def jobs(monkeypatch):
    """Every job the view hands to the queue."""
    queued = []
    monkeypatch.setattr(queue, "enqueue", lambda name, *args, **kwargs: queued.append((name, args)))
    return queued


def receipts(db) -> int:
    with db.system() as session:
        return session.scalar(select(func.count()).select_from(WebhookReceipt))


def install(make_installation, sender: Sender) -> Installation:
    # The marketplace Freshdesk app's key is stored as its digest.
    secret = freshdesk.key_digest(SECRET) if sender.provider == "freshdesk-app" else SECRET
    return make_installation(kind=sender.kind, account=f"abuse{time.monotonic_ns()}",
                             secrets={SECRET_NAMES[sender.provider]: secret})


def post(client, sender: Sender, installation: Installation | str, body: bytes, headers: dict,
         content_type="application/json"):
    return client.post(sender.address(installation), data=body, headers={"Content-Type": content_type, **headers})


def abuses(sender: Sender):
    """(name, how to build the request from a valid body, expected status, expected error code)."""
    delivery = uuid.uuid4().hex
    cases = [
        ("missing signature", lambda body: (body, {}), 401),
        ("wrong secret", lambda body: (body, sender.headers(body, OTHER, delivery=delivery)), 401),
        ("body altered after signing",
         lambda body: (body.replace(b"{", b'{"x": 1, ', 1), sender.headers(body, SECRET, delivery=delivery)), 401),
        ("invalid JSON", lambda body: (b"{not json", sender.headers(b"{not json", SECRET, delivery=delivery)), 400),
        ("JSON that is not an object", lambda body: (b"[1, 2]", sender.headers(b"[1, 2]", SECRET, delivery=delivery)), 400),
        ("JSON nested 5000 levels deep", lambda body: (DEEP, sender.headers(DEEP, SECRET, delivery=delivery)), 400),
    ]
    if sender.has_window:
        cases.append(("stale timestamp", lambda body: sender.aged(body, SECRET, delivery=delivery, age=STALE), 401))
    if sender.vendor == "freshdesk":
        # Freshdesk sends a shared secret, not a signature: an altered body cannot be told apart.
        cases = [case for case in cases if case[0] != "body altered after signing"]
    return cases


CASES = [(sender, name, build, status) for sender in SENDERS for name, build, status in abuses(sender)]


@pytest.mark.parametrize(("sender", "name", "build", "status"), CASES,
                         ids=[f"{case[0].provider}-{case[1].replace(' ', '-')}" for case in CASES])
def test_a_hostile_delivery_is_refused_and_leaves_nothing(client, db, make_installation, jobs, sender, name, build,
                                                          status):
    installation = install(make_installation, sender)
    body, headers = build(sender.body())
    response = post(client, sender, installation, body, headers)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["message"]  # a sentence a person can act on
    assert receipts(db) == 0 and jobs == []


@pytest.mark.parametrize("sender", SENDERS, ids=[s.provider for s in SENDERS])
def test_valid_replay_wrong_type_oversize_unknown_and_disabled(app, client, db, make_installation, jobs, sender):
    installation = install(make_installation, sender)
    body = sender.body()
    headers = sender.headers(body, SECRET, delivery=uuid.uuid4().hex)

    wrong_type = post(client, sender, installation, body, headers, content_type="text/plain")
    assert wrong_type.status_code == 415 and receipts(db) == 0
    limit = app.config["MAX_CONTENT_LENGTH"]
    huge = body + b" " * limit
    oversize = post(client, sender, installation, huge, sender.headers(huge, SECRET, delivery=uuid.uuid4().hex))
    assert oversize.status_code == 413 and "larger than" in oversize.json["error"]["message"]
    unknown = post(client, sender, "inst_doesnotexist", body, headers)
    # The app's route is addressed by domain: an unknown one answers like a wrong key, telling nobody who is installed.
    assert unknown.status_code == (401 if sender.provider == "freshdesk-app" else 404)
    assert receipts(db) == 0 and jobs == []

    first = post(client, sender, installation, body, headers)
    assert first.status_code == 202, first.get_data(as_text=True)
    replay = post(client, sender, installation, body, headers)
    assert replay.status_code == 200 and replay.json == {"status": "duplicate"}
    assert receipts(db) == 1 and len(jobs) == 1  # stored once, one job

    with db.system() as session:
        disable_installation(session, session.get(Installation, installation.id))
    fresh = sender.headers(body, SECRET, delivery=uuid.uuid4().hex)
    disabled = post(client, sender, installation, body, fresh)
    assert disabled.status_code == 410 and receipts(db) == 1 and len(jobs) == 1
