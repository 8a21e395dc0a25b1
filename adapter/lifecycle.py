"""An installation's life after install: uninstall (stop everything, revoke, forget secrets), reinstall, purge.

Uninstalling keeps the account's data for `VALUEDESK_UNINSTALLED_RETENTION_DAYS` (30 by default) so a reinstall
picks up where it left off; after that the daily purge deletes every row the installation owns.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter import oauth
from adapter.connections import disconnect_zendesk
from adapter.credentials import CredentialStore
from adapter.db import Base
from adapter.errors import ProviderError
from adapter.models import Installation
from adapter.providers import helpdesk_client
from adapter.providers import oauth_apps
from adapter.providers import zendesk
from adapter.trackers import settings as tracker_settings

log = logging.getLogger("valuedesk.lifecycle")


def uninstall(session: Session, installation: Installation) -> list[str]:
    """Revoke every grant, remove what the service created in the vendors' accounts, purge the credentials, and stop.

    From now on no webhook is accepted, no job runs and no sidebar opens for the account (it is disabled); its data
    waits for a reinstall until the retention period ends. Running it twice changes nothing more.
    """
    done: list[str] = []
    for app in oauth_apps():
        done.extend(oauth.revoke(session, installation, app))
    if installation.kind == "zendesk" and (installation.settings or {}).get("zendesk"):
        try:
            done.extend(disconnect_zendesk(session, installation).removed)
        except ProviderError as exc:
            done.append(f"could not remove the Zendesk webhook and triggers: {exc.message}")
    if tracker_settings.settings_of(installation).kind not in (None, "sandbox"):
        tracker_settings.disconnect(session, installation)
        done.append("tracker disconnected")
    credentials = CredentialStore(session, installation.id)
    for name in credentials.names():
        credentials.delete(name)
        done.append(f"credential {name} deleted")
    now = clock.now()
    installation.disabled_at = installation.disabled_at or now
    installation.uninstalled_at = installation.uninstalled_at or now
    session.flush()
    log.info("lifecycle.uninstalled", extra={"fields": {"installation_id": installation.id, "steps": len(done)}})
    return done


def uninstall_if_zendesk_app_removed(session: Session, installation: Installation) -> list[str]:
    """Uninstall a Marketplace Zendesk account whose app installation Zendesk no longer has; [] while it is there.

    Zendesk tells a Support app nothing when it is uninstalled (its webhook and triggers simply go), so the daily
    check asks. An account whose grant was revoked as well cannot be asked; it stays until a reinstall or an operator
    uninstalls it.

    :raise ProviderError: Zendesk could not be asked (ReconnectNeeded when the grant is gone).
    """
    state = (installation.settings or {}).get(zendesk.NAME) or {}
    if installation.kind != zendesk.NAME or state.get("connected_by") != "oauth" or not state.get("app_installation_id"):
        return []
    account = zendesk.Provisioning(helpdesk_client(session, installation))
    if account.app_installation(state["app_installation_id"]) is not None:
        return []
    log.info("lifecycle.zendesk_app_removed", extra={"fields": {"installation_id": installation.id}})
    return uninstall(session, installation)


def reinstall(session: Session, installation: Installation) -> None:
    """Take an uninstalled account back: its data is still there; credentials come from the new install."""
    installation.uninstalled_at = None
    installation.disabled_at = None
    session.flush()


def purge_date(installation: Installation, retention_days: int):
    """When an uninstalled installation's data will be deleted (None while it is installed)."""
    return installation.uninstalled_at + timedelta(days=retention_days) if installation.uninstalled_at else None


def purge_uninstalled(session: Session, retention_days: int) -> list[str]:
    """Delete every row of installations uninstalled longer ago than the retention period (system session)."""
    cutoff = clock.now() - timedelta(days=retention_days)
    gone = list(session.scalars(select(Installation.id).where(Installation.uninstalled_at.is_not(None),
                                                              Installation.uninstalled_at <= cutoff)))
    for installation_id in gone:
        # Children before parents; every tenant table names its installation (TenantScoped).
        for table in reversed(Base.metadata.sorted_tables):
            if "installation_id" in table.c:
                session.execute(delete(table).where(table.c.installation_id == installation_id))
        session.execute(delete(Installation.__table__).where(Installation.__table__.c.id == installation_id))
        log.info("lifecycle.purged", extra={"fields": {"installation_id": installation_id}})
    return gone
