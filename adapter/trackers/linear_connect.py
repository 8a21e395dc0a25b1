"""Linear connected with OAuth: pick the team, create Valuedesk's own webhook (nothing pasted), and remove it again.

These are the hooks of Linear's OAuthApp (`adapter.providers.linear.OAUTH`), set at start by `register`: `connected`
runs once the code is exchanged, `disconnecting` while the grant still works, before it is revoked.
"""

from __future__ import annotations

from flask import current_app
from flask import url_for
from sqlalchemy.orm import Session

from adapter import oauth
from adapter.connections import webhook_url
from adapter.credentials import CredentialStore
from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.errors import ProviderError
from adapter.models import Installation
from adapter.oauth import Connected
from adapter.oauth import Tokens
from adapter.providers import linear
from adapter.security import new_secret
from adapter.trackers import settings as tracker_settings

WEBHOOK_LABEL = "Valuedesk"


def _client(access_token: str) -> linear.Client:
    return linear.Client(team_id="", oauth_token=access_token)


def _granted(session: Session, installation: Installation) -> linear.Client:
    """A client on the installation's grant (refreshed when due).

    :raise ReconnectNeeded: the grant is gone or refused.
    """
    return _client(oauth.access_token(session, installation.id, linear.OAUTH))


def connected(session: Session, installation: Installation, tokens: Tokens) -> Connected:
    """After consent: use the only team at once, or send the admin to choose one.

    :raise Conflict: the playground, Linear not answering, or a grant that shows no team (the grant is then revoked,
        nothing kept).
    """
    if installation.kind == "playground":
        raise Conflict("The playground uses its sandbox tracker; connect Linear to a real helpdesk.",
                       code="sandbox_only")
    client = _client(tokens.access_token)
    try:
        teams = client.teams()
    except ProviderError as exc:
        raise Conflict(f"Linear did not list its teams ({exc.message}). Nothing was stored; press Connect again.",
                       code="vendor_unreachable") from None
    if not teams:
        raise Conflict("Linear shows Valuedesk no team to create issues in. Nothing was stored; approve it in a "
                       "workspace with a team (or as a member of one), then press Connect again.", code="no_team")
    if len(teams) == 1:
        return Connected(use_team(session, installation, client, teams[0]), next_url=url_for("console.trackers_page"))
    return Connected("Linear is connected. Choose the team Valuedesk's issues go to.",
                     next_url=url_for("console.linear_team_page"))


def teams(session: Session, installation: Installation) -> list[dict]:
    """The teams the installation's grant can create issues in."""
    return _granted(session, installation).teams()


def choose_team(session: Session, installation: Installation, team_id: str) -> str:
    """Connect the team the admin chose (one Linear lists for this grant); a sentence for the admin.

    :raise InvalidInput: a team Linear does not list; ReconnectNeeded: no grant.
    """
    client = _granted(session, installation)
    team = next((team for team in client.teams() if team["id"] == team_id), None)
    if team is None:
        raise InvalidInput("Choose one of the teams Linear lists for this connection.", code="invalid_team",
                           fields={"team_id": "one of the listed teams"})
    return use_team(session, installation, client, team)


def use_team(session: Session, installation: Installation, client: linear.Client, team: dict) -> str:
    """Make Linear the installation's tracker on the grant, for `team`, and create the service's own webhook there."""
    tracker_settings.forget_pasted_credentials(session, installation)  # the grant replaces a pasted key
    previous = tracker_settings.settings_of(installation)
    if previous.kind == "linear" and previous.webhook_id:
        _delete_webhook(client, previous.webhook_id)  # connecting again must not leave a second webhook behind
    url = webhook_url(current_app.config["VALUEDESK"].public_url, linear.NAME, installation.id)
    try:
        webhook_id, secret = client.create_webhook(url=url, team_id=team["id"], secret=new_secret(),
                                                   label=WEBHOOK_LABEL)
        hook = "Valuedesk created its webhook for the team's issue changes."
    except ProviderError as exc:  # e.g. approved by someone Linear does not let manage webhooks
        webhook_id, secret = "", new_secret()
        hook = (f"Linear did not let Valuedesk create its webhook ({exc.message}); the Jira and Linear page shows "
                "how to add it by hand. Until then linked issues are checked every 15 minutes.")
    CredentialStore(session, installation.id).set(linear.SECRET_CREDENTIAL, secret)
    tracker_settings.store_changes(installation, kind=linear.NAME, site="", project="", team_id=team["id"],
                                   webhook_id=webhook_id, needs_unavailable="", needs_unavailable_at="")
    session.flush()
    return f"Linear connected: team {team['key']} ({team['name']}). {hook}"


def _delete_webhook(client: linear.Client, webhook_id: str) -> str:
    try:
        return "Linear webhook deleted" if client.delete_webhook(webhook_id) else "Linear webhook was already gone"
    except ProviderError as exc:
        return f"could not delete the Linear webhook: {exc.message}"


def disconnecting(session: Session, installation: Installation) -> list[str]:
    """Before the grant is revoked: delete the webhook Valuedesk created and, unless an API key runs it, the connection."""
    settings = tracker_settings.settings_of(installation)
    if settings.kind != linear.NAME:
        return []
    done = []
    if settings.webhook_id:
        try:
            done.append(_delete_webhook(_granted(session, installation), settings.webhook_id))
        except ProviderError as exc:  # the grant no longer works: the webhook stays until an admin deletes it
            done.append(f"could not delete the Linear webhook ({exc.message}); delete it in Linear's API settings")
    if not CredentialStore(session, installation.id).get(linear.KEY_CREDENTIAL):
        tracker_settings.forget_connection(session, installation)
        done.append("Linear is no longer the tracker")
    else:
        tracker_settings.store_changes(installation, webhook_id="")
    return done


def register() -> None:
    """Give Linear's OAuthApp these hooks (called once at app start by adapter.wiring)."""
    linear.on_connect(connected, disconnecting)
