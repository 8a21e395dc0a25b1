"""Helpers for tests: signed playground deliveries and sidebar sessions."""

from __future__ import annotations

import json
import time
import uuid

from adapter.providers import playground
from adapter.sidebar.auth import AgentSession
from adapter.sidebar.auth import issue_token

WEBHOOK_SECRET = "whsec-test-secret"


def signed_playground_post(client, installation_id: str, payload: dict | bytes, *, secret: str = WEBHOOK_SECRET,
                           delivery_id: str | None = None, timestamp: int | None = None, headers: dict | None = None):
    """POST a playground delivery signed the way the provider expects."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    sent = {
        "Content-Type": "application/json",
        playground.TIMESTAMP_HEADER: stamp,
        playground.SIGNATURE_HEADER: playground.sign(secret, stamp, body),
        playground.DELIVERY_HEADER: delivery_id or uuid.uuid4().hex,
        **(headers or {}),
    }
    return client.post(f"/webhooks/playground/{installation_id}", data=body, headers=sent)


def bearer(app, installation_id: str, *, agent_id: str = "agent-sam", name: str = "Sam Rivera",
           role: str = "agent", host: str = "playground") -> dict:
    """Authorization header for a sidebar session."""
    with app.app_context():
        token = issue_token(AgentSession(installation_id=installation_id, agent_id=agent_id, agent_name=name,
                                         role=role, host=host))
    return {"Authorization": f"Bearer {token}"}
