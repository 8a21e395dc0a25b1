"""Rate limits (flask-limiter): per sidebar session on the API, per address on console sign-in, per installation on
webhooks. Counters live in Redis when it is configured, else in memory; if the store fails, requests go through."""

from __future__ import annotations

import hashlib

from flask import Flask
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from adapter.config import Settings


def session_key() -> str:
    """The caller's sidebar session (a hash of its bearer token), or its address when it has none."""
    token = request.headers.get("Authorization", "")
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "addr:" + get_remote_address()


def installation_key() -> str:
    """The provider and installation a webhook is addressed to."""
    args = request.view_args or {}
    return f"hook:{args.get('provider', '-')}:{args.get('installation_id', '-')}"


def init_app(app: Flask, settings: Settings, *, api_blueprints, login_view: str, webhook_blueprint) -> Limiter:
    """A limiter for this app, with the three limits applied."""
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        strategy="fixed-window",  # one INCR per request; the moving window costs a sorted set per caller
        headers_enabled=True,
        swallow_errors=True,  # a Redis outage must not refuse webhooks or the sidebar
    )
    for blueprint in api_blueprints:
        limiter.limit(settings.api_rate_limit, key_func=session_key)(blueprint)
    limiter.limit(settings.webhook_rate_limit, key_func=installation_key)(webhook_blueprint)
    view = app.view_functions[login_view]
    app.view_functions[login_view] = limiter.limit(settings.login_rate_limit, methods=["POST"])(view)
    app.extensions["valuedesk.limiter"] = limiter
    return limiter
