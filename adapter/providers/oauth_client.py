"""The HTTP half of OAuth 2.0: exchange a code, refresh a token and revoke it at a vendor's token endpoints."""

from __future__ import annotations

from typing import Any

from adapter.errors import AuthError
from adapter.errors import NotFound
from adapter.errors import ProviderError
from adapter.providers.base import HttpApi


class GrantRefused(AuthError):
    """The vendor refused the code or refresh token (used, expired, revoked, or for another client)."""


class TokenEndpoint:
    """A vendor's token and revocation endpoints, called with the operator's OAuth client."""

    def __init__(self, vendor: str, token_url: str, client: tuple[str, str], *, revoke_url: str | None = None,
                 json_body: bool = False, revoke_with_bearer: str | None = None):
        self.vendor = vendor
        self.token_url = token_url
        self.revoke_url = revoke_url
        self.client_id, self.client_secret = client
        self.json_body = json_body  # Atlassian's examples send JSON; the others take a form
        # Zendesk revokes with the token itself (DELETE .../oauth/tokens/current.json); the method, or None for RFC 7009
        self.revoke_with_bearer = revoke_with_bearer
        self.http = HttpApi(vendor, token_url)

    def _post(self, url: str, values: dict[str, str]) -> Any:
        body = {**values, "client_id": self.client_id, "client_secret": self.client_secret}
        try:
            return self.http.json("POST", url, **({"json": body} if self.json_body else {"data": body}))
        except ProviderError as exc:
            # RFC 6749 §5.2: a refused grant is a 400 (some vendors say 401) with error=invalid_grant.
            response = self.http.last_response
            error = _error_code(response) if response is not None else ""
            if error in ("invalid_grant", "invalid_request", "unauthorized_client") or (
                    response is not None and response.status_code in (400, 401)):
                raise GrantRefused(f"{self.vendor} refused the authorization ({error or exc.message}).",
                                   provider=self.vendor) from None
            raise

    def exchange(self, code: str, redirect_uri: str, verifier: str | None) -> dict:
        """Trade an authorization code for tokens (RFC 6749 §4.1.3, with the PKCE verifier when one was sent)."""
        values = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if verifier:
            values["code_verifier"] = verifier
        return _token_body(self.vendor, self._post(self.token_url, values))

    def refresh(self, refresh_token: str) -> dict:
        """New tokens for a refresh token (which some vendors rotate: the old one then stops working)."""
        return _token_body(self.vendor, self._post(self.token_url, {"grant_type": "refresh_token",
                                                                    "refresh_token": refresh_token}))

    def revoke(self, token: str) -> bool:
        """Revoke a token (RFC 7009) where the vendor has an endpoint; False when it has none or it was already gone."""
        if not self.revoke_url:
            return False
        try:
            if self.revoke_with_bearer:
                self.http.request(self.revoke_with_bearer, self.revoke_url, headers={"Authorization": f"Bearer {token}"})
            else:
                self._post(self.revoke_url, {"token": token})
        except (AuthError, NotFound):  # already revoked or gone
            return False
        return True


def _error_code(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error") or "") if isinstance(body, dict) else ""


def _token_body(vendor: str, body: Any) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise ProviderError(f"{vendor} answered the token request without an access token.", provider=vendor)
    return body
