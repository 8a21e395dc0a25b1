"""Zendesk signed app URLs: the ZAF JWT posted with the sidebar's first page load."""

from __future__ import annotations

import re
from dataclasses import dataclass

import jwt

from adapter.errors import SignatureError


@dataclass(frozen=True)
class AppContext:
    """What a verified ZAF JWT tells us."""

    subdomain: str
    user_id: str | None
    claims: dict
    app_installation_id: str | None = None  # the app installation the token's audience names


def unverified_subdomain(token: str) -> str | None:
    """The subdomain a ZAF JWT claims to come from, read before verification to pick the key."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    issuer = str(claims.get("iss") or "")
    match = re.fullmatch(r"(?:https://)?([a-z0-9][a-z0-9-]*)\.zendesk\.com/?", issuer)
    return match.group(1) if match else None


def verify_app_token(
    token: str, public_key_pem: str, subdomain: str, *, app_installation_id: str | None = None
) -> AppContext:
    """Verify a ZAF signed-URL JWT: RS256 with the app's key, exp/nbf, issuer and audience.

    :raise SignatureError: for anything that does not check out.
    """
    try:
        claims = jwt.decode(
            token,
            public_key_pem,
            algorithms=["RS256"],
            options={"require": ["exp", "iss"], "verify_aud": False},
            leeway=10,
        )
    except jwt.ExpiredSignatureError:
        raise SignatureError("The Zendesk app token has expired; reopen the ticket.") from None
    except jwt.PyJWTError as exc:
        raise SignatureError(f"The Zendesk app token is not valid ({type(exc).__name__}).") from None
    if str(claims.get("iss")).removeprefix("https://").rstrip("/") != f"{subdomain}.zendesk.com":
        raise SignatureError("The Zendesk app token was issued for another account.")
    # The exact aud string is not documented with certainty; observed tokens carry the app installation's API
    # address. Match it whole (a prefix or substring would let installation 5550 pass where 555 is expected), and
    # the installation number exactly once we know it.
    audiences = claims.get("aud") or []
    audiences = [audiences] if isinstance(audiences, str) else list(audiences)
    installations = [match.group(1) for match in (_audience(subdomain).fullmatch(str(a)) for a in audiences) if match]
    if not installations:
        raise SignatureError("The Zendesk app token is meant for another audience.")
    if app_installation_id and app_installation_id not in installations:
        raise SignatureError("The Zendesk app token belongs to another app installation.")
    return AppContext(subdomain=subdomain, user_id=_user_id_from_sub(claims.get("sub")), claims=claims,
                      app_installation_id=installations[0])


def _audience(subdomain: str) -> re.Pattern:
    return re.compile(rf"https://{re.escape(subdomain)}\.zendesk\.com/api/v2/apps/installations/(\d+)(?:\.json)?")


def _user_id_from_sub(sub) -> str | None:
    match = re.search(r"(\d+)(?:\.json)?$", str(sub or ""))
    return match.group(1) if match else None
