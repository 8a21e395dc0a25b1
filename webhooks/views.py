"""The one webhook view: verify, parse, store a receipt, enqueue, answer. No provider calls, no business logic."""

from __future__ import annotations

from flask import current_app
from flask import jsonify
from flask import request
from werkzeug.exceptions import ClientDisconnected

from adapter import clock
from adapter import intake
from adapter.api import error_response
from adapter.connections import installation_for_webhook
from adapter.db import get_db
from adapter.errors import MalformedDelivery
from adapter.errors import SignatureError
from adapter.limits import webhook_limit
from adapter.logs import annotate
from adapter.providers import freshdesk
from adapter.providers import jira
from adapter.providers import webhook_source
from adapter.providers import zendesk
from adapter.providers.zendesk.constants import WEBHOOK_ID_HEADER
from adapter.security import JsonTooDeep
from adapter.security import constant_time_equals
from adapter.security import loads_bounded
from webhooks import bp
from webhooks.keys import webhook_keys


def _note(provider: str, outcome: str, **fields) -> None:
    """Put what became of the delivery on the request's own log line (one line per delivery)."""
    annotate(webhook=f"{provider}.{outcome}", **fields)


def _verify(verify, credential: str, installation_id: str, body: bytes, secret: str) -> None:
    """Check the signature; when it fails, reload the secret once in case another process has just rotated it."""
    now = clock.wall()  # the sender's clock is real time, whatever the playground's fast clock says
    try:
        verify(request.headers, body, secret, now)
    except SignatureError:
        reloaded = webhook_keys().get(installation_id, credential, fresh=True)
        if reloaded is None or not reloaded.active or not reloaded.secret or reloaded.secret == secret:
            raise
        verify(request.headers, body, reloaded.secret, now)


@bp.post("/zendesk")
def receive_zendesk_app():
    """Deliveries from the Zendesk app's own webhook (requirements.json), one address for every account.

    The installation is the one that recorded this webhook's id when an admin connected it; that installation's
    secret then verifies the signature like any delivery's, so the header only chooses which secret to try.
    """
    with get_db().system() as session:
        installation_id = installation_for_webhook(session, zendesk.NAME, request.headers.get(WEBHOOK_ID_HEADER, ""))
    if installation_id is None:
        _note(zendesk.NAME, "unknown-webhook")
        return error_response(404, "unknown_webhook", "No Valuedesk installation has connected this Zendesk webhook; "
                                                      "an admin presses Connect Valuedesk to Zendesk first.")
    return receive(zendesk.NAME, installation_id)


@bp.post("/<provider>/<installation_id>")
def receive(provider: str, installation_id: str):
    """Accept one vendor delivery: 202 stored, 200 duplicate, 204 ignored, 4xx refused."""
    source = webhook_source(provider)
    if source is None:
        return error_response(404, "unknown_provider", f"No webhook provider called {provider!r}.")
    if (refused := _over_limit(provider, installation_id)) is not None:
        return refused
    key = webhook_keys().get(installation_id, source.SECRET_CREDENTIAL)
    if key is None:
        _note(provider, "unknown-installation")
        return error_response(404, "unknown_installation", "No installation with this id.")
    if not key.active:
        _note(provider, "disabled-installation", installation=installation_id)
        return error_response(410, "installation_disabled", "This installation is disabled; deliveries are refused.")
    if not key.secret:
        _note(provider, "not-connected", installation=installation_id)
        return error_response(404, "not_connected", f"{provider} is not connected for this installation.")
    return _accept(provider, installation_id, source.verify, source.SECRET_CREDENTIAL, key.secret)


@bp.post("/jira/<installation_id>/<path_secret>")
def receive_jira_dynamic(installation_id: str, path_secret: str):
    """Accept a delivery of the webhook Valuedesk registered in Jira with OAuth: its address carries a path secret."""
    provider = jira.NAME
    key = webhook_keys().get(installation_id, jira.PATH_SECRET_CREDENTIAL)
    if key is None or not key.secret:  # unknown installation, or no webhook registered: one answer for both
        _note(provider, "unknown-webhook")
        return error_response(404, "unknown_webhook", "No Jira webhook is registered at this address.")
    if not key.active:
        _note(provider, "disabled-installation", installation=installation_id)
        return error_response(410, "installation_disabled", "This installation is disabled; deliveries are refused.")
    if (refused := _over_limit(provider, installation_id)) is not None:
        return refused
    client = current_app.config["VALUEDESK"].oauth_client(provider)

    def verify(headers, body, secret, now):
        jira.verify_dynamic(headers, path_secret, secret, client[1] if client else None)

    return _accept(provider, installation_id, verify, jira.PATH_SECRET_CREDENTIAL, key.secret)


@bp.post("/freshdesk/app/<domain>")
def receive_from_freshdesk_app(domain: str):
    """Accept a product event the marketplace Freshdesk app forwards: addressed by domain, proven by the app's key."""
    provider = freshdesk.NAME
    installation_id = webhook_keys().installation_of(provider, domain)
    key = webhook_keys().get(installation_id, freshdesk.APP_KEY_DIGEST) if installation_id else None
    if key is None or not key.secret:  # unknown, uninstalled or made with the CLI: one answer, revealing nothing
        _note(provider, "unknown-app")
        return error_response(401, SignatureError.code, f"Missing or wrong {freshdesk.APP_KEY_HEADER} header.")
    if (refused := _over_limit(provider, installation_id)) is not None:
        return refused
    if not key.active and constant_time_equals(freshdesk.key_digest(request.headers.get(freshdesk.APP_KEY_HEADER) or ""),
                                               key.secret):
        _note(provider, "disabled-installation", installation=installation_id)
        return error_response(410, "installation_disabled", "This installation is disabled; deliveries are refused.")
    return _accept(provider, installation_id, freshdesk.verify_app, freshdesk.APP_KEY_DIGEST, key.secret)


def _over_limit(provider: str, installation_id: str):
    """A 429 when the installation has sent more deliveries than its limit, else None."""
    wait = webhook_limit().retry_after(provider, installation_id)
    if wait is None:
        return None
    _note(provider, "rate-limited", installation=installation_id)
    return error_response(429, "too_many_requests", f"Too many deliveries for this installation; retry in {wait} s.",
                          headers={"Retry-After": str(wait)})


def _accept(provider: str, installation_id: str, verify, credential: str, secret: str):
    """Verify the delivery against the installation's secret, then store and enqueue it (the same for every route)."""
    source = webhook_source(provider)
    try:
        body = request.get_data(cache=True)  # complete already: the server reads whole requests, within deadlines
    except ClientDisconnected:
        return error_response(400, "incomplete_body", "The body ended before its Content-Length; send it again.")
    try:
        _verify(verify, credential, installation_id, body, secret)
    except SignatureError as exc:
        _note(provider, "invalid-signature", installation=installation_id)
        return error_response(401, exc.code, exc.message)
    except MalformedDelivery as exc:  # signed, but the signed body cannot say when it was sent
        _note(provider, "malformed", installation=installation_id)
        return error_response(400, exc.code, exc.message)
    if not request.is_json:
        _note(provider, "wrong-content-type", installation=installation_id)
        return error_response(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).")
    try:
        payload = loads_bounded(body)
    except JsonTooDeep as exc:
        _note(provider, "invalid-json", installation=installation_id)
        return error_response(400, "json_too_deep", str(exc))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        _note(provider, "invalid-json", installation=installation_id)
        return error_response(400, "invalid_json", "The body is not valid JSON.")
    if not isinstance(payload, dict):
        return error_response(400, "invalid_json", "The body must be a JSON object.")

    try:
        with get_db().single_statements() as connection:
            outcome = intake.record(connection, source, installation_id, request.headers, body, payload)
    except MalformedDelivery as exc:
        _note(provider, "malformed", installation=installation_id)
        return error_response(400, exc.code, exc.message)
    if outcome.status in (intake.IGNORED, intake.UNSUPPORTED):
        _note(provider, outcome.status, installation=installation_id, event_type=outcome.event_type)
        return "", 204
    if outcome.status == intake.DUPLICATE:
        _note(provider, "duplicate", installation=installation_id, event_type=outcome.event_type)
        return jsonify({"status": "duplicate"}), 200
    intake.enqueue_processing(outcome.receipt_id)
    _note(provider, "accepted", installation=installation_id, event_type=outcome.event_type, receipt_id=outcome.receipt_id)
    return jsonify({"status": "accepted", "receipt_id": outcome.receipt_id}), 202
