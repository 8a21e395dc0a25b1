"""The vendor registry: one explicit list of every vendor's descriptor, never import scanning.

Everything that differs by vendor (installation kinds and id prefixes, webhook channels, the CSP's frame
origins, display names, credentials, clients, trackers) is read from here; see docs/architecture.md.
"""

from __future__ import annotations

from types import ModuleType

from sqlalchemy.orm import Session

from adapter.credentials import CredentialStore
from adapter.models import Installation
from adapter.providers import freshdesk
from adapter.providers import jira
from adapter.providers import linear
from adapter.providers import playground
from adapter.providers import sandbox_billing
from adapter.providers import sandbox_tracker
from adapter.providers import stripe
from adapter.providers import zendesk
from adapter.providers.base import Billing
from adapter.providers.base import Helpdesk
from adapter.providers.vendor import BILLING
from adapter.providers.vendor import HELPDESK
from adapter.providers.vendor import TRACKER
from adapter.providers.vendor import Vendor

# In the order people read them (error messages list helpdesks in this order; the CSP lists their origins so).
VENDORS: list[Vendor] = [
    zendesk.VENDOR, freshdesk.VENDOR, playground.VENDOR,
    jira.VENDOR, linear.VENDOR, sandbox_tracker.VENDOR,
    stripe.VENDOR, sandbox_billing.VENDOR,
]


def vendors(role: str) -> list[Vendor]:
    """Every registered vendor of one role (HELPDESK, TRACKER, BILLING), in registry order."""
    return [vendor for vendor in VENDORS if vendor.role == role]


def vendor(role: str, name: str | None) -> Vendor | None:
    """The vendor of `role` called `name`, if registered."""
    return next((v for v in VENDORS if v.role == role and v.name == name), None)


def oauth_apps() -> list:
    """Every vendor an admin can connect with OAuth (their `OAuthApp`s), in registry order."""
    return [v.oauth for v in VENDORS if v.oauth is not None]


def oauth_app(name: str):
    """The OAuthApp of vendor `name`, or None when it has none."""
    return next((app for app in oauth_apps() if app.vendor == name), None)


def helpdesk_kinds() -> tuple[str, ...]:
    """The kinds an installation can be."""
    return tuple(v.name for v in vendors(HELPDESK))


def helpdesk(kind: str) -> Vendor:
    """The helpdesk an installation of `kind` lives in.

    :raise KeyError: for a kind no helpdesk is registered under.
    """
    found = vendor(HELPDESK, kind)
    if found is None:
        raise KeyError(kind)
    return found


def webhook_source(name: str) -> ModuleType | None:
    """What verifies and parses the webhooks posted at /webhooks/<name>/..., if any vendor sends them."""
    return next((v.webhooks for v in VENDORS if v.name == name and v.webhooks is not None), None)


def helpdesk_client(session: Session, installation: Installation) -> Helpdesk:
    """A Helpdesk client for the installation, built from its stored credentials."""
    return helpdesk(installation.kind).client_for(session, installation, CredentialStore(session, installation.id))


def billing_client(session: Session, installation: Installation) -> Billing | None:
    """The installation's billing client, or None when no billing system is connected."""
    if helpdesk(installation.kind).builtin:  # the playground has the sandbox account alone, never real money
        sandbox = next(v for v in vendors(BILLING) if v.builtin)
        return sandbox.client_for(installation, None)
    credentials = CredentialStore(session, installation.id)
    for module in vendors(BILLING):
        if not module.builtin and credentials.get(module.credentials["api_key"]):
            return module.client_for(installation, credentials)
    return None


def tracker_client(session: Session, installation: Installation, kind: str | None, settings: dict):
    """The Tracker client of `kind` with these settings, or None when there is none."""
    found = vendor(TRACKER, kind)
    if found is None:
        return None
    return found.client_for(session, settings, CredentialStore(session, installation.id))
