"""Connecting an installation to a vendor with OAuth 2.0: start, finish, keep the tokens fresh, revoke.

The admin starts in the console; the state is single use, expires in ten minutes and is bound to the admin who
started it (the callback must arrive in that admin's console session), so a link started by someone else cannot
attach another account's grant to this installation. PKCE (S256) is sent where the vendor supports it. Tokens are
stored encrypted as the credential `<vendor>_oauth`; a refreshed (rotated) token is committed at once, on its own,
so a caller's rollback can never lose the only refresh token that still works.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.credentials import CredentialStore
from adapter.credentials import cipher
from adapter.db import get_db
from adapter.db import serialise
from adapter.errors import AuthError
from adapter.errors import Conflict
from adapter.errors import DomainError
from adapter.errors import ProviderError
from adapter.models import Installation
from adapter.models import OAuthState

log = logging.getLogger("valuedesk.oauth")

STATE_LIFETIME = timedelta(minutes=10)
REFRESH_MARGIN = timedelta(minutes=2)  # refresh this long before the access token expires


@dataclass(frozen=True)
class Tokens:
    """What a vendor granted: the access token, the refresh token (rotated by some vendors), expiry and scope."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scope: str = ""
    granted_at: datetime | None = None
    extra: dict = field(default_factory=dict)  # what else the vendor said (Zendesk's token id, Linear's actor)

    def due(self, now: datetime) -> bool:
        """True when the access token expires within the refresh margin."""
        return self.expires_at is not None and self.expires_at - REFRESH_MARGIN <= now

    def dumps(self) -> str:
        values = asdict(self)
        for name in ("expires_at", "granted_at"):
            values[name] = values[name].isoformat() if values[name] else None
        return json.dumps(values)

    @classmethod
    def loads(cls, text: str) -> Tokens:
        values = json.loads(text)
        for name in ("expires_at", "granted_at"):
            values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
        return cls(**values)

    @classmethod
    def from_grant(cls, body: dict, now: datetime, previous: Tokens | None = None) -> Tokens:
        """Tokens from a token endpoint's answer; a refresh that sends no new refresh token keeps the old one."""
        seconds = body.get("expires_in")
        expires_at = now + timedelta(seconds=int(seconds)) if isinstance(seconds, int | float) and seconds > 0 else None
        known = {"access_token", "refresh_token", "expires_in", "scope", "token_type"}
        return cls(access_token=body["access_token"],
                   refresh_token=body.get("refresh_token") or (previous.refresh_token if previous else None),
                   expires_at=expires_at, scope=str(body.get("scope") or (previous.scope if previous else "")),
                   granted_at=previous.granted_at if previous and previous.granted_at else now,
                   extra={**(previous.extra if previous else {}),
                          **{k: v for k, v in body.items() if k not in known and isinstance(v, str | int | bool)}})


@dataclass(frozen=True)
class Connected:
    """What the vendor's `connected` hook reports: a sentence for the admin, and where to go next (a choice page)."""

    message: str
    next_url: str | None = None


@dataclass(frozen=True)
class OAuthApp:
    """How one vendor does OAuth, and what the service does once it is connected."""

    vendor: str
    display_name: str
    authorize_url: Callable[[str], str]  # account -> the consent page
    token_url: Callable[[str], str]
    scopes: tuple[str, ...]
    connected: Callable[[Session, Installation, Tokens], Connected]
    revoke_url: Callable[[str], str] | None = None
    revoke_with_bearer: str | None = None  # HTTP method when revocation is a call made with the token itself
    disconnecting: Callable[[Session, Installation], list[str]] | None = None
    pkce: bool = True
    extra_params: Mapping[str, str] = field(default_factory=dict)
    scope_separator: str = " "
    json_body: bool = False
    account: Callable[[Installation], str] = lambda installation: ""  # what authorize_url needs (Zendesk: subdomain)
    # Where the consent page lives, for the console's form-action (a Connect form's redirect goes there):
    # "https://auth.atlassian.com", or "https://*.zendesk.com" when each account has its own.
    consent_origin: str = ""

    @property
    def form_target(self) -> str:
        """The consent origin, or the local fake's that plays this vendor."""
        return endpoints.origin(self.vendor, self.consent_origin) if self.consent_origin else ""

    @property
    def credential(self) -> str:
        """The stored credential holding this vendor's tokens."""
        return f"{self.vendor}_oauth"


class ReconnectNeeded(AuthError):
    """The vendor no longer accepts the stored grant; an admin has to connect again."""


class OAuthRefused(DomainError):
    """An authorization that cannot finish; nothing was stored."""


def client_of(app: OAuthApp) -> tuple[str, str]:
    """The operator's OAuth client for the vendor.

    :raise Conflict: when it is not configured.
    """
    client = current_app.config["VALUEDESK"].oauth_client(app.vendor)
    if client is None:
        name = app.vendor.upper()
        raise Conflict(f"This Valuedesk service has no {app.display_name} OAuth client yet. The operator sets "
                       f"VALUEDESK_{name}_CLIENT_ID and VALUEDESK_{name}_CLIENT_SECRET once (README: \"OAuth clients\"); "
                       "until then connect with an API token.", code="oauth_not_configured")
    return client


def redirect_uri(vendor: str) -> str:
    """The callback address registered with the vendor's OAuth client."""
    return f"{current_app.config['VALUEDESK'].public_url}/admin/oauth/{vendor}/callback"


def endpoint(app: OAuthApp, account: str = "") -> TokenEndpoint:
    """The vendor's token endpoints with the operator's client."""
    return TokenEndpoint(app.vendor, app.token_url(account), client_of(app),
                         revoke_url=app.revoke_url(account) if app.revoke_url else None, json_body=app.json_body,
                         revoke_with_bearer=app.revoke_with_bearer)


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def begin(session: Session, installation: Installation, app: OAuthApp, *, agent_id: str) -> str:
    """Record a single-use state and return the vendor's consent URL to send the admin to.

    :raise Conflict: the operator has not configured the vendor's OAuth client.
    """
    client_id, _ = client_of(app)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64) if app.pkce else None
    account = app.account(installation)
    sealed = cipher().encrypt(verifier, context=f"oauth:{_digest(state)}") if verifier else None
    session.add(OAuthState(installation_id=installation.id, vendor=app.vendor, state_hash=_digest(state),
                           verifier=sealed, account=account, agent_id=agent_id,
                           expires_at=clock.now() + STATE_LIFETIME))
    session.flush()
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri(app.vendor),
              "state": state, "scope": app.scope_separator.join(app.scopes), **app.extra_params}
    if verifier:
        params.update(code_challenge=_challenge(verifier), code_challenge_method="S256")
    log.info("oauth.begin", extra={"fields": {"vendor": app.vendor, "installation_id": installation.id}})
    return f"{app.authorize_url(account)}?{urlencode(params)}"


# What the admin reads when a callback cannot finish (the code, then the sentence).
REFUSALS = {
    "state_unknown": "This connection link is not one this console started, or it was used already. Nothing was "
                     "stored; press Connect again.",
    "state_expired": "This connection took more than ten minutes to approve. Nothing was stored; press Connect again.",
    "state_other_console": "This connection was started by another admin or another installation's console. Nothing "
                           "was stored; press Connect from your own console.",
    "consent_denied": "{name} said the connection was not approved. Nothing was stored; press Connect again when you "
                      "are ready to approve it.",
    "code_refused": "{name} refused the authorization code (it was used already or expired). Nothing was stored; "
                    "press Connect again.",
    "vendor_unreachable": "{name} could not be reached to finish the connection. Nothing was stored; try again in a "
                          "minute.",
    "missing_code": "{name} came back without an authorization code. Nothing was stored; press Connect again.",
}


def refuse(code: str, app: OAuthApp) -> OAuthRefused:
    """The refusal `code`, worded for this vendor."""
    return OAuthRefused(REFUSALS[code].format(name=app.display_name), code=code)


def claim_state(app: OAuthApp, state: str, *, installation_id: str, agent_id: str) -> tuple[OAuthState, str | None]:
    """Use up the state (committed at once, so a replayed callback finds it used) and return it with its verifier.

    :raise OAuthRefused: unknown, used, expired, or started by another console.
    """
    with get_db().system(immediate=True) as session:
        row = session.scalar(select(OAuthState).where(OAuthState.state_hash == _digest(state or "-"),
                                                      OAuthState.vendor == app.vendor))
        if row is None or row.used_at is not None:
            raise refuse("state_unknown", app)
        if row.installation_id != installation_id or row.agent_id != agent_id:
            raise refuse("state_other_console", app)
        row.used_at = clock.now()
        if row.expires_at <= clock.now():
            raise refuse("state_expired", app)
        verifier = cipher().decrypt(row.verifier, context=f"oauth:{row.state_hash}") if row.verifier else None
        session.expunge(row)
    return row, verifier


def finish(session: Session, installation: Installation, app: OAuthApp, *, agent_id: str, args: Mapping[str, Any]
           ) -> Connected:
    """Check the callback, exchange the code once, store the tokens and run the vendor's `connected` hook.

    Any refusal leaves nothing stored (the caller rolls back); the state is used up either way.

    :raise OAuthRefused: with a message for the admin.
    """
    row, verifier = claim_state(app, str(args.get("state") or ""), installation_id=installation.id,
                                agent_id=agent_id)
    if args.get("error"):
        raise refuse("consent_denied", app)
    if not args.get("code"):
        raise refuse("missing_code", app)
    tokens_endpoint = endpoint(app, row.account)
    try:
        body = tokens_endpoint.exchange(str(args["code"]), redirect_uri(app.vendor), verifier)
    except GrantRefused:
        raise refuse("code_refused", app) from None
    except ProviderError:
        raise refuse("vendor_unreachable", app) from None
    tokens = Tokens.from_grant(body, clock.now())
    CredentialStore(session, installation.id).set(app.credential, tokens.dumps())
    try:
        result = app.connected(session, installation, tokens)
    except Exception:
        tokens_endpoint.revoke(tokens.access_token)  # the grant is not kept, so it should not stay alive either
        raise
    log.info("oauth.connected", extra={"fields": {"vendor": app.vendor, "installation_id": installation.id}})
    return result


def tokens(session: Session, installation_id: str, app: OAuthApp) -> Tokens | None:
    """The stored tokens, or None when the installation is not connected to the vendor by OAuth."""
    stored = CredentialStore(session, installation_id).get(app.credential)
    return Tokens.loads(stored) if stored else None


def access_token(session: Session, installation_id: str, app: OAuthApp) -> str:
    """A live access token, refreshed first when it is about to expire.

    :raise ReconnectNeeded: not connected, or the vendor refused the refresh token.
    """
    current = tokens(session, installation_id, app)
    if current is None:
        raise ReconnectNeeded(f"{app.display_name} is not connected.", provider=app.vendor)
    if not current.due(clock.now()):
        return current.access_token
    return _refreshed(installation_id, app, current).access_token


def _refreshed(installation_id: str, app: OAuthApp, current: Tokens) -> Tokens:
    if not current.refresh_token:
        raise ReconnectNeeded(f"{app.display_name}'s authorization expired; an admin needs to connect it again.",
                              provider=app.vendor)
    with get_db().tenant(installation_id, immediate=True) as writer:
        serialise(writer, f"oauth:{installation_id}:{app.vendor}")  # one refresh at a time: the token rotates
        stored = tokens(writer, installation_id, app)
        if stored is not None and stored.access_token != current.access_token and not stored.due(clock.now()):
            return stored  # another worker refreshed while this one waited for the lock
        latest = stored or current
        try:
            body = endpoint(app, _account_of(writer, installation_id, app)).refresh(latest.refresh_token)
        except GrantRefused:
            log.warning("oauth.refresh_refused", extra={"fields": {"vendor": app.vendor,
                                                                    "installation_id": installation_id}})
            raise ReconnectNeeded(f"{app.display_name} no longer accepts Valuedesk's authorization; an admin needs "
                                  "to connect it again in the console.", provider=app.vendor) from None
        fresh = Tokens.from_grant(body, clock.now(), previous=latest)
        CredentialStore(writer, installation_id).set(app.credential, fresh.dumps())
    return fresh


def _account_of(session: Session, installation_id: str, app: OAuthApp) -> str:
    installation = session.get(Installation, installation_id)
    return app.account(installation) if installation else ""


def revoke(session: Session, installation: Installation, app: OAuthApp) -> list[str]:
    """Delete what the service created at the vendor, revoke the grant there, and forget the tokens.

    Each step is best effort: a vendor that cannot be reached does not keep the credentials here.
    """
    done: list[str] = []
    current = tokens(session, installation.id, app)
    if current is None:
        return done
    if app.disconnecting is not None:
        try:
            done.extend(app.disconnecting(session, installation))
        except ProviderError as exc:
            done.append(f"could not remove what Valuedesk created in {app.display_name}: {exc.message}")
    try:
        token_endpoint = endpoint(app, app.account(installation))
        if token_endpoint.revoke_url and token_endpoint.revoke(current.access_token):
            done.append(f"{app.display_name} authorization revoked")
        elif not token_endpoint.revoke_url:
            done.append(f"{app.display_name} has no revocation endpoint; remove Valuedesk under its connected apps")
    except (ProviderError, Conflict) as exc:
        done.append(f"could not revoke at {app.display_name}: {exc.message}")
    CredentialStore(session, installation.id).delete(app.credential)
    done.append(f"credential {app.credential} deleted")
    return done


def purge_states(session: Session) -> int:
    """Delete states older than a day (system session)."""
    old = list(session.scalars(select(OAuthState).where(OAuthState.created_at < clock.now() - timedelta(days=1))))
    for row in old:
        session.delete(row)
    return len(old)


# Last, so that a vendor module that builds its OAuthApp (loaded with the providers package) finds this module complete.
from adapter.providers import endpoints  # noqa: E402
from adapter.providers.oauth_client import GrantRefused  # noqa: E402
from adapter.providers.oauth_client import TokenEndpoint  # noqa: E402
