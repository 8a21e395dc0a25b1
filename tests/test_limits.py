"""Rate limits: a 429 with Retry-After and our error shape, per session on the API, per address on sign-in, per
installation on webhooks; one caller's limit never throttles another."""

import threading
import time

import pytest
from limits.storage import MemoryStorage

from adapter.installations import PLAYGROUND_ID
from adapter.limits import WebhookLimit
from tests.conftest import REDIS_URL
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

    from adapter.errors import ConfigError

    with pytest.raises(ConfigError, match="VALUEDESK_API_RATE_LIMIT must be a rate like"):
        make_app(VALUEDESK_API_RATE_LIMIT="lots")


class WatchedStorage(MemoryStorage):
    """limits' memory storage that notes how many threads are inside it at once (and lingers to let them meet)."""

    def __init__(self):
        super().__init__()
        self.inside, self.most_inside, self.guard = 0, 0, threading.Lock()

    def incr(self, *args, **kwargs):
        with self.guard:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        time.sleep(0.001)
        try:
            return super().incr(*args, **kwargs)
        finally:
            with self.guard:
                self.inside -= 1


def test_the_webhook_count_enters_limits_storage_one_thread_at_a_time():
    # limits' MemoryStorage is not safe to enter from two threads: under bench/load.py two server threads started
    # its expiry timer twice (RuntimeError, a 500 to the vendor).
    storage = WatchedStorage()
    limit = WebhookLimit("1000000 per minute", storage)
    start = threading.Barrier(8)

    def count():
        start.wait()
        for _ in range(20):
            limit.retry_after("zendesk", "acme")

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.most_inside == 1
    assert limit.counter.get_window_stats(limit.rate, "zendesk", "acme").remaining == 1_000_000 - 8 * 20


def test_guessing_the_admin_token_backs_off_per_address_whatever_the_headers(make_app, make_installation,
                                                                             frozen_clock):
    # The attack: 400 admin-token guesses through /api, each with a new Authorization header (a new limiter bucket
    # each), got no 429.
    admin_token = "the-real-admin-token-0123456789"
    app = make_app(VALUEDESK_ADMIN_TOKEN=admin_token)
    client = app.test_client()
    installation = make_installation(account="acme")
    headers = lambda token: {"Authorization": f"Bearer {token}", "X-Valuedesk-Installation": installation.id}  # noqa: E731
    answers = [client.get("/api/digest", headers=headers(f"guess-{n}")) for n in range(400)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:11] == [401] * 11 and set(statuses[11:]) == {429}
    assert answers[11].json["error"]["code"] == "too_many_failures" and answers[11].headers["Retry-After"] == "1"
    # While the address waits even the right token is not looked at, so a guess cannot be confirmed.
    assert client.get("/api/digest", headers=headers(admin_token)).status_code == 429
    # A session the service signed is not a guess: the agents behind the same address keep working.
    assert client.get("/api/digest", headers=bearer(app, installation.id)).status_code == 200
    # Another address is not held back.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert elsewhere.get("/api/digest", headers=headers("guess")).status_code == 401


def test_the_wait_doubles_with_each_failure_and_is_forgotten_after_an_hour(make_app, make_installation, frozen_clock):
    app = make_app(VALUEDESK_ADMIN_TOKEN="the-real-admin-token-0123456789")
    client = app.test_client()
    guess = {"Authorization": "Bearer guess", "X-Valuedesk-Installation": make_installation(account="acme").id}
    for _ in range(11):
        client.get("/api/digest", headers=guess)
    waits = []
    for _ in range(6):
        wait = int(client.get("/api/digest", headers=guess).headers["Retry-After"])
        waits.append(wait)
        frozen_clock.advance(seconds=wait)
        assert client.get("/api/digest", headers=guess).status_code == 401  # looked at again, and failed again
    assert waits == [1, 2, 4, 8, 16, 32]
    frozen_clock.advance(hours=2)
    assert client.get("/api/digest", headers=guess).status_code == 401


def test_guessing_installation_tokens_backs_off_too(make_app, make_installation, frozen_clock):
    # The attack: 700 installation-token guesses at the Freshdesk session endpoint got no 429.
    from adapter.connections import INSTALLATION_TOKEN

    app = make_app()
    client = app.test_client()
    installation = make_installation(kind="freshdesk", account="acme", secrets={INSTALLATION_TOKEN: "right-token"})
    statuses = [client.post(f"/api/freshdesk/{installation.id}/session", json={"agent_id": "7001"},
                            headers={"X-Valuedesk-Installation-Token": f"guess-{n}"}).status_code for n in range(700)]
    assert statuses[:11] == [401] * 11 and set(statuses[11:]) == {429}


def test_console_sign_in_failures_back_off_per_address(make_app, frozen_clock):
    client = make_app(VALUEDESK_LOGIN_RATE_LIMIT="1000 per minute", VALUEDESK_ADMIN_TOKEN="x" * 32).test_client()
    client.get("/admin/login")
    with client.session_transaction() as state:
        token = state["csrf"]
    answers = [client.post("/admin/login", data={"csrf_token": token, "installation": "p", "token": f"guess-{n}"})
               for n in range(13)]
    assert [a.status_code for a in answers] == [400] * 11 + [429] * 2
    assert b"Too many failed sign-ins from your address; try again in 1 s." in answers[11].data
    assert answers[11].headers["Retry-After"] == "1"


@pytest.mark.skipif(not REDIS_URL, reason="needs the test Redis (make test starts one)")
def test_failures_are_shared_through_redis(frozen_clock):
    import uuid

    from adapter.limits import AuthFailures
    from adapter.limits import RedisFailures

    address = f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"
    one, other = AuthFailures(RedisFailures(REDIS_URL)), AuthFailures(RedisFailures(REDIS_URL))
    for _ in range(11):
        one.failed(address)
    assert other.retry_after(address) == 1  # another web process sees the same record
    frozen_clock.advance(seconds=1)
    assert other.retry_after(address) is None


def test_a_failing_store_lets_attempts_through():
    from adapter.limits import AuthFailures

    class Broken:
        def get(self, address):
            raise ConnectionError("redis down")

        update = get

    failures = AuthFailures(Broken())
    failures.failed("192.0.2.1")
    assert failures.retry_after("192.0.2.1") is None
