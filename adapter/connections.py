"""Connecting an installation to its helpdesk: check credentials, provision webhooks and triggers, and undo it exactly."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter.credentials import CredentialStore
from adapter.errors import InvalidInput
from adapter.errors import PolicyRefused
from adapter.installations import create_installation
from adapter.installations import normalise_account
from adapter.models import Installation
from adapter.providers import freshdesk
from adapter.providers import zendesk
from adapter.security import new_secret

WEBHOOK_NAME = "Valuedesk"
APP_NAME = "Valuedesk"
INSTALLATION_TOKEN = "installation_token"
ZENDESK_CREDENTIALS = tuple(zendesk.VENDOR.credentials.values())


@dataclass
class Report:
    """What a connect or disconnect did, for the CLI and the admin page."""

    installation_id: str
    installation_token: str | None = None
    created: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    instructions: str = ""


def find_installation(session: Session, kind: str, account: str) -> Installation | None:
    """The installation of a helpdesk account, if it exists (system session)."""
    account = normalise_account(kind, account)
    return session.scalar(select(Installation).where(Installation.kind == kind, Installation.account == account))


def installation_for_webhook(session: Session, kind: str, webhook_id: str) -> str | None:
    """The installation that recorded `webhook_id` as its helpdesk webhook when it was connected (system session)."""
    if not webhook_id:
        return None
    recorded = Installation.settings[(kind, "webhook_id")].as_string()
    return session.scalar(select(Installation.id).where(Installation.kind == kind, recorded == webhook_id).limit(1))


def webhook_url(public_url: str, provider: str, installation_id: str) -> str:
    """The address a vendor posts this installation's webhooks to."""
    return f"{public_url.rstrip('/')}/webhooks/{provider}/{installation_id}"


def ensure_installation_token(credentials: CredentialStore) -> str:
    """The secret an admin pastes into the helpdesk app's settings, created on first use."""
    token = credentials.get(INSTALLATION_TOKEN)
    if token is None:
        token = new_secret()
        credentials.set(INSTALLATION_TOKEN, token)
    return token


def connect_zendesk(
    session: Session,
    *,
    subdomain: str,
    email: str,
    token: str,
    public_url: str,
    timezone: str = "UTC",
    client: zendesk.Client | None = None,
) -> Report:
    """Verify admin credentials, then create or adopt the webhook, its secret and the triggers (system session).

    Running it again changes nothing that is already right; ids are stored so `disconnect_zendesk`
    removes exactly what was created.

    :raise PolicyRefused: the credentials are not an admin's.
    :raise AuthError: when Zendesk refuses the credentials.
    """
    subdomain = normalise_account("zendesk", subdomain)
    client = client or zendesk.Client(subdomain, email=email, token=token)
    account = zendesk.Provisioning(client)
    me = client.me()
    if me.role != "admin":
        raise PolicyRefused(f"{me.email or email} is a Zendesk {me.role or 'user'}; connecting needs an admin's API token "
                       "to create the webhook and triggers.",
                            code="zendesk_admin_required")
    installation = find_installation(session, "zendesk", subdomain)
    report = Report(installation_id="")
    if installation is None:
        installation = create_installation(session, kind="zendesk", account=subdomain, timezone=timezone)
        report.created.append(f"installation {installation.id}")
    else:
        report.reused.append(f"installation {installation.id}")
    report.installation_id = installation.id
    credentials = CredentialStore(session, installation.id)
    credentials.set(zendesk.EMAIL_CREDENTIAL, email)
    credentials.set(zendesk.TOKEN_CREDENTIAL, token)
    report.installation_token = ensure_installation_token(credentials)
    state = dict((installation.settings or {}).get("zendesk") or {})

    endpoint = webhook_url(public_url, "zendesk", installation.id)
    webhook = account.get_webhook(state["webhook_id"]) if state.get("webhook_id") else None
    webhook = webhook or account.find_webhook(endpoint)
    if webhook is None:
        webhook = account.create_webhook(WEBHOOK_NAME, endpoint)
        report.created.append(f"webhook {webhook['id']}")
    else:
        if webhook.get("endpoint") != endpoint:
            account.update_webhook(webhook["id"], WEBHOOK_NAME, endpoint)
        report.reused.append(f"webhook {webhook['id']}")
    state["webhook_id"] = str(webhook["id"])
    credentials.set(zendesk.SECRET_CREDENTIAL, account.webhook_signing_secret(state["webhook_id"]))

    trigger_ids = dict(state.get("trigger_ids") or {})
    for key, spec in zendesk.trigger_specs(state["webhook_id"]).items():
        existing = account.get_trigger(trigger_ids[key]) if trigger_ids.get(key) else None
        existing = existing or account.find_trigger(spec["title"])
        if existing is None:
            trigger_ids[key] = str(account.create_trigger(spec)["id"])
            report.created.append(f"trigger '{spec['title']}' {trigger_ids[key]}")
        else:
            trigger_ids[key] = str(account.update_trigger(existing["id"], spec)["id"])
            report.reused.append(f"trigger '{spec['title']}' {trigger_ids[key]}")
    state["trigger_ids"] = trigger_ids

    app = account.find_app_installation(APP_NAME)
    if app is None:
        report.notes.append(
            "The Valuedesk sidebar app is not installed yet: build it with `valuedesk package zendesk`, upload it "
            "as a private app, then run connect again to link it."
        )
    else:
        state["app_id"], state["app_installation_id"] = str(app["app_id"]), str(app["id"])
        credentials.set(zendesk.APP_KEY_CREDENTIAL, account.app_public_key(state["app_id"]))
        report.reused.append(f"sidebar app {state['app_id']} (installation {state['app_installation_id']})")
    installation.settings = {**(installation.settings or {}), "zendesk": state}
    session.flush()
    return report


def disconnect_zendesk(session: Session, installation: Installation, *, client: zendesk.Client | None = None) -> Report:
    """Remove the triggers and webhook `connect_zendesk` created and forget the credentials (system session)."""
    report = Report(installation_id=installation.id)
    credentials = CredentialStore(session, installation.id)
    state = dict((installation.settings or {}).get("zendesk") or {})
    if client is None and credentials.get(zendesk.TOKEN_CREDENTIAL):
        client = zendesk.client_for(installation, credentials)
    if client is not None:
        account = zendesk.Provisioning(client)
        for key, trigger_id in (state.get("trigger_ids") or {}).items():
            gone = account.delete_trigger(trigger_id)
            report.removed.append(f"trigger {key} {trigger_id}" + ("" if gone else " (already gone)"))
        if state.get("webhook_id"):
            gone = account.delete_webhook(state["webhook_id"])
            report.removed.append(f"webhook {state['webhook_id']}" + ("" if gone else " (already gone)"))
    else:
        report.notes.append("No Zendesk credentials stored; nothing could be removed in Zendesk.")
    for name in ZENDESK_CREDENTIALS:
        if credentials.delete(name):
            report.removed.append(f"credential {name}")
    installation.settings = {k: v for k, v in (installation.settings or {}).items() if k != "zendesk"}
    session.flush()
    return report


def connect_freshdesk(
    session: Session,
    *,
    domain: str,
    api_key: str,
    public_url: str,
    timezone: str = "UTC",
    client: freshdesk.Client | None = None,
) -> Report:
    """Verify the API key, store it encrypted with a webhook secret, and return the automation rules to create.

    Freshdesk has no API to create automation rules, so the report carries them filled in.

    :raise AuthError: when Freshdesk refuses the key.
    """
    domain = normalise_account("freshdesk", domain)
    client = client or freshdesk.Client(domain, api_key)
    me = client.me()
    installation = find_installation(session, "freshdesk", domain)
    report = Report(installation_id="")
    if installation is None:
        installation = create_installation(session, kind="freshdesk", account=domain, timezone=timezone)
        report.created.append(f"installation {installation.id}")
    else:
        report.reused.append(f"installation {installation.id}")
    report.installation_id = installation.id
    credentials = CredentialStore(session, installation.id)
    credentials.set(freshdesk.API_KEY_CREDENTIAL, api_key)
    secret = credentials.get(freshdesk.SECRET_CREDENTIAL)
    if secret is None:
        secret = new_secret()
        credentials.set(freshdesk.SECRET_CREDENTIAL, secret)
        report.created.append("webhook secret")
    report.installation_token = ensure_installation_token(credentials)
    report.notes.append(f"API key belongs to {me.name or me.email or 'agent ' + me.id}.")
    report.instructions = freshdesk.automation_rules(webhook_url(public_url, "freshdesk", installation.id), secret)
    session.flush()
    return report


def store_freshdesk_key(session: Session, installation: Installation, domain: str, api_key: str,
                        client: freshdesk.Client | None = None) -> None:
    """Store an API key sent by the FDK app's onAppInstall, after checking it works for this account.

    :raise InvalidInput: the app is installed on another Freshdesk account.
    """
    if normalise_account("freshdesk", domain) != installation.account:
        raise InvalidInput(f"This installation belongs to {installation.account}, not {domain}.",
                           code="wrong_account")
    (client or freshdesk.Client(installation.account, api_key)).me()
    CredentialStore(session, installation.id).set(freshdesk.API_KEY_CREDENTIAL, api_key)
