"""Connecting a Zendesk account with OAuth: the authorization-code flow with PKCE, and what happens once connected.

OAuth: https://developer.zendesk.com/documentation/ticketing/working-with-oauth/creating-and-using-oauth-tokens-with-the-api/
A global OAuth client (granted by Zendesk on request) authorises any account; an account-local one only its own
subdomain. Either way the consent page, the token endpoint and the API live on the account's own subdomain.
"""

from __future__ import annotations

from flask import current_app
from flask import g
from flask import has_request_context
from sqlalchemy.orm import Session

from adapter import oauth
from adapter.credentials import CredentialStore
from adapter.errors import ProviderError
from adapter.models import Installation
from adapter.providers.zendesk.client import Client
from adapter.providers.zendesk.client import client_for
from adapter.providers.zendesk.client import origin
from adapter.providers.zendesk.constants import EMAIL_CREDENTIAL
from adapter.providers.zendesk.constants import NAME
from adapter.providers.zendesk.constants import OAUTH_CREDENTIAL
from adapter.providers.zendesk.constants import SECRET_CREDENTIAL
from adapter.providers.zendesk.constants import TOKEN_CREDENTIAL
from adapter.providers.zendesk.provisioning import Provisioning

# Where the app's requirements.json points its webhook; the installation is told apart by the webhook's id.
MARKETPLACE_WEBHOOK_PATH = "/webhooks/zendesk"
SETUP_ROLE = "setup"  # a console opened from the sidebar of an account that is not connected yet


def marketplace_webhook_url(public_url: str) -> str:
    """The one endpoint every account's requirements-created webhook posts to."""
    return public_url.rstrip("/") + MARKETPLACE_WEBHOOK_PATH


def state_of(installation: Installation) -> dict:
    """What Valuedesk recorded about the account: webhook, triggers, app installation."""
    return dict((installation.settings or {}).get(NAME) or {})


def _record(installation: Installation, state: dict) -> None:
    installation.settings = {**(installation.settings or {}), NAME: state}


def _refused(message: str, code: str) -> oauth.OAuthRefused:
    return oauth.OAuthRefused(message + " Nothing was stored; press Connect again once that is done.", code=code)


def _connected(session: Session, installation: Installation, tokens: oauth.Tokens) -> oauth.Connected:
    """After consent: check an admin approved, adopt the app's webhook, read its signing secret, note the app."""
    client = Client(installation.account, oauth_token=tokens.access_token)
    account = Provisioning(client)
    try:
        me = client.me()
        if me.role != "admin":
            raise _refused(f"{me.name or 'This Zendesk user'} is a Zendesk {me.role or 'user'}; connecting Valuedesk "
                           "needs a Zendesk admin, because it reads the webhook's signing secret.",
                           "zendesk_admin_required")
        starter = g.get("agent") if has_request_context() else None
        if starter is not None and starter.role == SETUP_ROLE and starter.agent_id != me.id:
            raise _refused("The Zendesk admin who approved is not the person who opened this console from the "
                           "sidebar.", "zendesk_other_admin")
        state = state_of(installation)
        public_url = current_app.config["VALUEDESK"].public_url
        webhook = account.get_webhook(state["webhook_id"]) if state.get("webhook_id") else None
        webhook = webhook or account.find_webhook(marketplace_webhook_url(public_url))
        if webhook is None:
            raise _refused("Zendesk has no Valuedesk webhook in this account yet: install the Valuedesk app from the "
                           "Zendesk Marketplace (installing it creates the webhook and triggers).", "zendesk_no_webhook")
        secret = account.webhook_signing_secret(str(webhook["id"]))
        app_id = current_app.config["VALUEDESK"].zendesk_app_id or state.get("app_id")
        app = account.find_app_installation(app_id=app_id) if app_id else None
    except ProviderError as exc:
        raise _refused(f"Zendesk refused a set-up step ({exc.message})", "zendesk_setup_failed") from None
    CredentialStore(session, installation.id).set(SECRET_CREDENTIAL, secret)
    state.update(webhook_id=str(webhook["id"]), connected_by="oauth")
    if app is not None:
        state.update(app_id=str(app["app_id"]), app_installation_id=str(app["id"]))
    _record(installation, state)
    session.flush()
    then = " Reopen Valuedesk from the ticket sidebar: the console now opens in full." if starter is not None and \
        starter.role == SETUP_ROLE else ""
    return oauth.Connected(f"Zendesk connected: deliveries from webhook {webhook['id']} are now verified, and "
                           f"Valuedesk reads tickets as the app.{then}")


def _disconnecting(session: Session, installation: Installation) -> list[str]:
    """The webhook and triggers belong to the app's requirements (they go when the app is uninstalled); forget the
    webhook's secret so its deliveries are refused until Zendesk is connected again."""
    state = state_of(installation)
    done = []
    if CredentialStore(session, installation.id).delete(SECRET_CREDENTIAL):
        done.append("webhook signing secret forgotten (deliveries are refused until Zendesk is connected again)")
    if state.pop("connected_by", None) == "oauth":
        state.pop("webhook_id", None)
        _record(installation, state)
        session.flush()
    return done


APP = oauth.OAuthApp(
    vendor=NAME, display_name="Zendesk",
    authorize_url=lambda subdomain: f"{origin(subdomain)}/oauth/authorizations/new",
    token_url=lambda subdomain: f"{origin(subdomain)}/oauth/tokens",
    # Zendesk revokes a token with the token itself.
    revoke_url=lambda subdomain: f"{origin(subdomain)}/api/v2/oauth/tokens/current.json", revoke_with_bearer="DELETE",
    # read and write cover tickets, users, macros, webhooks and app installations.
    scopes=("read", "write"),
    connected=_connected, disconnecting=_disconnecting,
    account=lambda installation: installation.account, consent_origin="https://*.zendesk.com",
)


def has_api_access(credentials: CredentialStore) -> bool:
    """True when Valuedesk can call the account's API: an OAuth grant, or a self-hoster's API token."""
    return bool(credentials.get(APP.credential) or credentials.get(OAUTH_CREDENTIAL)
                or (credentials.get(EMAIL_CREDENTIAL) and credentials.get(TOKEN_CREDENTIAL)))


def client_for_installation(session: Session, installation: Installation, credentials: CredentialStore) -> Client:
    """The account's client: with a live OAuth access token when connected by OAuth, else with the stored API token.

    :raise ReconnectNeeded: the OAuth grant was revoked or expired (for instance, the app was uninstalled).
    :raise AuthError: when Zendesk is not connected at all.
    """
    if credentials.get(APP.credential):
        return Client(installation.account, oauth_token=oauth.access_token(session, installation.id, APP))
    return client_for(installation, credentials)
