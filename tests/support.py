"""Helpers for tests: signed playground deliveries and sidebar sessions."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid

from adapter import clock
from adapter.providers import playground
from adapter.sidebar.auth import AgentSession
from adapter.sidebar.auth import issue_token

WEBHOOK_SECRET = "whsec-test-secret"


def playground_headers(body: bytes, *, secret: str = WEBHOOK_SECRET, delivery_id: str | None = None,
                       timestamp: int | None = None) -> dict:
    """The headers of a playground delivery of `body`, signed the way the provider expects."""
    stamp = str(int(clock.wall().timestamp()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json",
        playground.TIMESTAMP_HEADER: stamp,
        playground.SIGNATURE_HEADER: playground.sign(secret, stamp, body),
        playground.DELIVERY_HEADER: delivery_id or uuid.uuid4().hex,
    }


def signed_playground_post(client, installation_id: str, payload: dict | bytes, *, secret: str = WEBHOOK_SECRET,
                           delivery_id: str | None = None, timestamp: int | None = None, headers: dict | None = None):
    """POST a playground delivery signed the way the provider expects."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    sent = {**playground_headers(body, secret=secret, delivery_id=delivery_id, timestamp=timestamp), **(headers or {})}
    return client.post(f"/webhooks/playground/{installation_id}", data=body, headers=sent)


def bearer(app, installation_id: str, *, agent_id: str = "agent-sam", name: str = "Sam Rivera",
           role: str = "agent", host: str = "playground", verified: bool = True, checked_at: float | None = None,
           credential_id: int | None = None) -> dict:
    """Authorization header for a sidebar session whose role the helpdesk confirmed just now (or at `checked_at`)."""
    with app.app_context():
        token = issue_token(AgentSession(
            installation_id=installation_id, agent_id=agent_id, agent_name=name, role=role, host=host,
            verified=verified, checked_at=clock.wall().timestamp() if checked_at is None else checked_at,
            credential_id=credential_id))
    return {"Authorization": f"Bearer {token}"}


ZENDESK_API = "https://acme.zendesk.com/api/v2"


def api_fixture(provider: str, name: str):
    """A recorded API response body from tests/fixtures/<provider>/api/<name>.json."""
    from tests.conftest import load_fixture

    return load_fixture(provider, f"api/{name}")


def zendesk_api(mock, method: str, path: str, fixture: str | None = None, status: int = 200, **kwargs):
    """Register a Zendesk API response on the `responses` mock."""
    body = api_fixture("zendesk", fixture) if fixture else kwargs.pop("json", None)
    return mock.add(method, f"{ZENDESK_API}/{path}", json=body, status=status, **kwargs)


def zendesk_headers(secret: str, body: bytes, *, invocation_id: str = "01HZINVOCATION", timestamp: str | None = None):
    """Headers of a Zendesk webhook delivery signed with `secret`."""
    from adapter.providers import zendesk

    stamp = timestamp or clock.wall().strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "Content-Type": "application/json",
        zendesk.SIGNATURE_HEADER: zendesk.sign(secret, stamp, body),
        zendesk.TIMESTAMP_HEADER: stamp,
        zendesk.INVOCATION_HEADER: invocation_id,
        "X-Zendesk-Webhook-Id": "01GSAK5KXNEV4JHCB0AKTE0BX4",
        "X-Zendesk-Account-Id": "22129848",
    }


FRESHDESK_API = "https://acme.freshdesk.com/api/v2"


def freshdesk_api(mock, method: str, path: str, fixture: str | None = None, status: int = 200, **kwargs):
    """Register a Freshdesk API response on the `responses` mock."""
    body = api_fixture("freshdesk", fixture) if fixture else kwargs.pop("json", None)
    return mock.add(method, f"{FRESHDESK_API}/{path}", json=body, status=status, **kwargs)


STRIPE_API = "https://api.stripe.com/v1"


def stripe_api(mock, method: str, path: str, fixture: str | None = None, status: int = 200, **kwargs):
    """Register a Stripe API response on the `responses` mock."""
    body = api_fixture("stripe", fixture) if fixture else kwargs.pop("json", None)
    return mock.add(method, f"{STRIPE_API}/{path}", json=body, status=status, **kwargs)


def stripe_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict:
    """Headers of a Stripe webhook delivery signed with `secret`."""
    from adapter.providers import stripe

    return {"Content-Type": "application/json",
            stripe.SIGNATURE_HEADER: stripe.sign(secret, int(clock.wall().timestamp()) if timestamp is None else timestamp, body)}


def free_port() -> int:
    """A loopback port nothing listens on now (for a server whose URL must be known before it starts)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(app, port: int = 0):
    """Serve `app` on a loopback port (a free one by default) with a thread per request; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def every_get_page(app, api_headers: dict):
    """(path, body) of every GET route without path arguments, read through the JSON API with `api_headers` and
    through the playground admin's console session."""
    api, console = app.test_client(), app.test_client()
    console.get("/playground/console")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        for reader, headers in ((api, api_headers), (console, {})):
            yield rule.rule, reader.get(rule.rule, headers=headers).get_data(as_text=True)


def billing_action(session, public_id: str):
    """The money action with this public id (the id the API hands out)."""
    from sqlalchemy import select

    from adapter.models import BillingAction

    return session.scalar(select(BillingAction).where(BillingAction.public_id == public_id))
