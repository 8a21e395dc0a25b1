"""Rate limits: per sidebar session on the API and per address on console sign-in (flask-limiter, counters in Redis
when it is configured, else in memory; if the store fails, requests go through), and per installation on webhooks
(the `limits` library flask-limiter is built on, counting in this process's memory)."""

from __future__ import annotations

import hashlib
import math
import threading
import time

from flask import Flask
from flask import current_app
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from adapter.config import Settings


def session_key() -> str:
    """The caller's sidebar session (a hash of its bearer token), or its address when it has none."""
    token = request.headers.get("Authorization", "")
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "addr:" + get_remote_address()


class WebhookLimit:
    """A fixed-window count of deliveries per provider and installation, in this process.

    It bounds one installation's flood rather than metering it, so it is not worth a Redis round trip on every
    acknowledgement; with several web processes the effective limit is this one times their number.
    """

    def __init__(self, rate: str, storage: MemoryStorage | None = None):
        self.rate = parse(rate)
        self.counter = FixedWindowRateLimiter(storage or MemoryStorage())
        # limits' MemoryStorage restarts its expiry timer from whichever thread counts next; two server threads
        # doing so at once start the same timer twice (RuntimeError, found by bench/load.py), so count one at a time.
        self._lock = threading.Lock()

    def retry_after(self, provider: str, installation_id: str) -> int | None:
        """Count this delivery; None when it is within the limit, else the seconds until the window resets."""
        with self._lock:
            if self.counter.hit(self.rate, provider, installation_id):
                return None
            reset = self.counter.get_window_stats(self.rate, provider, installation_id).reset_time
        return max(1, math.ceil(reset - time.time()))


def webhook_limit() -> WebhookLimit:
    """The current app's webhook limit."""
    return current_app.extensions["valuedesk.webhook_limit"]


def init_app(app: Flask, settings: Settings, *, api_blueprints, login_view: str, exempt_blueprint: str) -> Limiter:
    """A limiter for the API and sign-in, and the webhook limit; `exempt_blueprint` skips the limiter entirely."""
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        strategy="fixed-window",  # one INCR per request; the moving window costs a sorted set per caller
        headers_enabled=True,
        swallow_errors=True,  # a Redis outage must not refuse the sidebar
    )
    limiter.request_filter(lambda: request.blueprint == exempt_blueprint)
    for blueprint in api_blueprints:
        limiter.limit(settings.api_rate_limit, key_func=session_key)(blueprint)
    view = app.view_functions[login_view]
    app.view_functions[login_view] = limiter.limit(settings.login_rate_limit, methods=["POST"])(view)
    app.extensions["valuedesk.limiter"] = limiter
    app.extensions["valuedesk.webhook_limit"] = WebhookLimit(settings.webhook_rate_limit)
    return limiter
