"""GET /healthz: 200 when the database and the job queue answer, 503 otherwise."""

from __future__ import annotations

import logging

from flask import Blueprint
from flask import jsonify

from adapter import queue
from adapter.db import get_db

bp = Blueprint("health", __name__)
log = logging.getLogger("valuedesk.health")


@bp.get("/healthz")
def healthz():
    """Report whether the database and the queue are reachable."""
    checks = {}
    for name, probe in (("database", lambda: get_db().ping()), ("queue", queue.ping)):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:
            log.warning("health.failed", extra={"fields": {"check": name, "error": type(exc).__name__}})
            checks[name] = "unreachable"
    healthy = all(value == "ok" for value in checks.values())
    return jsonify({"status": "ok" if healthy else "unavailable", **checks}), 200 if healthy else 503
