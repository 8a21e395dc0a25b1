"""Jira connected with OAuth: after consent the admin picks the site and project; the service registers its webhook,
keeps it alive (Jira drops dynamic webhooks after 30 days), and deletes it on disconnect.

The connection is stored as the API-token path stores it (tracker settings: kind jira, site, project) plus the
site's cloud id, which is what makes the Jira client call Atlassian's gateway with the OAuth grant.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter import oauth
from adapter import workitems
from adapter.connections import webhook_url
from adapter.credentials import CredentialStore
from adapter.db import get_db
from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.errors import NotFound
from adapter.errors import ProviderError
from adapter.installations import feature_settings
from adapter.installations import list_installations
from adapter.installations import store_feature_settings
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.providers import atlassian
from adapter.providers import jira
from adapter.security import new_secret
from adapter.trackers import settings as tracker_settings

log = logging.getLogger("valuedesk.trackers.jira")

STATE = "jira_oauth"  # the installation's settings key for what the service registered in Jira
WEBHOOK_LIFETIME = timedelta(days=30)
REFRESH_AHEAD = timedelta(days=20)  # the daily job extends a webhook once it has less than this left
RECONNECT_ERROR = "ReconnectNeeded"  # how a sync that lost the grant starts its last_error
_PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,19}")


@dataclass(frozen=True)
class JiraOAuthState:
    """The dynamic webhook Valuedesk registered, and whether Jira still accepts the grant."""

    webhook_ids: list = field(default_factory=list)
    webhook_expires_at: str = ""  # ISO, UTC
    webhook_error: str = ""  # why the webhook is not registered ("" when it is, or before a project is chosen)
    reconnect: str = ""  # what happened when Jira stopped accepting the grant ("" while it works)

    @property
    def expires_at(self) -> datetime | None:
        """When the registered webhook stops, unless refreshed."""
        return datetime.fromisoformat(self.webhook_expires_at) if self.webhook_expires_at else None


def state_of(installation: Installation) -> JiraOAuthState:
    """The installation's Jira OAuth state."""
    return feature_settings(installation, STATE, JiraOAuthState)


def _store_state(installation: Installation, **changes) -> JiraOAuthState:
    store_feature_settings(installation, STATE, {**asdict(state_of(installation)), **changes})
    return state_of(installation)


def _token(session: Session, installation_id: str) -> Callable[[], str]:
    return lambda: oauth.access_token(session, installation_id, jira.APP)


def warm_up(installation_id: str) -> None:
    """Refresh the grant now if it is about to expire, in a read session of its own.

    Call it before a transaction that writes: on SQLite that transaction holds the one write lock, which the refresh
    (committed on its own so a rotated token is never lost) would wait for.

    :raise ReconnectNeeded: Jira no longer accepts the grant.
    """
    with get_db().tenant(installation_id) as reader:
        oauth.access_token(reader, installation_id, jira.APP)


def connected(session: Session, installation: Installation, tokens: oauth.Tokens) -> oauth.Connected:
    """After consent: find the Jira sites the grant reaches; one goes straight to the project choice.

    :raise Conflict: the playground, or a grant that reaches no Jira site.
    """
    if installation.kind == "playground":
        raise Conflict("The playground uses its sandbox tracker; connect Jira from a real helpdesk's console.",
                       code="sandbox_only")
    sites = atlassian.jira_sites(lambda: tokens.access_token)
    if not sites:
        raise Conflict("The Atlassian account that approved Valuedesk has no Jira Cloud site it can reach. Approve "
                       "with an account that is a member of your Jira site.", code="no_jira_site")
    _store_state(installation, reconnect="")
    if len(sites) == 1:
        return oauth.Connected(f"Jira approved for {sites[0].name}. Choose the project issues go to.",
                               next_url=url_for("console.jira_project", cloud_id=sites[0].cloud_id))
    return oauth.Connected("Jira approved. Choose the site, then the project issues go to.",
                           next_url=url_for("console.jira_site"))


def sites(session: Session, installation: Installation) -> list[atlassian.Site]:
    """The Jira sites the stored grant reaches.

    :raise ReconnectNeeded: Jira is not connected with OAuth, or no longer accepts the grant.
    """
    return atlassian.jira_sites(_token(session, installation.id))


def site(session: Session, installation: Installation, cloud_id: str) -> atlassian.Site:
    """One of the grant's sites.

    :raise InvalidInput: a site the grant does not reach; ReconnectNeeded: no usable grant.
    """
    found = next((s for s in sites(session, installation) if s.cloud_id == cloud_id), None)
    if found is None:
        raise InvalidInput("That Jira site is not one your approval reaches; choose one from the list.",
                           code="unknown_site", fields={"cloud_id": "one of the listed sites"})
    if jira.site_name(found.url) is None:
        raise InvalidInput(f"{found.url} is not an Atlassian Cloud address (*.atlassian.net); Valuedesk connects "
                           "Jira Cloud sites only.", code="unsupported_site", fields={"cloud_id": "an atlassian.net site"})
    return found


def projects(session: Session, installation: Installation, cloud_id: str) -> list[dict]:
    """The projects the grant can see on the site."""
    return atlassian.SiteApi(cloud_id, _token(session, installation.id)).projects()


def choose(session: Session, installation: Installation, cloud_id: str, project_key: str) -> str:
    """Store the connection to the site's project, then register the webhook; a sentence for the admin.

    :raise InvalidInput: unknown site or project; ReconnectNeeded: no usable grant; Conflict: the playground.
    """
    if installation.kind == "playground":
        raise Conflict("The playground uses its sandbox tracker.", code="sandbox_only")
    chosen = site(session, installation, cloud_id)
    key = str(project_key or "").strip().upper()
    if not _PROJECT_KEY.fullmatch(key):
        raise InvalidInput("Choose a project (its key looks like SUP).", code="invalid_connection",
                           fields={"project": "a project key"})
    api = atlassian.SiteApi(cloud_id, _token(session, installation.id))
    try:
        project = api.project(key)
    except NotFound:
        raise InvalidInput(f"{chosen.name} has no project {key} that your approval can see.", code="unknown_project",
                           fields={"project": "a listed project"}) from None
    _delete_webhooks(session, installation)  # a project chosen again gets a webhook for the new project
    stored = asdict(feature_settings(installation, tracker_settings.FEATURE, tracker_settings.TrackerSettings))
    values = tracker_settings.validate({**stored, "kind": jira.NAME, "site": jira.site_name(chosen.url),
                                        "project": project["key"], "team_id": "", "cloud_id": cloud_id})
    credentials = CredentialStore(session, installation.id)
    for names in tracker_settings.CREDENTIALS.values():  # an API token (Jira's or Linear's) is no longer used
        for name in names.values():
            credentials.delete(name)
    for name in (jira.SECRET_CREDENTIAL, jira.PATH_SECRET_CREDENTIAL):  # HMAC for a hand-made webhook; the path
        if not credentials.get(name):
            credentials.set(name, new_secret())
    store_feature_settings(installation, tracker_settings.FEATURE, values)
    _store_state(installation, reconnect="")
    registered = register_webhook(session, installation, chosen)
    session.flush()
    return f"Jira connected: {chosen.name}, project {project['key']} ({project['name']}). " + registered


def dynamic_webhook_url(session: Session, installation: Installation) -> str:
    """Where the registered webhook posts: the installation's address with its path secret."""
    secret = CredentialStore(session, installation.id).get(jira.PATH_SECRET_CREDENTIAL)
    return f"{webhook_url(current_app.config['VALUEDESK'].public_url, jira.NAME, installation.id)}/{secret}"


def register_webhook(session: Session, installation: Installation, chosen: atlassian.Site) -> str:
    """Register the project's webhook with Jira where the grant allows it; a sentence on how it went."""
    project = tracker_settings.settings_of(installation).project
    if not chosen.can_manage_webhooks:
        error = "the approval did not include managing webhooks"
    else:
        api = atlassian.SiteApi(chosen.cloud_id, _token(session, installation.id))
        try:
            webhook_id = api.register_webhook(dynamic_webhook_url(session, installation), project)
        except ProviderError as exc:
            if isinstance(exc, oauth.ReconnectNeeded):
                raise
            error = exc.message
        else:
            _store_state(installation, webhook_ids=[webhook_id], webhook_error="",
                         webhook_expires_at=(clock.now() + WEBHOOK_LIFETIME).isoformat())
            log.info("jira.webhook_registered", extra={"fields": {"installation_id": installation.id}})
            return "Valuedesk registered its webhook, so issue changes arrive within seconds."
    _store_state(installation, webhook_ids=[], webhook_expires_at="", webhook_error=error[:300])
    return f"Jira did not let Valuedesk register its webhook ({error}); add it by hand as shown below."


def _delete_webhooks(session: Session, installation: Installation, token: Callable[[], str] | None = None) -> list[str]:
    state, cloud_id = state_of(installation), tracker_settings.settings_of(installation).cloud_id
    if not state.webhook_ids or not cloud_id:
        return []
    ids = [int(i) for i in state.webhook_ids]
    try:
        atlassian.SiteApi(cloud_id, token or _token(session, installation.id)).delete_webhooks(ids)
        done = f"Jira webhook {', '.join(map(str, ids))} deleted"
    except ProviderError as exc:  # the grant may be gone already; Jira stops the webhook when it expires
        done = f"could not delete Jira webhook {', '.join(map(str, ids))} ({exc.message}); it stops within 30 days"
    _store_state(installation, webhook_ids=[], webhook_expires_at="", webhook_error="")
    return [done]


def _last_token(session: Session, installation_id: str) -> Callable[[], str]:
    """The grant's access token for its last calls, refreshed in the caller's transaction when it has expired.

    The grant is being forgotten, so a rotated refresh token need not outlive a rollback; and the caller (a console
    post, an uninstall) already holds the write lock a separately committed refresh would wait for.
    """
    def token() -> str:
        current = oauth.tokens(session, installation_id, jira.APP)
        if current is None:
            raise oauth.ReconnectNeeded("Jira is not connected.", provider=jira.NAME)
        if current.due(clock.now()) and current.refresh_token:
            try:
                return oauth.endpoint(jira.APP).refresh(current.refresh_token)["access_token"]
            except ProviderError:
                pass  # try with what is stored; a refused call is reported, and the webhook lapses in 30 days
        return current.access_token
    return token


def disconnecting(session: Session, installation: Installation) -> list[str]:
    """Before the grant is forgotten: delete the webhook and the connection that depends on the grant."""
    done = _delete_webhooks(session, installation, _last_token(session, installation.id))
    CredentialStore(session, installation.id).delete(jira.PATH_SECRET_CREDENTIAL)
    settings = tracker_settings.settings_of(installation)
    if settings.kind == jira.NAME and settings.cloud_id:
        tracker_settings.forget_connection(session, installation)  # the grant itself is being revoked by the caller
        done.append("Jira tracker connection removed")
    _store_state(installation, reconnect="")
    return done


def _refresh_changes(session: Session, installation: Installation) -> dict | None:
    """What extending the installation's webhook changes (None: not due yet, or Jira did not answer)."""
    state, settings = state_of(installation), tracker_settings.settings_of(installation)
    if settings.kind != jira.NAME or not settings.cloud_id or not state.webhook_ids:
        return None
    if state.expires_at and state.expires_at - clock.now() > REFRESH_AHEAD:
        return None
    try:
        expires = atlassian.SiteApi(settings.cloud_id, _token(session, installation.id)).refresh_webhooks(
            [int(i) for i in state.webhook_ids])
    except oauth.ReconnectNeeded as exc:  # recorded for the console ("reconnect Jira") instead of failing daily
        return {"reconnect": exc.message}
    except ProviderError as exc:
        log.warning("jira.webhook_refresh_failed", extra={"fields": {"installation_id": installation.id,
                                                                      "error": exc.message}})
        return None
    return {"webhook_expires_at": (expires or clock.now() + WEBHOOK_LIFETIME).isoformat(), "reconnect": ""}


def refresh_webhooks() -> int:
    """Extend every registered webhook that expires within REFRESH_AHEAD (the daily job); how many were extended."""
    db = get_db()
    with db.system() as session:
        installation_ids = [i.id for i in list_installations(session) if i.is_active]
    extended = 0
    for installation_id in installation_ids:
        # Call Jira from a read session (a token refresh needs SQLite's write lock), then write what changed.
        with db.tenant(installation_id) as session:
            changes = _refresh_changes(session, session.get(Installation, installation_id))
        if changes:
            with db.tenant(installation_id, immediate=True) as session:
                _store_state(session.get(Installation, installation_id), **changes)
            extended += "webhook_expires_at" in changes
    return extended


def reconnect_message(session: Session, installation: Installation) -> str:
    """Why Jira needs connecting again ("" when it does not): the refresh job's finding, or a sync that lost the grant."""
    if tracker_settings.settings_of(installation).kind != jira.NAME:
        return ""
    recorded = state_of(installation).reconnect
    if recorded:
        return recorded
    failed = session.scalar(select(OutboxAction.last_error).where(
        OutboxAction.kind.startswith("tracker."), OutboxAction.status == "failed",
        OutboxAction.last_error.startswith(RECONNECT_ERROR)).limit(1))
    return failed.split(": ", 1)[-1] if failed else ""


def retry_after_reconnect(session: Session) -> list[int]:
    """Give the tracker writes that failed for want of a grant a fresh start; their ids (enqueue after commit)."""
    ids = list(session.scalars(select(OutboxAction.id).where(
        OutboxAction.kind.startswith("tracker."), OutboxAction.status == "failed",
        OutboxAction.last_error.startswith(RECONNECT_ERROR))))
    return [i for i in ids if workitems.retry_failed(session, OutboxAction, i)]


def console_view(session: Session, installation: Installation) -> dict:
    """What the trackers page shows about Jira's OAuth connection (never a token)."""
    settings, state = tracker_settings.settings_of(installation), state_of(installation)
    return {"configured": current_app.config["VALUEDESK"].oauth_client(jira.NAME) is not None,
            "authorized": oauth.tokens(session, installation.id, jira.APP) is not None,
            "connected": settings.kind == jira.NAME and bool(settings.cloud_id),
            "webhook_ids": state.webhook_ids, "webhook_expires_at": state.expires_at,
            "webhook_error": state.webhook_error, "reconnect": reconnect_message(session, installation)}


def register() -> None:
    """Give the Jira OAuth app its hooks (called once at app start by adapter.wiring)."""
    jira.on_oauth(connected=connected, disconnecting=disconnecting)
