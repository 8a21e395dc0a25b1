"""Atlassian's OAuth 2.0 (3LO) surface for Jira: the sites a grant reaches, their projects, and dynamic webhooks.

3LO: https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/ (no PKCE in the documented flow, no token
revocation endpoint: a person removes the app under their Atlassian account's connected apps).
Dynamic webhooks: https://developer.atlassian.com/cloud/jira/platform/webhooks/ and the REST v3 "webhooks" group
(registered per app and site, expire after 30 days unless refreshed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from urllib.parse import quote

import jwt
import requests

from adapter.errors import Rejected
from adapter.errors import SignatureError
from adapter.providers import endpoints
from adapter.providers.base import HttpApi

NAME = "jira"
AUTH_ORIGIN = "https://auth.atlassian.com"
API_ORIGIN = "https://api.atlassian.com"
# Classic scopes: issues, comments and remote links (jira-work), who we are (jira-user), webhooks, refresh tokens.
SCOPES = ("read:jira-work", "write:jira-work", "read:jira-user", "manage:jira-webhook", "offline_access")
WEBHOOK_SCOPE = "manage:jira-webhook"
WEBHOOK_EVENTS = ("jira:issue_updated", "jira:issue_deleted")
PROJECTS_SHOWN = 100


def auth_url(path: str) -> str:
    """An address on Atlassian's authorization server (or the fake that plays it)."""
    return endpoints.origin(NAME, AUTH_ORIGIN) + path


def api_root() -> str:
    """Atlassian's API gateway (or the fake that plays it)."""
    return endpoints.origin(NAME, API_ORIGIN)


def rest_base(cloud_id: str) -> str:
    """Jira's REST v3 on one site, through the gateway."""
    return f"{api_root()}/ex/jira/{quote(cloud_id, safe='')}/rest/api/3"


class Bearer(requests.auth.AuthBase):
    """`Authorization: Bearer` with a token asked for at each request (so a refresh between calls is picked up)."""

    def __init__(self, token: Callable[[], str]):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token()}"
        return request


@dataclass(frozen=True)
class Site:
    """A Jira site the grant reaches."""

    cloud_id: str
    name: str
    url: str
    scopes: tuple[str, ...]

    @property
    def can_manage_webhooks(self) -> bool:
        """Whether the admin granted webhook management on this site."""
        return WEBHOOK_SCOPE in self.scopes


def jira_sites(token: Callable[[], str]) -> list[Site]:
    """The Jira sites this grant reaches (accessible resources that carry Jira scopes), in Atlassian's order."""
    found = HttpApi(NAME, api_root(), auth=Bearer(token)).json("GET", "oauth/token/accessible-resources")
    sites = []
    for raw in found if isinstance(found, list) else []:
        scopes = tuple(str(scope) for scope in raw.get("scopes") or [])
        if raw.get("id") and raw.get("url") and any("jira" in scope for scope in scopes):
            sites.append(Site(cloud_id=str(raw["id"]), name=str(raw.get("name") or raw["url"]), url=str(raw["url"]),
                              scopes=scopes))
    return sites


class SiteApi:
    """Project look-ups and dynamic webhooks on one site, with the app's grant."""

    def __init__(self, cloud_id: str, token: Callable[[], str]):
        self.api = HttpApi(NAME, rest_base(cloud_id), auth=Bearer(token))

    def projects(self) -> list[dict]:
        """The projects the grant can see: [{key, name}], by name (the first PROJECTS_SHOWN)."""
        found = self.api.json("GET", "project/search", params={"maxResults": PROJECTS_SHOWN, "orderBy": "name"})
        return [{"key": str(p["key"]), "name": str(p.get("name") or p["key"])}
                for p in (found or {}).get("values") or [] if p.get("key")]

    def project(self, key: str) -> dict:
        """One project by key.

        :raise NotFound: no such project (or the grant cannot see it).
        """
        found = self.api.json("GET", f"project/{quote(key, safe='')}")
        return {"key": str(found.get("key") or key), "name": str(found.get("name") or key)}

    def register_webhook(self, url: str, project: str) -> int:
        """Register one webhook for issue updates and deletions in the project; its id.

        :raise Rejected: Jira refused it (with its reason).
        """
        body = {"url": url, "webhooks": [{"events": list(WEBHOOK_EVENTS), "jqlFilter": f'project = "{project}"'}]}
        found = self.api.json("POST", "webhook", json=body) or {}
        results = found.get("webhookRegistrationResult") or [{}]
        created = results[0].get("createdWebhookId")
        if created is None:
            reasons = "; ".join(str(e) for e in results[0].get("errors") or []) or "no webhook id in the answer"
            raise Rejected(f"Jira did not register the webhook: {reasons}", provider=NAME)
        return int(created)

    def refresh_webhooks(self, ids: list[int]) -> datetime | None:
        """Extend the webhooks' life (another 30 days); their new expiry, when Jira says it."""
        found = self.api.json("PUT", "webhook/refresh", json={"webhookIds": ids}) or {}
        return expiry(found.get("expirationDate"))

    def delete_webhooks(self, ids: list[int]) -> None:
        """Remove the app's webhooks (Jira ignores ids that are not the app's)."""
        self.api.request("DELETE", "webhook", json={"webhookIds": ids})


def expiry(value) -> datetime | None:
    """Jira's expirationDate (ISO "2019-06-01T12:42:30.000+0000" or epoch milliseconds) as an aware UTC datetime."""
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, UTC)
        if isinstance(value, str) and value:
            parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
            return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def verify_bearer(authorization: str, client_secret: str | None) -> None:
    """Check a dynamic webhook's `Authorization: Bearer` JWT against the app's client secret, when one is sent.

    Atlassian documents that OAuth 2.0 apps' webhooks carry such a token but not its claims, so only the signature
    (HS256) and the expiry, when present, are checked.

    :raise SignatureError: a token that is malformed, expired or not signed with the client secret.
    """
    if not authorization.startswith("Bearer ") or not client_secret:
        return
    try:
        jwt.decode(authorization.removeprefix("Bearer ").strip(), client_secret, algorithms=["HS256"],
                   options={"verify_aud": False, "verify_iss": False, "require": []})
    except jwt.PyJWTError:
        raise SignatureError("The webhook's bearer token is not signed with this service's Jira client secret.") from None
