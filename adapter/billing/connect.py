"""Connecting Stripe: the one path the admin API and the CLI both take, with the same checks."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from adapter.credentials import CredentialStore
from adapter.errors import AuthError
from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.models import Installation
from adapter.providers import stripe

KEY_PATTERN = r"^(rk|sk)_(test|live)_[A-Za-z0-9]{10,}$"
KEY_HINT = "That is not a Stripe secret or restricted key (rk_live_…)."
SECRET_PATTERN = r"^whsec_[A-Za-z0-9+/=]{10,}$"
SECRET_HINT = "A webhook signing secret starts with whsec_."


def connect_stripe(session: Session, installation: Installation, api_key: str, webhook_secret: str | None) -> None:
    """Check the key with one read and store it, with the webhook signing secret, encrypted.

    :raise DomainError: InvalidInput for a malformed key or secret or one Stripe refuses, Conflict for the playground.
    :raise ProviderError: when Stripe cannot be reached; nothing is stored then.
    """
    if not re.match(KEY_PATTERN, api_key):
        raise InvalidInput(KEY_HINT, code="invalid_stripe_key", fields={"api_key": "rk_live_…"})
    if webhook_secret is not None and not re.match(SECRET_PATTERN, webhook_secret):
        raise InvalidInput(SECRET_HINT, code="invalid_webhook_secret", fields={"webhook_secret": "whsec_…"})
    if installation.kind == "playground":
        raise Conflict("The playground uses the sandbox billing account, never a real Stripe key.", code="sandbox_only")
    try:
        stripe.Client(api_key).check_key()
    except AuthError as exc:  # the admin typed the key: their input, and nothing is stored
        raise InvalidInput(exc.message, code="stripe_key_refused", fields={"api_key": "refused by Stripe"}) from None
    credentials = CredentialStore(session, installation.id)
    credentials.set(stripe.API_KEY_CREDENTIAL, api_key)
    if webhook_secret:
        credentials.set(stripe.SECRET_CREDENTIAL, webhook_secret)
