"""Job entry points run by the Huey worker: process receipts, and the periodic sweeps."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from flask import current_app
from huey import crontab
from huey.exceptions import RetryTask

from adapter import dispatch
from adapter import queue
from adapter import receipts
from adapter.db import get_db
from adapter.errors import RETRYABLE
from adapter.errors import ProviderError
from adapter.errors import UnsupportedEvent
from adapter.logs import request_id
from adapter.models import Installation
from adapter.models import WebhookReceipt
from adapter.providers import webhook_source

log = logging.getLogger("valuedesk.jobs")


def _settings():
    return current_app.config["VALUEDESK"]


def process_receipt(receipt_id: int) -> None:
    """Parse a stored delivery into a domain event and run its handlers, exactly once per success."""
    with get_db().system() as session:
        receipt = receipts.claim(session, receipt_id)
        if receipt is None:
            return  # already handled, failed for good, or a live worker holds it
        installation_id, provider, delivery_id = receipt.installation_id, receipt.provider, receipt.delivery_id
    with request_id(f"{provider}:{delivery_id}"):
        _process(receipt_id, installation_id, provider)


def _process(receipt_id: int, installation_id: str, provider: str) -> None:
    db = get_db()
    source = webhook_source(provider)
    try:
        with db.tenant(installation_id) as session:
            receipt = session.get(WebhookReceipt, receipt_id)
            installation = session.get(Installation, installation_id)
            event = None
            if source is not None and installation is not None and installation.is_active:
                event = source.parse_event(installation_id, json.loads(receipt.body), receipt.headers)
            if event is None:
                receipts.finish(receipt, "ignored")
                return
            handled = dispatch.handle(event, dispatch.EventContext(session, installation))
            receipts.finish(receipt)
        log.info("jobs.receipt.done", extra={"fields": {"receipt_id": receipt_id, "domain_event": type(event).__name__,
                                                        "handlers": handled}})
    except UnsupportedEvent as unsupported:
        note = unsupported.message
        _settle(installation_id, receipt_id, lambda r: receipts.finish(r, "ignored", note=note))
    except Exception as exc:
        if not isinstance(exc, ProviderError):
            log.exception("jobs.receipt.error", extra={"fields": {"receipt_id": receipt_id}})
        delay = _retry_later(installation_id, receipt_id, exc)
        if delay is None:
            log.warning("jobs.receipt.failed", extra={"fields": {"receipt_id": receipt_id, "error": type(exc).__name__}})
            return
        log.info("jobs.receipt.retry", extra={"fields": {"receipt_id": receipt_id, "delay": delay,
                                                         "error": type(exc).__name__}})
        raise RetryTask(delay=delay) from None


def _retry_later(installation_id: str, receipt_id: int, exc: Exception) -> float | None:
    """Put the receipt back for a later attempt; the delay, or None once attempts are exhausted."""
    hinted = exc.retry_after if isinstance(exc, RETRYABLE) else None
    outcome: dict[str, float | None] = {"delay": None}

    def postpone(receipt: WebhookReceipt) -> None:
        wait = hinted or receipts.backoff_seconds(receipt.attempts)
        if receipts.postpone(receipt, _describe(exc), wait):
            outcome["delay"] = wait

    _settle(installation_id, receipt_id, postpone)
    return outcome["delay"]


def _settle(installation_id: str, receipt_id: int, change) -> None:
    with get_db().tenant(installation_id) as session:
        receipt = session.get(WebhookReceipt, receipt_id)
        if receipt is not None:
            change(receipt)


def _describe(exc: Exception) -> str:
    if isinstance(exc, ProviderError):
        return f"{type(exc).__name__}: {exc.message}"
    return f"{type(exc).__name__}: internal error (see logs)"


def sweep_receipts() -> int:
    """Re-enqueue receipts that were not processed in time (lost enqueue, crashed worker)."""
    older_than = timedelta(seconds=_settings().receipt_sweep_after_seconds)
    with get_db().system() as session:
        ids = receipts.stalled(session, older_than=older_than)
    for receipt_id in ids:
        queue.enqueue("process_receipt", receipt_id)
    if ids:
        log.info("jobs.sweep.requeued", extra={"fields": {"count": len(ids)}})
    return len(ids)


def purge_receipts() -> int:
    """Delete receipts handled longer ago than the retention period."""
    with get_db().system() as session:
        removed = receipts.purge(session, older_than=timedelta(days=_settings().receipt_retention_days))
    if removed:
        log.info("jobs.purge.receipts", extra={"fields": {"count": removed}})
    return removed


JOBS = {
    "process_receipt": process_receipt,
}

PERIODIC = {
    "sweep_receipts": (crontab(minute="*"), sweep_receipts),
    "purge_receipts": (crontab(minute="17", hour="3"), purge_receipts),
}
