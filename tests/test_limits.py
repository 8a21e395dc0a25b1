"""Rate limits: a 429 with Retry-After and our error shape, per session on the API, per address on sign-in, per
installation on webhooks; one caller's limit never throttles another."""

from adapter.installations import PLAYGROUND_ID
from tests.support import bearer
from tests.support import signed_playground_post


def test_the_api_limit_is_per_sidebar_session(make_app, runner):
    app = make_app(VALUEDESK_API_RATE_LIMIT="3 per minute")
    client = app.test_client()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    sam = bearer(app, PLAYGROUND_ID)
    priya = bearer(app, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    statuses = [client.get("/api/tickets/1/commitments", headers=sam).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/tickets/1/commitments", headers=sam)
    assert refused.json["error"]["code"] == "too_many_requests" and "slow down" in refused.json["error"]["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/api/tickets/1/commitments", headers=priya).status_code == 200  # her own budget


def test_console_sign_in_attempts_are_limited_per_address(make_app):
    client = make_app(VALUEDESK_LOGIN_RATE_LIMIT="2 per minute", VALUEDESK_ADMIN_TOKEN="x" * 32).test_client()
    client.get("/admin/login")
    with client.session_transaction() as state:
        token = state["csrf"]
    guesses = [client.post("/admin/login", data={"csrf_token": token, "installation": "p", "token": "guess"}).status_code
               for _ in range(3)]
    assert guesses == [400, 400, 429]
    assert client.get("/admin/login").status_code == 200  # reading the form is not limited


def test_webhooks_are_limited_per_installation(make_app, make_installation):
    app = make_app(VALUEDESK_WEBHOOK_RATE_LIMIT="2 per minute")
    client = app.test_client()
    first, second = make_installation(account="one"), make_installation(account="two")
    payload = {"event": "comment.created", "ticket_id": 1, "comment_id": 1}
    statuses = [signed_playground_post(client, first.id, payload).status_code for _ in range(3)]
    assert statuses[2] == 429
    refused = signed_playground_post(client, first.id, payload)
    assert refused.json["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert f"retry in {refused.headers['Retry-After']} s" in refused.json["error"]["message"]
    assert signed_playground_post(client, second.id, payload).status_code != 429


def test_a_malformed_limit_is_refused_at_start_up(make_app):
    import pytest

    from adapter.errors import ConfigError

    with pytest.raises(ConfigError, match="VALUEDESK_API_RATE_LIMIT must be a rate like"):
        make_app(VALUEDESK_API_RATE_LIMIT="lots")
