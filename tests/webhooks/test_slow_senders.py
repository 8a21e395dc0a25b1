"""Slow senders against the real server (`valuedesk serve`: gunicorn, gthread): a body that stops arriving is answered
408 and frees its thread, so stalled senders cannot starve the deliveries behind them."""

import json
import os
import socket
import subprocess
import sys
import time

import pytest
import requests
from sqlalchemy import func
from sqlalchemy import select

from adapter.models import WebhookReceipt
from scripts.servers import free_port
from tests.conftest import app_config
from tests.support import playground_headers

BODY_TIMEOUT = 1


@pytest.fixture
def server(database_url, tmp_path, no_network):
    """`valuedesk serve` with one worker of two threads on a free port; yields its port."""
    no_network.add_passthru("http://127.0.0.1")
    port = free_port()
    config = app_config(database_url, tmp_path, VALUEDESK_JOBS_IMMEDIATE="false",
                        VALUEDESK_WEBHOOK_BODY_TIMEOUT=str(BODY_TIMEOUT))
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    process = subprocess.Popen([sys.executable, "-m", "adapter.cli", "serve", "--port", str(port), "--workers", "1",
                                "--threads", "2"], env={**env, **config}, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("valuedesk serve did not start")
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stall(port: int, installation_id: str) -> socket.socket:
    """Send a delivery's headers and a tenth of its body, then nothing more."""
    body = json.dumps({"event": "comment.created", "ticket_id": 1, "comment_id": 1, "pad": "x" * 400}).encode()
    head = [f"POST /webhooks/playground/{installation_id} HTTP/1.1", f"Host: 127.0.0.1:{port}",
            f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in playground_headers(body).items())]
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body[: len(body) // 10])
    return connection


def test_stalled_bodies_are_refused_and_free_their_threads(server, db, make_installation):
    installation = make_installation(account="slow")
    stalled = [stall(server, installation.id) for _ in range(2)]  # as many as the server has threads
    time.sleep(0.3)

    body = json.dumps({"event": "comment.created", "ticket_id": 2, "comment_id": 2}).encode()
    # The server is another process with the real clock, so this delivery is signed with the real time.
    started = time.monotonic()
    sent = requests.post(f"http://127.0.0.1:{server}/webhooks/playground/{installation.id}", data=body,
                         headers=playground_headers(body, timestamp=int(time.time())), timeout=15)
    waited = time.monotonic() - started

    assert sent.status_code == 202
    assert waited < BODY_TIMEOUT + 4  # it waited for a thread, not forever
    for connection in stalled:
        connection.settimeout(5)
        answer = connection.recv(4096).decode()
        connection.close()
        assert answer.startswith("HTTP/1.1 408")
        assert "body_timeout" in answer
    with db.system() as session:
        assert session.scalar(select(func.count()).select_from(WebhookReceipt)) == 1
