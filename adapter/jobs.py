"""Job entry points run by the Huey worker: process receipts, send outbox actions, and the periodic sweeps."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from huey import crontab
from huey.exceptions import RetryTask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from adapter import clock
from adapter import dispatch
from adapter import lifecycle
from adapter import oauth
from adapter import outbox
from adapter import queue
from adapter import receipts
from adapter import workitems
from adapter.billing import actions
from adapter.commitments import service as commitments
from adapter.db import get_db
from adapter.errors import RETRYABLE
from adapter.errors import NotFound
from adapter.errors import ProviderError
from adapter.errors import UnsupportedEvent
from adapter.installations import list_installations
from adapter.logs import request_id
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.models import ReplyFingerprint
from adapter.models import TrackerLink
from adapter.models import WebhookReceipt
from adapter.providers import billing_client
from adapter.providers import oauth_apps
from adapter.providers import webhook_source
from adapter.replies import copies
from adapter.replies import service as replies
from adapter.signals import service as signals
from adapter.trackers import jira_oauth
from adapter.trackers import loop
from adapter.trackers import settings as tracker_settings

log = logging.getLogger("valuedesk.jobs")
LOCK_RETRY_SECONDS = 2.0
NOT_DUE_SLACK_SECONDS = 1.0
TRACKER_REFRESH_LIMIT = 200

# work(session, installation, item) -> None when done, or a note when the item is deliberately skipped.
Work = Callable[[Session, Installation, object], str | None]


def _settings():
    return current_app.config["VALUEDESK"]


def run_work_item(model: type, item_id: int, work: Work, label: Callable[[object], str]) -> None:
    """Claim an item, run `work` in one tenant transaction, and settle it: done, ignored, retried or failed.

    Retryable vendor errors wait for their Retry-After; other errors back off exponentially; both are
    bounded by the item's attempts, after which it is marked failed for the admin to retry.
    """
    with get_db().system() as session:
        item = workitems.claim(session, model, item_id)
        if item is None:
            return  # done already, failed for good, or a live worker holds it
        installation_id, tag = item.installation_id, label(item)
    with request_id(tag):
        try:
            with get_db().tenant(installation_id) as session:
                item = session.get(model, item_id)
                installation = session.get(Installation, installation_id)
                if installation is None or not installation.is_active:
                    workitems.finish(item, "ignored", "installation disabled")
                    return
                note = work(session, installation, item)
                workitems.finish(item, "ignored" if note else "done", note)
            log.info("jobs.done", extra={"fields": {"item": tag, "note": note}})
        except UnsupportedEvent as unsupported:
            message = unsupported.message
            _settle(model, installation_id, item_id, lambda row: workitems.finish(row, "ignored", message))
        except oauth.ReconnectNeeded as exc:
            # Nothing changes until an admin connects again: fail now (the console offers Retry), not after backoff.
            message = _describe(exc)
            _settle(model, installation_id, item_id, lambda row: workitems.finish(row, "failed", message))
            log.warning("jobs.failed", extra={"fields": {"item": tag, "error": "ReconnectNeeded"}})
        except Exception as exc:
            if not isinstance(exc, ProviderError):
                log.exception("jobs.error", extra={"fields": {"item": tag}})
            delay = _retry_later(model, installation_id, item_id, exc)
            if delay is None:
                log.warning("jobs.failed", extra={"fields": {"item": tag, "error": type(exc).__name__}})
                return
            log.info("jobs.retry", extra={"fields": {"item": tag, "delay": delay, "error": type(exc).__name__}})
            raise RetryTask(delay=delay) from None


def _retry_later(model: type, installation_id: str, item_id: int, exc: Exception) -> float | None:
    """Put the item back for a later attempt; the delay, or None once attempts are exhausted."""
    hinted = exc.retry_after if isinstance(exc, RETRYABLE) else None
    if _is_lock_conflict(exc):
        hinted = LOCK_RETRY_SECONDS
    outcome: dict[str, float | None] = {"delay": None}

    def postpone(item) -> None:
        wait = hinted or workitems.backoff_seconds(item.attempts)
        if workitems.postpone(item, _describe(exc), wait):
            outcome["delay"] = wait

    _settle(model, installation_id, item_id, postpone)
    return outcome["delay"]


def _is_lock_conflict(exc: Exception) -> bool:
    # SQLite allows one writer; a job that read first may lose the race to write. Try again soon.
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def _settle(model: type, installation_id: str, item_id: int, change) -> None:
    with get_db().tenant(installation_id, immediate=True) as session:
        item = session.get(model, item_id)
        if item is not None:
            change(item)


def _describe(exc: Exception) -> str:
    if isinstance(exc, ProviderError):
        return f"{type(exc).__name__}: {exc.message}"
    return f"{type(exc).__name__}: internal error (see logs)"


def _process_receipt(session: Session, installation: Installation, receipt: WebhookReceipt) -> str | None:
    source = webhook_source(receipt.provider)
    if source is None:
        return f"no provider {receipt.provider!r}"
    event = source.parse_event(installation.id, json.loads(receipt.body), receipt.headers)
    if event is None:
        return "ignored event"
    dispatch.handle(event, dispatch.EventContext(session, installation))
    return None


def process_receipt(receipt_id: int) -> None:
    """Parse a stored delivery into a domain event and run its handlers, exactly once per success."""
    run_work_item(WebhookReceipt, receipt_id, _process_receipt, lambda r: f"{r.provider}:{r.delivery_id}")


def _send_action(session: Session, installation: Installation, action: OutboxAction) -> str | None:
    outbox.ACTIONS[action.kind](dispatch.EventContext(session, installation), action.payload)
    return None


def run_outbox_action(action_id: int) -> None:
    """Send one outbound write (tag, note, tracker call) to its vendor, once it is due."""
    with get_db().system() as session:
        due = session.scalar(select(OutboxAction.next_attempt_at).where(OutboxAction.id == action_id,
                                                                        OutboxAction.status == "pending"))
    wait = (due - clock.now()).total_seconds() if due is not None else 0.0
    if wait > NOT_DUE_SLACK_SECONDS:  # a debounced write (e.g. the hourly tracker comment) woken early
        queue.enqueue("run_outbox_action", action_id, delay=wait)
        return
    run_work_item(OutboxAction, action_id, _send_action, lambda a: f"outbox:{a.kind}:{a.id}")


SWEEP_BATCHES = 40  # at most 40 x 500 items re-queued per minute


def sweep() -> int:
    """Re-enqueue receipts and outbox actions that were not handled in time (lost enqueue, crashed worker)."""
    older_than = timedelta(seconds=_settings().receipt_sweep_after_seconds)
    count = 0
    for model, job in ((WebhookReceipt, "process_receipt"), (OutboxAction, "run_outbox_action")):
        after = 0
        for _ in range(SWEEP_BATCHES):  # a Redis outage can leave thousands behind; take them all, in batches
            with get_db().system() as session:
                ids = workitems.stalled(session, model, older_than=older_than, limit=workitems.SWEEP_BATCH, after=after)
            for item_id in ids:
                queue.enqueue(job, item_id)
            count += len(ids)
            if len(ids) < workitems.SWEEP_BATCH:
                break
            after = ids[-1]
    if count:
        log.info("jobs.sweep.requeued", extra={"fields": {"count": count}})
    return count


def purge_receipts() -> int:
    """Delete receipts handled longer ago than the retention period."""
    with get_db().system() as session:
        removed = receipts.purge(session, older_than=timedelta(days=_settings().receipt_retention_days))
    if removed:
        log.info("jobs.purge.receipts", extra={"fields": {"count": removed}})
    return removed


def purge_uninstalled() -> int:
    """Delete the data of accounts uninstalled longer ago than the retention period, and stale OAuth states."""
    with get_db().system() as session:
        gone = lifecycle.purge_uninstalled(session, _settings().uninstalled_retention_days)
        oauth.purge_states(session)
    if gone:
        log.info("jobs.purge.uninstalled", extra={"fields": {"installations": len(gone)}})
    return len(gone)


def renew_oauth_grants() -> int:
    """Renew every grant that expires soon, so calls made inside a request's transaction never have to."""
    with get_db().system() as session:
        installation_ids = [i.id for i in list_installations(session) if i.is_active]
    renewed = 0
    for installation_id in installation_ids:
        for app in oauth_apps():
            try:
                renewed += oauth.renew_due(installation_id, app)
            except ProviderError as exc:  # ReconnectNeeded included: the console shows it; the next sweep tries again
                log.warning("jobs.renew_oauth.failed", extra={"fields": {"installation_id": installation_id,
                                                                          "vendor": app.vendor,
                                                                          "error": type(exc).__name__}})
    return renewed


def check_zendesk_apps() -> int:
    """Uninstall Marketplace Zendesk accounts whose app was removed (Zendesk sends no uninstall event)."""
    return _each_active_installation(lifecycle.uninstall_if_zendesk_app_removed, "check_zendesk_apps")


def retrain_signal_models() -> int:
    """Retrain each installation's signal model once enough new agent decisions have come in."""
    with get_db().system() as session:
        installation_ids = [i.id for i in list_installations(session) if i.is_active]
    trained = 0
    for installation_id in installation_ids:
        with get_db().tenant(installation_id) as session:
            if signals.due_for_training(session) and signals.retrain(session):
                trained += 1
    if trained:
        log.info("jobs.signals.retrained", extra={"fields": {"installations": trained}})
    return trained


def sweep_commitments() -> tuple[int, int]:
    """Mark overdue promises missed and send due reminders, for every active installation."""
    with get_db().system() as session:
        installation_ids = [i.id for i in list_installations(session) if i.is_active]
    missed = reminded = 0
    for installation_id in installation_ids:
        with get_db().tenant(installation_id, immediate=True) as session:
            m, r = commitments.remind_and_miss(session, session.get(Installation, installation_id))
        missed, reminded = missed + m, reminded + r
    if missed or reminded:
        log.info("jobs.commitments", extra={"fields": {"missed": missed, "reminded": reminded}})
    return missed, reminded


def _each_active_installation(work: Callable[[Session, Installation], object], name: str) -> int:
    """Run `work` in its own transaction for every active installation; one failing does not stop the rest."""
    with get_db().system() as session:
        installation_ids = [i.id for i in list_installations(session) if i.is_active]
    done = 0
    for installation_id in installation_ids:
        try:
            with get_db().tenant(installation_id, immediate=True) as session:
                work(session, session.get(Installation, installation_id))
            done += 1
        except ProviderError as exc:
            log.warning(f"jobs.{name}.failed", extra={"fields": {"installation_id": installation_id,
                                                                  "error": _describe(exc)}})
    return done


def sync_macros() -> int:
    """Refresh every installation's macros, the reference for "unedited macro" warnings."""
    return _each_active_installation(replies.sync_macros, "sync_macros")


def purge_replies() -> int:
    """Drop reply texts past each installation's retention period, and fingerprints no check can reach."""
    return _each_active_installation(replies.purge, "purge_replies")


REFINGERPRINT_SECONDS = 40  # per run, so the next minute's run does not pile onto this one


def refingerprint_replies(seconds: float | None = REFINGERPRINT_SECONDS) -> int:
    """Re-fingerprint replies stored before revision 0010, newest first, in short transactions; how many moved.

    Stops starting new batches after `seconds` (None: when every reply has moved).
    """
    with get_db().system() as session:  # one look at the partial index; nothing else runs once all have moved
        installation_ids = list(session.scalars(select(ReplyFingerprint.installation_id)
                                                .where(ReplyFingerprint.version.is_(None)).distinct()))
    started, moved = time.monotonic(), 0
    for installation_id in installation_ids:
        while seconds is None or time.monotonic() - started < seconds:
            with get_db().tenant(installation_id, immediate=True) as session:
                done = copies.refingerprint(session)
            moved += done["refingerprinted"]
            if not done["refingerprinted"] and not done["removed"]:
                break
    if moved:
        log.info("jobs.refingerprint_replies", extra={"fields": {"count": moved}})
    return moved


def reconcile_billing() -> int:
    """Finish money actions a crash interrupted and retry those an outage failed, with their original keys."""
    with get_db().system() as session:
        installation_ids = [i.id for i in list_installations(session) if i.is_active]
    tried = 0
    for installation_id in installation_ids:
        with get_db().tenant(installation_id) as session:
            installation = session.get(Installation, installation_id)
            billing = billing_client(session, installation)
        if billing is None:
            continue
        try:
            tried += actions.reconcile(installation, billing, db=get_db())
        except ProviderError as exc:
            log.warning("jobs.reconcile_billing.failed", extra={"fields": {"installation_id": installation_id,
                                                                            "error": _describe(exc)}})
    if tried:
        log.info("jobs.reconcile_billing", extra={"fields": {"actions": tried}})
    return tried


def _tracker_issues(tracker, keys: list[str]) -> list:
    issues = []
    for key in keys:
        try:
            issues.append(tracker.get_issue(key))
        except NotFound:  # deleted in the tracker; its webhook (or the admin) detaches the link
            continue
    return issues


def refresh_tracker_issues() -> int:
    """Ask each tracker where the linked issues stand, so a missed (or never set up) webhook still closes the loop."""
    with get_db().system() as session:
        installation_ids = [i.id for i in list_installations(session) if i.is_active]
    moved = 0
    for installation_id in installation_ids:
        # A read-only transaction while the tracker answers: it blocks no writer (the sandbox tracker reads through it).
        with get_db().tenant(installation_id) as session:
            tracker = tracker_settings.client(session, session.get(Installation, installation_id))
            keys = list(session.scalars(select(TrackerLink.issue_key).where(TrackerLink.state == "linked")
                                        .order_by(TrackerLink.updated_at).limit(TRACKER_REFRESH_LIMIT)))
            if tracker is None or not keys:
                continue
            try:
                issues = _tracker_issues(tracker, sorted(set(keys)))
            except ProviderError as exc:
                log.warning("jobs.refresh_tracker_issues.failed", extra={"fields": {"installation_id": installation_id,
                                                                                     "error": _describe(exc)}})
                continue
        with get_db().tenant(installation_id, immediate=True) as session:
            installation = session.get(Installation, installation_id)
            for issue in issues:
                for link in loop.session_links(session, tracker.name, issue.key, issue.id):
                    moved += loop.apply(session, installation, link, issue) is not None
    if moved:
        log.info("jobs.refresh_tracker_issues", extra={"fields": {"moved": moved}})
    return moved


def refresh_jira_webhooks() -> int:
    """Extend the Jira webhooks Valuedesk registered before Jira's 30 days run out."""
    extended = jira_oauth.refresh_webhooks()
    if extended:
        log.info("jobs.refresh_jira_webhooks", extra={"fields": {"extended": extended}})
    return extended


JOBS = {
    "process_receipt": process_receipt,
    "run_outbox_action": run_outbox_action,
}

PERIODIC = {
    "sweep": (crontab(minute="*"), sweep),
    "purge_receipts": (crontab(minute="17", hour="3"), purge_receipts),
    "retrain_signal_models": (crontab(minute="41"), retrain_signal_models),
    "sweep_commitments": (crontab(minute="*"), sweep_commitments),
    "sync_macros": (crontab(minute="23"), sync_macros),
    "purge_replies": (crontab(minute="47", hour="3"), purge_replies),
    "refingerprint_replies": (crontab(minute="*"), refingerprint_replies),
    "reconcile_billing": (crontab(minute="*/2"), reconcile_billing),
    "refresh_tracker_issues": (crontab(minute="*/15"), refresh_tracker_issues),
    "purge_uninstalled": (crontab(minute="53", hour="3"), purge_uninstalled),
    "renew_oauth_grants": (crontab(minute="*/5"), renew_oauth_grants),
    "refresh_jira_webhooks": (crontab(minute="29", hour="4"), refresh_jira_webhooks),
    "check_zendesk_apps": (crontab(minute="37", hour="4"), check_zendesk_apps),
}
