"""The web server behind `valuedesk serve`: waitress, with read deadlines on every connection.

waitress reads each request, headers and body, in one event loop and hands it to a worker thread only once it is
complete, and it buffers responses the same way; a client that stalls or trickles therefore holds a socket, never a
thread. On top of waitress's idle timeout, every request must finish its headers within `header_timeout` seconds
of its first byte and its body within `body_timeout` seconds of its headers, or it gets a 408 and the connection
closes: a slow client cannot even keep a connection slot for long.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from waitress.adjustments import Adjustments
from waitress.channel import ClientDisconnected
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask
from waitress.task import ThreadedTaskDispatcher

# Idle keep-alive connections close after this long: longer than a fronting proxy keeps its own (Fly's: 60 s), so
# the proxy, not the server, ends a reused connection and never sends a request onto one being closed.
IDLE_TIMEOUT = 75
CONNECTION_LIMIT = 1000  # sockets are cheap when no thread waits on them (polled with poll(), not select())
MESSAGES = {
    400: "The request could not be understood",
    413: "The request body is larger than this service accepts",
    431: "The request headers are larger than this service accepts",
}


@dataclass(frozen=True)
class Limits:
    """How long and how much a client may take to send one request."""

    header_timeout: int = 10  # seconds from a request's first byte to the end of its headers
    body_timeout: int = 10  # seconds from the end of the headers to the end of the body
    max_body: int = 1_000_000  # bytes


def error_body(code: str, message: str) -> bytes:
    """The service's error shape, for answers the server gives before the app sees a request."""
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class JsonErrorTask(ErrorTask):
    """waitress's answer to an unparseable or oversized request, in the service's JSON error shape."""

    def execute(self):
        error = self.request.error
        self.status = f"{error.code} {error.reason}"
        detail = f": {error.body}" if error.code == 400 and error.body else "."
        body = error_body(error.reason.lower().replace(" ", "_"), MESSAGES.get(error.code, error.reason) + detail)
        self.response_headers.extend([("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class DeadlineChannel(HTTPChannel):
    """A connection that notes when its current request started and when its headers ended."""

    error_task_class = JsonErrorTask
    request_started: float | None = None
    body_started: float | None = None
    answered_any = False

    def received(self, data):
        now = time.time()
        if self.request is None and data:
            self.request_started, self.body_started = now, None
        handled = super().received(data)
        if self.request is None:
            self.request_started, self.body_started, self.answered_any = None, None, True
        elif self.request.headers_finished and self.body_started is None:
            self.body_started = now
        return handled

    def enforce_deadlines(self, now: float) -> None:
        """Answer 408 and close when the request being received has run out of time."""
        if self.requests or self.will_close or self.close_when_flushed:
            return  # a request is being served; its reply decides what happens to the connection
        limits = self.server.limits
        if self.request is None:
            if not self.answered_any and now - self.creation_time > limits.header_timeout:
                self.will_close = True  # connected and never said anything
            return
        if self.body_started is None and now - self.request_started > limits.header_timeout:
            self._time_out("header_timeout", f"The request headers did not arrive within "
                                             f"{limits.header_timeout} s; send the request again.")
        elif self.body_started is not None and now - self.body_started > limits.body_timeout:
            self._time_out("body_timeout", f"The body stopped arriving before it was complete (limit "
                                           f"{limits.body_timeout} s); send it again.")

    def _time_out(self, code: str, message: str) -> None:
        body = error_body(code, message)
        head = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        self.request = None
        with contextlib.suppress(ClientDisconnected):  # then there is no one left to tell
            self.write_soon(head + body)
        self.close_when_flushed = True


class DeadlineServer(TcpWSGIServer):
    """waitress's TCP server with per-request deadlines checked at every maintenance pass."""

    channel_class = DeadlineChannel
    limits = Limits()

    def maintenance(self, now):
        super().maintenance(now)  # waitress's idle timeout
        for channel in list(self.active_channels.values()):
            channel.enforce_deadlines(now)


def create(app: Callable, *, host: str, port: int, threads: int, limits: Limits):
    """A server for `app` on host:port (every address the host name has), not yet running."""
    adjustments = Adjustments(
        host=host, port=port, threads=threads, connection_limit=CONNECTION_LIMIT, channel_timeout=IDLE_TIMEOUT,
        cleanup_interval=1, max_request_body_size=limits.max_body, asyncore_use_poll=True, ident="Valuedesk",
        clear_untrusted_proxy_headers=False,  # the app trusts X-Forwarded-* from VALUEDESK_PROXY_HOPS proxies only
        expose_tracebacks=False)
    socket_map: dict = {}
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    servers = [DeadlineServer(app, map=socket_map, adj=adjustments, sockinfo=info, dispatcher=dispatcher)
               for info in adjustments.listen]
    for server in servers:
        server.limits = limits
    if len(servers) == 1:
        return servers[0]
    return MultiSocketServer(socket_map, adjustments, [(s.effective_host, s.effective_port) for s in servers],
                             dispatcher, servers[-1].log_info)


def run(server, on_exit: Callable[[], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT, then let requests in flight finish (waitress waits up to 5 s)."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" is load, not a problem

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    finally:
        if on_exit is not None:
            on_exit()
