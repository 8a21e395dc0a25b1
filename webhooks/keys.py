"""What a delivery is checked against (is the installation active, the provider's signing secret), kept per process
for a few seconds so that acknowledging a webhook costs no database reads.

A change committed in this process (disable, reconnect, rotate a secret) is seen by the next delivery; other
processes see it within `TTL_SECONDS`, and a delivery signed with a secret newer than the cached one reloads it once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import Flask
from flask import current_app
from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from adapter.connections import find_installation
from adapter.credentials import CredentialStore
from adapter.db import get_db
from adapter.installations import normalise_account
from adapter.models import Credential
from adapter.models import Installation

TTL_SECONDS = 5.0
EXTENSION = "valuedesk.webhook_keys"
_TOUCHED = "valuedesk.touched_installations"


@dataclass(frozen=True)
class WebhookKey:
    """An installation as a webhook sees it: whether it takes deliveries, and one provider's secret."""

    active: bool
    secret: str | None


class WebhookKeys:
    """A short-lived per-process cache of webhook keys by installation and credential name."""

    def __init__(self, ttl: float = TTL_SECONDS):
        self.ttl = ttl
        self._entries: dict[tuple[str, str], tuple[float, WebhookKey | None]] = {}
        self._accounts: dict[tuple[str, str], tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get(self, installation_id: str, credential: str, *, fresh: bool = False) -> WebhookKey | None:
        """The installation's key for `credential`; None when there is no such installation."""
        entry = None if fresh else self._entries.get((installation_id, credential))
        if entry is not None and time.monotonic() - entry[0] < self.ttl:
            return entry[1]
        key = _load(installation_id, credential)
        if key is not None:  # unknown ids are not remembered: a new installation works at once
            with self._lock:
                self._entries[(installation_id, credential)] = (time.monotonic(), key)
        return key

    def installation_of(self, kind: str, account: str) -> str | None:
        """The id of the installation of a helpdesk account (a Freshdesk domain), remembered like the keys."""
        account = normalise_account(kind, account)
        entry = self._accounts.get((kind, account))
        if entry is not None and time.monotonic() - entry[0] < self.ttl:
            return entry[1]
        with get_db().system() as session:
            found = find_installation(session, kind, account)
        if found is not None:
            with self._lock:
                self._accounts[(kind, account)] = (time.monotonic(), found.id)
        return found.id if found else None

    def forget(self, installation_ids: set[str]) -> None:
        """Drop what is cached for these installations."""
        with self._lock:
            for cached in [k for k in self._entries if k[0] in installation_ids]:
                del self._entries[cached]
            for account in [k for k, (_, found) in self._accounts.items() if found in installation_ids]:
                del self._accounts[account]


def _load(installation_id: str, credential: str) -> WebhookKey | None:
    with get_db().session(installation_id) as session:
        installation = session.get(Installation, installation_id)
        if installation is None:
            return None
        return WebhookKey(installation.is_active, CredentialStore(session, installation_id).get(credential))


def webhook_keys() -> WebhookKeys:
    """The current app's cache."""
    return current_app.extensions[EXTENSION]


def init_app(app: Flask) -> None:
    """Give the app its cache."""
    app.extensions[EXTENSION] = WebhookKeys()


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, flush_context) -> None:
    """Remember which installations' state or credentials this transaction changed."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Installation):
            session.info.setdefault(_TOUCHED, set()).add(obj.id)
        elif isinstance(obj, Credential):
            session.info.setdefault(_TOUCHED, set()).add(obj.installation_id)


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    """Once those changes are committed (not before: a reload would cache the old state), drop them."""
    touched = session.info.pop(_TOUCHED, None)
    if touched and has_app_context() and EXTENSION in current_app.extensions:
        current_app.extensions[EXTENSION].forget(touched)


@event.listens_for(Session, "after_rollback")
def _discard_changes(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
