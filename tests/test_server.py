"""`valuedesk serve` against slow and stalled clients, as a real server in its own process: stalled connections hold
no thread, and every request must finish its headers and its body within a deadline or get a 408."""

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

STALLED = 50


@pytest.fixture
def serve(database_url, tmp_path, no_network):
    """Start `valuedesk serve` (its defaults unless told) with extra settings; yields a function that returns the port."""
    no_network.add_passthru("http://127.0.0.1")
    processes = []

    def start(*args: str, **settings: str) -> int:
        port = free_port()
        config = app_config(database_url, tmp_path, VALUEDESK_JOBS_IMMEDIATE="false", **settings)
        env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
        process = subprocess.Popen([sys.executable, "-m", "adapter.cli", "serve", "--port", str(port), *args],
                                   env={**env, **config}, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        processes.append(process)
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return port
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("valuedesk serve did not start")
                time.sleep(0.2)

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def delivery(installation_id: str, ticket: int, *, real_time: bool = False) -> tuple[bytes, dict]:
    body = json.dumps({"event": "comment.created", "ticket_id": ticket, "comment_id": ticket, "pad": "x" * 400}).encode()
    # The server is another process with the real clock, so a delivery it must accept is signed with the real time.
    return body, playground_headers(body, timestamp=int(time.time()) if real_time else None)


def stall_headers(port: int) -> socket.socket:
    """Half a request line and one header, then nothing."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode())
    return connection


def stall_body(port: int, path: str, body: bytes, headers: dict) -> socket.socket:
    """A request's headers and a tenth of its body, then nothing."""
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items())]
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body[: len(body) // 10])
    return connection


def answer(connection: socket.socket, wait: float) -> str:
    connection.settimeout(wait)
    try:
        return connection.recv(4096).decode()
    finally:
        connection.close()


def test_fifty_stalled_connections_leave_health_and_webhooks_answering_within_a_second(serve, db, make_installation):
    installation = make_installation(account="slow")
    port = serve()  # the defaults `make run` and the Dockerfile use
    body, headers = delivery(installation.id, 1)
    stalled = [stall_headers(port) for _ in range(STALLED // 2)]
    stalled += [stall_body(port, f"/webhooks/playground/{installation.id}", body, headers) for _ in range(STALLED // 4)]
    stalled += [stall_body(port, "/api/signals/suggestions", b'{"ticket_id": "1"}' * 20,
                           {"Content-Type": "application/json"}) for _ in range(STALLED - len(stalled))]
    try:
        time.sleep(0.5)
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        body, headers = delivery(installation.id, 2, real_time=True)
        sent = requests.post(f"http://127.0.0.1:{port}/webhooks/playground/{installation.id}", data=body,
                             headers=headers, timeout=1)
        assert sent.status_code == 202
        for connection in stalled:  # still open: they were outwaited, not dropped to make room
            connection.setblocking(False)
            with pytest.raises(BlockingIOError):
                connection.recv(1)
    finally:
        for connection in stalled:
            connection.close()
    with db.system() as session:
        assert session.scalar(select(func.count()).select_from(WebhookReceipt)) == 1


def test_a_body_that_stops_arriving_gets_a_408_on_every_route(serve, db, make_installation):
    installation = make_installation(account="slow")
    port = serve("--threads", "2", VALUEDESK_BODY_TIMEOUT="1")
    body, headers = delivery(installation.id, 1)
    stalled = [stall_body(port, f"/webhooks/playground/{installation.id}", body, headers),
               stall_body(port, "/api/billing/preview", b'{"kind": "refund"}' * 10, {"Content-Type": "application/json"}),
               stall_body(port, "/playground/api/tickets", b'{"subject": "Hi"}' * 10, {"Content-Type": "application/json"})]
    for connection in stalled:
        reply = answer(connection, 5)
        assert reply.startswith("HTTP/1.1 408")
        assert json.loads(reply.split("\r\n\r\n", 1)[1])["error"]["code"] == "body_timeout"
    with db.system() as session:
        assert session.scalar(select(func.count()).select_from(WebhookReceipt)) == 0


def test_headers_trickled_a_byte_at_a_time_get_a_408_at_the_deadline(serve):
    port = serve(VALUEDESK_HEADER_TIMEOUT="1")
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: ")
    connection.settimeout(0.3)
    reply, started = b"", time.monotonic()
    while not reply and time.monotonic() - started < 8:
        try:
            connection.sendall(b"a")  # never silent for long, so only a deadline on the whole headers ends it
            reply = connection.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            break
    connection.close()
    assert reply.startswith(b"HTTP/1.1 408")
    assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "header_timeout"


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(serve):
    port = serve(VALUEDESK_WEBHOOK_MAX_BYTES="1000")
    response = requests.post(f"http://127.0.0.1:{port}/webhooks/playground/x", data=b"x" * 5000,
                             headers={"Content-Type": "application/json"}, timeout=5)
    assert response.status_code == 413
    assert response.json()["error"]["message"].startswith("The request body is larger than this service accepts")
