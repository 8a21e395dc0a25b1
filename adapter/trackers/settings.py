"""The installation's tracker connection: which tracker, where, how signals map to it, and when themes are sent."""

from __future__ import annotations

import logging
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy.orm import Session

from adapter import oauth
from adapter.credentials import CredentialStore
from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.errors import ProviderError
from adapter.installations import feature_settings
from adapter.installations import store_feature_settings
from adapter.models import Installation
from adapter.providers import oauth_app
from adapter.providers import tracker_client
from adapter.providers import vendor
from adapter.providers import vendors
from adapter.providers.vendor import TRACKER
from adapter.security import new_secret

log = logging.getLogger("valuedesk.trackers")

FEATURE = "trackers"
SYNC_RULES = ("manual", "automatic")
NAMES = {tracker.name: tracker.prose_name for tracker in vendors(TRACKER)}
# Credentials each tracker needs, by the connect form's field name.
CREDENTIALS = {tracker.name: dict(tracker.credentials) for tracker in vendors(TRACKER) if tracker.credentials}
SECRETS = {tracker.name: tracker.secret_credential for tracker in vendors(TRACKER) if tracker.secret_credential}


@dataclass(frozen=True)
class TrackerSettings:
    """Where a theme's issue goes and when."""

    kind: str | None = None  # "jira" or "linear"; None until an admin connects one
    site: str = ""  # Jira site (acme for acme.atlassian.net)
    project: str = ""  # Jira project key
    cloud_id: str = ""  # Jira connected with OAuth: the site's id at Atlassian's API gateway ("" with an API token)
    issue_type: str = "Task"  # Jira issue type when a signal type has no mapping
    issue_types: dict = field(default_factory=dict)  # signal type key -> Jira issue type name
    team_id: str = ""  # Linear team id
    label_ids: dict = field(default_factory=dict)  # signal type key -> Linear label id
    sync: str = "manual"  # "manual": agents press "Send"; "automatic": once a theme reaches auto_threshold tickets
    auto_threshold: int = 5
    reopen_tickets: bool = False  # reopen solved tickets when their issue ships
    # Linear customer requests: what Linear said when the workspace's plan refused them, and when ("" while on)
    needs_unavailable: str = ""
    needs_unavailable_at: str = ""
    webhook_id: str = ""  # the webhook Valuedesk created itself (Linear connected with OAuth), deleted on disconnect


def settings_of(installation: Installation) -> TrackerSettings:
    """The installation's tracker settings; the playground always has its sandbox tracker."""
    stored = feature_settings(installation, FEATURE, TrackerSettings)
    if installation.kind == "playground" and stored.kind is None:
        return TrackerSettings(**{**asdict(stored), "kind": "sandbox"})
    return stored


def _mapping(value, name: str, limit: int) -> dict:
    if not isinstance(value, dict) or len(value) > 50:
        raise InvalidInput(f"{name} must map signal types to names (at most 50).",
                           code="invalid_setting", fields={name: "object"})
    clean = {}
    for key, target in value.items():
        if not isinstance(key, str) or not isinstance(target, str) or not target.strip() or len(target) > limit:
            raise InvalidInput(f"{name}: each signal type needs a value of 1 to {limit} characters.",
                               code="invalid_setting", fields={name: f"1–{limit} characters"})
        clean[key] = target.strip()
    return clean


def validate(values: dict) -> dict:
    """A clean copy of tracker settings.

    :raise InvalidInput: naming the setting that is wrong.
    """
    if values.get("sync") not in SYNC_RULES:
        raise InvalidInput("The sync rule is \"manual\" or \"automatic\".",
                           code="invalid_setting", fields={"sync": "manual|automatic"})
    threshold = values.get("auto_threshold")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 2 <= threshold <= 1000:
        raise InvalidInput("Send a theme automatically once it has 2 to 1000 tickets.",
                           code="invalid_setting", fields={"auto_threshold": "2–1000"})
    if not isinstance(values.get("reopen_tickets"), bool):
        raise InvalidInput("Reopening tickets is on (true) or off (false).",
                           code="invalid_setting", fields={"reopen_tickets": "boolean"})
    issue_type = str(values.get("issue_type") or "").strip()
    if not 1 <= len(issue_type) <= 60:
        raise InvalidInput("The default Jira issue type needs 1 to 60 characters (e.g. Task).",
                           code="invalid_setting", fields={"issue_type": "1–60 characters"})
    return {**values, "issue_type": issue_type, "issue_types": _mapping(values.get("issue_types") or {}, "issue_types", 60),
            "label_ids": _mapping(values.get("label_ids") or {}, "label_ids", 64)}


def update_settings(installation: Installation, **changes) -> TrackerSettings:
    """Change the sync rule, threshold, mappings or reopening (the connection itself changes through `connect`).

    :raise InvalidInput: an invalid value.
    """
    current = asdict(feature_settings(installation, FEATURE, TrackerSettings))
    # The connection changes through `connect`; the rest is recorded by the service, never set by hand.
    fixed = ("kind", "site", "project", "team_id", "cloud_id", "needs_unavailable", "needs_unavailable_at",
             "webhook_id")
    current.update({k: v for k, v in changes.items() if v is not None and k not in fixed})
    store_feature_settings(installation, FEATURE, validate(current))
    return settings_of(installation)


def store_changes(installation: Installation, **changes) -> TrackerSettings:
    """Store changes the service makes itself (a connection, a webhook, a refusal it heard), validated like the rest."""
    stored = asdict(feature_settings(installation, FEATURE, TrackerSettings))
    store_feature_settings(installation, FEATURE, validate({**stored, **changes}))
    return settings_of(installation)


def forget_pasted_credentials(session: Session, installation: Installation, keep: tuple[str, ...] = ()) -> None:
    """Delete every tracker's pasted credentials (API keys, tokens) except those named in `keep`."""
    credentials = CredentialStore(session, installation.id)
    for names in CREDENTIALS.values():
        for name in names.values():
            if name not in keep:
                credentials.delete(name)


def _connectable(kind: str):
    tracker = vendor(TRACKER, kind)
    if tracker is None or tracker.connection is None:
        names = " or ".join(f'"{t.name}"' for t in vendors(TRACKER) if t.connection)
        raise InvalidInput(f"Connect {names}, not {kind!r}.",
                           code="invalid_tracker")
    return tracker


def connect(session: Session, installation: Installation, kind: str, values: dict, secrets: dict) -> str:
    """Check the credentials with one call, then store the connection and credentials (encrypted).

    Returns what the tracker said about us ("Ada on acme, project SUP"). A webhook secret is made
    when none is stored, for the tracker's webhook settings.

    :raise InvalidInput: missing fields or credentials the tracker refuses; Conflict: the playground.
    """
    if installation.kind == "playground":
        raise Conflict("The playground uses its sandbox tracker; connect Jira or Linear to a real helpdesk.",
                       code="sandbox_only")
    tracker = _connectable(kind)
    connection = tracker.connection(values)
    given = {tracker.credentials[name]: str(value).strip() for name, value in secrets.items()
             if name in tracker.credentials and value and str(value).strip()}
    if len(given) < tracker.min_credentials:
        raise InvalidInput(tracker.credentials_missing,
                           code="invalid_connection", fields=dict(tracker.credentials_missing_fields))
    stored = asdict(feature_settings(installation, FEATURE, TrackerSettings))
    proposed = validate({**stored, **connection, "kind": kind, "needs_unavailable": "", "needs_unavailable_at": ""})
    try:
        who = tracker.client_for(session, proposed, given).check()
    except ProviderError as exc:  # a 4xx, nothing stored, and one message whatever went wrong
        # What an admin hears when the check fails, however it failed (refused, unreachable, not found): a different
        # message per failure would let the connect form probe what answers where.
        log.info("trackers.connect_refused", extra={"fields": {"tracker": kind, "error": type(exc).__name__}})
        raise InvalidInput(tracker.refused,
                           code="tracker_refused") from None
    forget_pasted_credentials(session, installation, keep=tuple(given))
    credentials = CredentialStore(session, installation.id)
    for name, value in given.items():
        credentials.set(name, value)
    if not credentials.get(SECRETS[kind]):
        credentials.set(SECRETS[kind], new_secret())
    store_feature_settings(installation, FEATURE, proposed)
    session.flush()
    return who


def disconnect(session: Session, installation: Installation) -> list[str]:
    """Forget the tracker's credentials and connection; links to existing issues stay for the record.

    A tracker connected with OAuth is revoked first, and its own hook removes what Valuedesk created there.
    """
    app = oauth_app(settings_of(installation).kind or "")
    done = oauth.revoke(session, installation, app) if app is not None else []
    forget_connection(session, installation)
    return done


def forget_connection(session: Session, installation: Installation) -> None:
    """Delete the tracker's pasted credentials and webhook secret and clear the connection (no vendor is called)."""
    forget_pasted_credentials(session, installation)
    credentials = CredentialStore(session, installation.id)
    for name in SECRETS.values():
        credentials.delete(name)
    stored = asdict(feature_settings(installation, FEATURE, TrackerSettings))
    store_feature_settings(installation, FEATURE, {**stored, "kind": None, "site": "", "project": "", "team_id": "",
                                                    "cloud_id": "", "webhook_id": ""})
    session.flush()


def webhook_secret(session: Session, installation: Installation) -> str | None:
    """The secret the connected tracker signs its webhooks with (shown to admins for the set-up)."""
    kind = settings_of(installation).kind
    return CredentialStore(session, installation.id).get(SECRETS[kind]) if kind in SECRETS else None


def client(session: Session, installation: Installation):
    """The installation's Tracker client, or None when no tracker is connected."""
    settings = settings_of(installation)
    return tracker_client(session, installation, settings.kind, asdict(settings))


def key_of(installation: Installation, reference: str) -> str | None:
    """The issue key in a pasted key or URL, for the connected tracker."""
    tracker = vendor(TRACKER, settings_of(installation).kind)
    return tracker.key_of(reference) if tracker and tracker.key_of else None


def webhook_instructions(kind: str, url: str, secret: str | None, project: str = "") -> str:
    """How to set up the tracker's webhook so issue changes reach Valuedesk (shown by the CLI and the console)."""
    tracker = vendor(TRACKER, kind)
    if tracker is None or tracker.webhook_help is None:
        tracker = next(t for t in vendors(TRACKER) if t.builtin)
    return tracker.webhook_help(url, secret, project)


def set_webhook_secret(session: Session, installation: Installation, secret: str) -> None:
    """Store the signing secret the tracker generated for its webhook (Linear makes its own).

    :raise Conflict: no tracker is connected; InvalidInput: an implausible secret.
    """
    kind = settings_of(installation).kind
    if kind not in SECRETS:
        raise Conflict("Connect Jira or Linear before setting its webhook secret.",
                       code="tracker_not_connected")
    secret = secret.strip()
    if not 16 <= len(secret) <= 200 or any(c.isspace() for c in secret):
        raise InvalidInput("That does not look like a webhook signing secret (16 to 200 characters, no spaces).",
                           code="invalid_secret", fields={"secret": "16–200 characters"})
    CredentialStore(session, installation.id).set(SECRETS[kind], secret)
