"""A real `valuedesk worker` process consumes jobs from the queue (SQLite and Redis) and processes receipts."""

import os
import subprocess
import sys
import time

import pytest
import redis

from adapter.credentials import CredentialStore
from adapter.db import get_db
from adapter.installations import create_installation
from adapter.models import WebhookReceipt
from tests.conftest import REDIS_URL
from tests.conftest import app_config
from tests.support import WEBHOOK_SECRET
from tests.support import signed_playground_post


def require_redis() -> str:
    if REDIS_URL:
        return REDIS_URL
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but no Redis server was started for the tests (VALUEDESK_TEST_REDIS_URL unset)")
    pytest.skip("redis-server is not installed; install it to run the Redis worker test")


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def queued_app(request, database_url, tmp_path, make_app):
    overrides = {"VALUEDESK_JOBS_IMMEDIATE": "false"}
    if request.param == "redis-queue":
        url = require_redis()
        redis.Redis.from_url(url).flushdb()
        overrides["REDIS_URL"] = url
    return make_app(**overrides), app_config(database_url, tmp_path, **overrides)


def test_worker_process_consumes_and_processes(queued_app, tmp_path):
    app, config = queued_app
    with app.app_context(), get_db().system() as session:
        inst = create_installation(session, kind="playground", account="worker-test")
        CredentialStore(session, inst.id).set("webhook_secret", WEBHOOK_SECRET)
        installation_id = inst.id
    client = app.test_client()
    receipt_ids = []
    for n in range(5):
        response = signed_playground_post(client, installation_id, {"event": "ticket.created", "ticket_id": n})
        assert response.status_code == 202
        receipt_ids.append(response.json["receipt_id"])
    with app.app_context():
        assert app.extensions["valuedesk.huey"].pending_count() == 5

    env = {**os.environ, **{k: str(v) for k, v in config.items()}}
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "adapter.cli", "worker"], env=env,
                                  cwd=tmp_path, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        statuses = []
        while time.monotonic() < deadline:
            with app.app_context(), get_db().system() as session:
                statuses = [session.get(WebhookReceipt, r).status for r in receipt_ids]
            if all(s == "done" for s in statuses):
                break
            time.sleep(0.2)
        assert statuses == ["done"] * 5, log_path.read_text()[-2000:]
        with app.app_context(), get_db().system() as session:
            assert [session.get(WebhookReceipt, r).attempts for r in receipt_ids] == [1] * 5
    finally:
        worker.terminate()
        worker.wait(timeout=20)
