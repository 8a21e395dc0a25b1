"""JSON log lines with a request id; message bodies, secrets, customer e-mail addresses and entry tokens are never
logged."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask
from flask import g
from flask import request

from adapter import clock

request_id_var: ContextVar[str | None] = ContextVar("valuedesk_request_id", default=None)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_HANDLER_NAME = "valuedesk-json"
# Whatever a library puts in a message (stripe-python logs /v1/customers?email=… at INFO), these never reach a line:
# e-mail addresses, plain or URL-encoded, and the one-time token of a console entry link.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40|%2540)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", re.IGNORECASE)
_ENTRY_TOKEN = re.compile(r"(/admin/enter/)[^\s\"'?#]+")


def scrub(line: str) -> str:
    """`line` without e-mail addresses and console entry tokens."""
    return _ENTRY_TOKEN.sub(r"\1[token]", _EMAIL.sub("[email]", line))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event key, request id and structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": clock.wall().isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in (getattr(record, "fields", None) or {}).items():
            entry[key if key not in entry else f"field_{key}"] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return scrub(json.dumps(entry, default=str))


def configure(level: str = "INFO") -> None:
    """Send JSON lines to stderr (once per process)."""
    root = logging.getLogger()
    if not any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    # Huey logs each task with its arguments at INFO; ours are ids only, but keep its chatter down. stripe-python
    # logs every request URL at INFO, customer searches by e-mail included.
    for noisy in ("huey", "alembic", "stripe"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))


def bind_request_id(value: str | None = None) -> str:
    """Set the id stamped on every log line of this request or job."""
    value = value if value and _REQUEST_ID.match(value) else secrets.token_hex(8)
    request_id_var.set(value)
    return value


@contextmanager
def request_id(value: str) -> Iterator[str]:
    """Stamp log lines with `value` inside the block, then restore the previous id."""
    token = request_id_var.set(value if _REQUEST_ID.match(value) else secrets.token_hex(8))
    try:
        yield request_id_var.get()
    finally:
        request_id_var.reset(token)


def annotate(**fields) -> None:
    """Add fields (an outcome, the ids it touched) to this request's one log line."""
    g.setdefault("log_fields", {}).update(fields)


def init_app(app: Flask, level: str) -> None:
    """Log every request as one line (method, route, status, duration, and its annotations).

    The route is the rule that matched (`/admin/enter/<token>`), never the path, which can carry a token.
    """
    configure(level)
    access = logging.getLogger("valuedesk.http")

    @app.before_request
    def _start() -> None:
        g.request_id = bind_request_id(request.headers.get("X-Request-Id"))
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if request.path != "/healthz" and not request.path.startswith(("/static/", "/sidebar/static/")):
            access.info(
                "http.request",
                extra={
                    "fields": {
                        "method": request.method,
                        "route": route(),
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
                        **g.get("log_fields", {}),
                    }
                },
            )
        return response


def route() -> str:
    """The URL rule this request matched, or a placeholder; never the path with its values."""
    return request.url_rule.rule if request.url_rule is not None else "(no route)"
