"""Provider registry: explicit dicts from name to module, never import scanning."""

from __future__ import annotations

from types import ModuleType

from flask import current_app
from sqlalchemy.orm import Session

from adapter.credentials import CredentialStore
from adapter.models import Installation
from adapter.providers import freshdesk
from adapter.providers import jira
from adapter.providers import linear
from adapter.providers import playground
from adapter.providers import sandbox_billing
from adapter.providers import stripe
from adapter.providers import zendesk
from adapter.providers.base import Billing
from adapter.providers.base import Helpdesk

# Vendors that send us webhooks at /webhooks/<name>/<installation>.
WEBHOOK_SOURCES: dict[str, ModuleType] = {
    "playground": playground,
    "zendesk": zendesk,
    "freshdesk": freshdesk,
    "stripe": stripe,
    "jira": jira,
    "linear": linear,
}

# Helpdesk kinds an installation can be.
HELPDESKS: dict[str, ModuleType] = {
    "playground": playground,
    "zendesk": zendesk,
    "freshdesk": freshdesk,
}


def webhook_source(name: str) -> ModuleType | None:
    """The provider module that receives webhooks under `name`, if any."""
    return WEBHOOK_SOURCES.get(name)


def helpdesk_client(session: Session, installation: Installation) -> Helpdesk:
    """A Helpdesk client for the installation, built from its stored credentials."""
    module = HELPDESKS[installation.kind]
    if module is playground:
        return playground.Client(session, installation.id, current_app.config["VALUEDESK"].public_url)
    return module.client_for(installation, CredentialStore(session, installation.id))


# Billing systems a real installation can connect; the sandbox is the playground's alone.
BILLING: dict[str, ModuleType] = {
    "stripe": stripe,
}


def billing_client(session: Session, installation: Installation) -> Billing | None:
    """The installation's billing client, or None when no billing system is connected."""
    if installation.kind == "playground":
        return sandbox_billing.Client(installation.id) if current_app.config["VALUEDESK"].playground else None
    credentials = CredentialStore(session, installation.id)
    for module in BILLING.values():
        if credentials.get(module.API_KEY_CREDENTIAL):
            return module.client_for(installation, credentials)
    return None
