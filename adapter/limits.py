"""Rate limits: per sidebar session on the API and per address on console sign-in (flask-limiter, counters in Redis
when it is configured, else in memory; if the store fails, requests go through), per installation on webhooks
(the `limits` library flask-limiter is built on, counting in this process's memory), and failed authentication per
client address with a doubling back-off (Redis when configured, else memory)."""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from adapter import clock
from adapter.config import Settings
from adapter.errors import ApiError


def session_key(signed_session_key: Callable[[str], str | None]) -> Callable[[], str]:
    """The caller's sidebar session when its bearer token is one we signed (`signed_session_key`), else its address.

    Keying on any header sent would give a caller who makes up a new header per request a new budget each time.
    """

    def key() -> str:
        return signed_session_key(request.headers.get("Authorization", "")) or "addr:" + get_remote_address()

    return key


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


# Failed authentication: a few mistakes are free, then every further attempt from the address waits 1, 2, 4 … seconds
# (at most LONGEST_WAIT) after the last failure; a quiet FORGET_AFTER forgets them.
FREE_FAILURES = 10
LONGEST_WAIT = 15 * 60
FORGET_AFTER = 60 * 60
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failures:
    """One address's failed authentications: how many, the last one, and until when it must wait (epoch seconds)."""

    count: int = 0
    last: float = 0.0
    wait_until: float = 0.0

    def after_failure(self, now: float) -> Failures:
        """The record after one more failure at `now`."""
        count = 1 if now - self.last > FORGET_AFTER else self.count + 1
        wait = min(2 ** (count - FREE_FAILURES - 1), LONGEST_WAIT) if count > FREE_FAILURES else 0
        return Failures(count, now, now + wait)

    def retry_after(self, now: float) -> int | None:
        """Seconds to wait before the next attempt is even looked at, or None."""
        return math.ceil(self.wait_until - now) if self.wait_until > now else None


class MemoryFailures:
    """Failure records in this process (one web process, or tests)."""

    def __init__(self):
        self._records: dict[str, Failures] = {}
        self._lock = threading.Lock()

    def get(self, address: str) -> Failures:
        """The address's record (empty when there is none)."""
        return self._records.get(address, Failures())

    def update(self, address: str, change) -> Failures:
        """Replace the address's record with change(record), atomically."""
        with self._lock:
            record = self._records[address] = change(self.get(address))
            return record


class RedisFailures:
    """Failure records in Redis, shared by every web process; each expires when it no longer matters."""

    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    @staticmethod
    def _key(address: str) -> str:
        return f"valuedesk:auth-failures:{address}"

    def get(self, address: str) -> Failures:
        """The address's record (empty when there is none)."""
        raw = self._redis.get(self._key(address))
        return Failures(**json.loads(raw)) if raw else Failures()

    def update(self, address: str, change) -> Failures:
        """Replace the address's record with change(record) in a WATCH/MULTI transaction."""
        key = self._key(address)
        result = []

        def apply(pipe) -> None:
            raw = pipe.get(key)
            record = change(Failures(**json.loads(raw)) if raw else Failures())
            pipe.multi()
            pipe.set(key, json.dumps(asdict(record)), ex=FORGET_AFTER + LONGEST_WAIT)
            result.append(record)

        self._redis.transaction(apply, key)
        return result[-1]


class AuthFailures:
    """Failed authentication per client address, whatever credentials or headers each attempt carries.

    If the store fails, attempts are looked at as usual: a Redis outage must not lock agents out.
    """

    def __init__(self, store):
        self.store = store

    def retry_after(self, address: str) -> int | None:
        """Seconds this address must still wait, or None when its next attempt may be checked."""
        try:
            return self.store.get(address).retry_after(clock.wall().timestamp())
        except Exception as exc:  # noqa: BLE001 - fail open, as the API limiter does
            log.warning("limits.auth_failures_unavailable", extra={"fields": {"error": type(exc).__name__}})
            return None

    def failed(self, address: str) -> None:
        """Count one failed attempt from `address`."""
        now = clock.wall().timestamp()
        try:
            self.store.update(address, lambda record: record.after_failure(now))
        except Exception as exc:  # noqa: BLE001
            log.warning("limits.auth_failures_unavailable", extra={"fields": {"error": type(exc).__name__}})


def auth_failures() -> AuthFailures:
    """The current app's failed-authentication record."""
    return current_app.extensions["valuedesk.auth_failures"]


def refuse_while_backing_off() -> None:
    """Refuse, unchecked, an authentication attempt from an address that must still wait.

    :raise ApiError: 429 with Retry-After.
    """
    wait = auth_failures().retry_after(get_remote_address())
    if wait is not None:
        g.auth_retry_after = wait
        raise ApiError(429, "too_many_failures", f"Too many failed sign-ins from your address; try again in {wait} s.",
                       headers={"Retry-After": str(wait)})


def note_failure() -> None:
    """Count a failed authentication from this request's address."""
    auth_failures().failed(get_remote_address())


def webhook_limit() -> WebhookLimit:
    """The current app's webhook limit."""
    return current_app.extensions["valuedesk.webhook_limit"]


def init_app(app: Flask, settings: Settings, *, api_blueprints, login_view: str, exempt_blueprint: str,
             signed_session_key: Callable[[str], str | None]) -> Limiter:
    """A limiter for the API and sign-in, and the webhook limit; `exempt_blueprint` skips the limiter entirely.

    The API is limited per sidebar session, which `signed_session_key` reads from a bearer token we signed.
    """

    # flask-limiter sets Retry-After on every response to its own window's reset; a back-off's wait is the truth
    # for the attempt it refused. Registered first, so it runs after flask-limiter's own after-request hook.
    @app.after_request
    def _back_off_header(response):
        if g.get("auth_retry_after"):
            response.headers["Retry-After"] = str(g.auth_retry_after)
        return response

    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        strategy="fixed-window",  # one INCR per request; the moving window costs a sorted set per caller
        headers_enabled=True,
        swallow_errors=True,  # a Redis outage must not refuse the sidebar
    )
    limiter.request_filter(lambda: request.blueprint == exempt_blueprint)
    per_session = session_key(signed_session_key)
    for blueprint in api_blueprints:
        limiter.limit(settings.api_rate_limit, key_func=per_session)(blueprint)
    view = app.view_functions[login_view]
    app.view_functions[login_view] = limiter.limit(settings.login_rate_limit, methods=["POST"])(view)
    app.extensions["valuedesk.limiter"] = limiter
    app.extensions["valuedesk.webhook_limit"] = WebhookLimit(settings.webhook_rate_limit)
    app.extensions["valuedesk.auth_failures"] = AuthFailures(
        RedisFailures(settings.redis_url) if settings.redis_url else MemoryFailures())
    return limiter
