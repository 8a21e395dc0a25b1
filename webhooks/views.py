"""The one webhook view: verify, parse, store a receipt, enqueue, answer. No provider calls, no business logic."""

from __future__ import annotations

import json
import logging

from flask import jsonify
from flask import request

from adapter import clock
from adapter import intake
from adapter.api import error_response
from adapter.credentials import CredentialStore
from adapter.db import request_session
from adapter.errors import MalformedDelivery
from adapter.errors import SignatureError
from adapter.models import Installation
from adapter.providers import webhook_source
from webhooks import bp

log = logging.getLogger("valuedesk.webhooks")


def _log(provider: str, outcome: str, **fields) -> None:
    log.info(f"webhooks.{provider}.{outcome}", extra={"fields": fields})


@bp.post("/<provider>/<installation_id>")
def receive(provider: str, installation_id: str):
    """Accept one vendor delivery: 202 stored, 200 duplicate, 204 ignored, 4xx refused."""
    source = webhook_source(provider)
    if source is None:
        return error_response(404, "unknown_provider", f"No webhook provider called {provider!r}.")
    session = request_session(installation_id)
    installation = session.get(Installation, installation_id)
    if installation is None:
        _log(provider, "unknown-installation")
        return error_response(404, "unknown_installation", "No installation with this id.")
    if not installation.is_active:
        _log(provider, "disabled-installation", installation=installation_id)
        return error_response(410, "installation_disabled", "This installation is disabled; deliveries are refused.")
    secret = CredentialStore(session, installation_id).get(source.SECRET_CREDENTIAL)
    if not secret:
        _log(provider, "not-connected", installation=installation_id)
        return error_response(404, "not_connected", f"{provider} is not connected for this installation.")

    body = request.get_data(cache=True)
    try:
        source.verify(request.headers, body, secret, clock.now())
    except SignatureError as exc:
        _log(provider, "invalid-signature", installation=installation_id)
        return error_response(401, exc.code, exc.message)
    if not request.is_json:
        _log(provider, "wrong-content-type", installation=installation_id)
        return error_response(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        _log(provider, "invalid-json", installation=installation_id)
        return error_response(400, "invalid_json", "The body is not valid JSON.")
    if not isinstance(payload, dict):
        return error_response(400, "invalid_json", "The body must be a JSON object.")

    try:
        outcome = intake.record(session, source, installation_id, request.headers, body, payload)
    except MalformedDelivery as exc:
        _log(provider, "malformed", installation=installation_id)
        return error_response(400, exc.code, exc.message)
    if outcome.status in (intake.IGNORED, intake.UNSUPPORTED):
        session.rollback()
        _log(provider, outcome.status, installation=installation_id, event_type=outcome.event_type)
        return "", 204
    session.commit()
    if outcome.status == intake.DUPLICATE:
        _log(provider, "duplicate", installation=installation_id, event_type=outcome.event_type)
        return jsonify({"status": "duplicate"}), 200
    intake.enqueue_processing(outcome.receipt_id)
    _log(provider, "accepted", installation=installation_id, event_type=outcome.event_type, receipt_id=outcome.receipt_id)
    return jsonify({"status": "accepted", "receipt_id": outcome.receipt_id}), 202
