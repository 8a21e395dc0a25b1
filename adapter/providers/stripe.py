"""Stripe: the billing client over stripe-python's StripeClient, and Stripe webhook verification and parsing.

Refunds: https://docs.stripe.com/api/refunds/create
Idempotency: https://docs.stripe.com/api/idempotent_requests
Coupons and promotion codes: https://docs.stripe.com/api/coupons/create, https://docs.stripe.com/api/promotion_codes/create
Customer balance: https://docs.stripe.com/api/customer_balance_transactions/create
Webhook signatures: https://docs.stripe.com/webhooks#verify-manually
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import requests
import stripe

from adapter.errors import AuthError
from adapter.errors import MalformedDelivery
from adapter.errors import NotFound
from adapter.errors import RateLimited
from adapter.errors import Rejected
from adapter.errors import SignatureError
from adapter.errors import Unavailable
from adapter.events import RefundUpdated
from adapter.providers import egress
from adapter.providers.base import ACTION_METADATA
from adapter.providers.base import BillingCustomer
from adapter.providers.base import Charge
from adapter.providers.base import Credit
from adapter.providers.base import Delivery
from adapter.providers.base import Promotion
from adapter.providers.base import Refund
from adapter.providers.vendor import BILLING
from adapter.providers.vendor import Vendor
from adapter.security import within_window

NAME = "stripe"
API_KEY_CREDENTIAL = "stripe_api_key"
SECRET_CREDENTIAL = "stripe_webhook_secret"
SIGNATURE_HEADER = "Stripe-Signature"
STORED_HEADERS = ("Content-Type", SIGNATURE_HEADER)
TOLERANCE = timedelta(seconds=300)
# stripe-python's StripeClient makes no retries unless asked; these cover connection errors, 409 and 5xx,
# always with the same idempotency key.
NETWORK_RETRIES = 2

EVENT_TYPES = ("refund.updated", "refund.failed", "charge.refund.updated")
IGNORED_EVENT_TYPES = ("refund.created", "charge.refunded", "coupon.created", "promotion_code.created",
                       "customer.balance_transaction.created")


class Client:
    """The Billing contract over Stripe, with a restricted key of one installation."""

    name = NAME

    def __init__(self, api_key: str, *, network_retries: int | None = None):
        retries = NETWORK_RETRIES if network_retries is None else network_retries
        # The requests-based client, so every call goes through `requests` (and `responses` in tests), on a session
        # that connects to public addresses only, like every other vendor client.
        session = requests.Session()
        egress.mount(session)
        self.stripe = stripe.StripeClient(api_key, max_network_retries=retries,
                                          http_client=stripe.RequestsClient(session=session))

    def find_customers(self, email: str) -> list[BillingCustomer]:
        """Customers whose email equals `email`, ignoring case."""
        wanted = email.strip().lower()
        found: dict[str, BillingCustomer] = {}
        # Stripe's email filter is case-sensitive, so ask for the address as written and in lower case.
        for variant in dict.fromkeys((email.strip(), wanted)):
            page = _call(self.stripe.v1.customers.list, params={"email": variant, "limit": 20})
            for raw in page.get("data", []):
                if (raw.get("email") or "").lower() == wanted:
                    found[raw["id"]] = _customer(raw)
        return sorted(found.values(), key=lambda c: c.created_at or datetime.min.replace(tzinfo=UTC), reverse=True)

    def get_customer(self, customer_id: str) -> BillingCustomer:
        """One customer by id."""
        raw = _call(self.stripe.v1.customers.retrieve, customer_id)
        if raw.get("deleted"):
            raise NotFound(f"Stripe customer {customer_id} was deleted.", provider=NAME)
        return _customer(raw)

    def list_charges(self, customer_id: str, limit: int = 10) -> list[Charge]:
        """The customer's most recent charges, newest first."""
        page = _call(self.stripe.v1.charges.list, params={"customer": customer_id, "limit": limit})
        return [_charge(raw) for raw in page.get("data", [])]

    def get_charge(self, charge_id: str) -> Charge:
        """One charge, with what has been refunded so far."""
        return _charge(_call(self.stripe.v1.charges.retrieve, charge_id))

    def refund(self, charge: Charge, amount: int, *, reason: str, metadata: dict[str, str],
               idempotency_key: str) -> Refund:
        """Refund `amount` minor units of the charge; the same key never refunds twice."""
        params = {"charge": charge.id, "amount": amount, "reason": reason, "metadata": metadata}
        raw = _call(self.stripe.v1.refunds.create, params=params, options={"idempotency_key": idempotency_key})
        return _refund(raw)

    def list_refunds(self, charge_id: str) -> list[Refund]:
        """Refunds already made on a charge (to reconcile an action whose result we never stored)."""
        page = _call(self.stripe.v1.refunds.list, params={"charge": charge_id, "limit": 100})
        return [_refund(raw) for raw in page.get("data", [])]

    def create_promotion(self, customer_id: str, *, code: str, percent_off: int | None, amount_off: int | None,
                         currency: str | None, expires_at: datetime, metadata: dict[str, str],
                         idempotency_key: str) -> Promotion:
        """A single-use coupon and a promotion code only this customer can redeem, once."""
        discount: dict[str, Any] = {"percent_off": percent_off} if percent_off else \
            {"amount_off": amount_off, "currency": currency}
        expires = int(expires_at.timestamp())
        coupon = _call(self.stripe.v1.coupons.create,
                       params={**discount, "duration": "once", "max_redemptions": 1, "redeem_by": expires,
                               "name": f"Valuedesk {code}"[:40], "metadata": metadata},
                       options={"idempotency_key": f"{idempotency_key}:coupon"})
        # API 2025-09-30 and later nest the coupon under `promotion` (stripe-python 13+).
        promotion = _call(self.stripe.v1.promotion_codes.create,
                          params={"promotion": {"type": "coupon", "coupon": coupon["id"]}, "code": code,
                                  "customer": customer_id, "max_redemptions": 1, "expires_at": expires,
                                  "metadata": metadata},
                          options={"idempotency_key": f"{idempotency_key}:promotion_code"})
        return Promotion(coupon_id=coupon["id"], promotion_code_id=promotion["id"], code=promotion.get("code") or code,
                         expires_at=_time(promotion.get("expires_at")))

    def credit_balance(self, customer_id: str, amount: int, currency: str, *, description: str,
                       metadata: dict[str, str], idempotency_key: str) -> Credit:
        """Credit the customer's balance; Stripe records a credit as a negative amount."""
        raw = _call(self.stripe.v1.customers.balance_transactions.create, customer_id,
                    params={"amount": -amount, "currency": currency, "description": description[:350],
                            "metadata": metadata},
                    options={"idempotency_key": idempotency_key})
        return Credit(id=raw["id"], amount=-int(raw["amount"]), currency=raw["currency"])

    def check_key(self) -> None:
        """Make one cheap read so a wrong or under-privileged key is caught when it is saved."""
        _call(self.stripe.v1.customers.list, params={"limit": 1})


def client_for(installation, credentials) -> Client:
    """A Client from the installation's stored restricted key.

    :raise AuthError: when Stripe is not connected.
    """
    key = credentials.get(API_KEY_CREDENTIAL)
    if not key:
        raise AuthError("Stripe is not connected for this installation; an admin can connect it with "
                        "`valuedesk billing connect`.", provider=NAME)
    return Client(key)


def _call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call stripe-python, return plain dicts, and map its errors onto ours with a message an agent can act on."""
    try:
        return method(*args, **kwargs).to_dict()
    except stripe.CardError as exc:
        raise Rejected(f"The card network declined this: {_message(exc)}", provider=NAME, http_status=402) from None
    except stripe.IdempotencyError as exc:
        raise Rejected(f"Stripe refused a changed retry of an earlier request: {_message(exc)}", provider=NAME,
                       http_status=exc.http_status) from None
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            raise NotFound(f"Stripe has no such object: {_message(exc)}", provider=NAME, http_status=404) from None
        raise Rejected(f"Stripe refused the request: {_message(exc)}", provider=NAME,
                       http_status=exc.http_status) from None
    except stripe.AuthenticationError:
        raise AuthError("Stripe refused the API key; an admin should connect a new restricted key.",
                        provider=NAME, http_status=401) from None
    except stripe.PermissionError as exc:
        raise AuthError(f"The Stripe key lacks a permission this needs ({_message(exc)}); see README, "
                        "\"Refunds and coupons\".", provider=NAME, http_status=403) from None
    except stripe.RateLimitError:
        raise RateLimited("Stripe is rate limiting us; try again in a moment.", retry_after=5.0, provider=NAME,
                          http_status=429) from None
    except stripe.APIConnectionError:
        raise Unavailable("Stripe could not be reached.", provider=NAME, retry_after=30.0) from None
    except stripe.StripeError as exc:
        raise Unavailable(f"Stripe had a problem ({exc.http_status or 'no status'}): {_message(exc)}",
                          provider=NAME, http_status=exc.http_status, retry_after=30.0) from None


def _message(exc: stripe.StripeError) -> str:
    return (exc.user_message or getattr(exc, "_message", None) or str(exc) or type(exc).__name__)[:200]


def _time(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def _customer(raw) -> BillingCustomer:
    return BillingCustomer(id=raw["id"], email=raw.get("email"), name=raw.get("name"),
                           created_at=_time(raw.get("created")))


def _charge(raw) -> Charge:
    return Charge(id=raw["id"], customer_id=raw.get("customer"), amount=int(raw["amount"]),
                  amount_refunded=int(raw.get("amount_refunded") or 0), currency=raw["currency"],
                  created_at=_time(raw.get("created")), description=raw.get("description"),
                  status=raw.get("status") or "unknown", payment_intent=raw.get("payment_intent"))


def _refund(raw) -> Refund:
    metadata = raw.get("metadata") or {}
    return Refund(id=raw["id"], charge_id=raw.get("charge"), amount=int(raw["amount"]), currency=raw["currency"],
                  status=raw.get("status") or "pending", failure_reason=raw.get("failure_reason"),
                  action_ref=metadata.get(ACTION_METADATA))


# Webhooks


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The Stripe-Signature header Stripe would send for this body (for tests and local tools)."""
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode('utf-8')}", secret)
    return f"t={timestamp},v1={signature}"


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """Check Stripe-Signature over the raw body and the 300-second window.

    :raise SignatureError: on a missing, wrong or stale signature.
    """
    header = headers.get(SIGNATURE_HEADER)
    if not header:
        raise SignatureError(f"Missing {SIGNATURE_HEADER} header.")
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance=None)
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        raise SignatureError("Stripe-Signature does not match the body.") from None
    stamps = [part[2:] for part in header.split(",") if part.startswith("t=")]
    if not stamps or not stamps[0].isdigit():
        raise SignatureError("Stripe-Signature carries no timestamp.")
    # stripe-python only rejects old timestamps; a clock far in the future is as suspicious.
    if not within_window(datetime.fromtimestamp(int(stamps[0]), UTC), now, TOLERANCE):
        raise SignatureError("Delivery timestamp is outside the 5-minute window.")


def describe(headers: Mapping[str, str], payload: dict) -> Delivery:
    """Delivery id (the event id, which Stripe keeps across retries) and event type."""
    event_id, event_type = payload.get("id"), payload.get("type")
    if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str):
        raise MalformedDelivery("A Stripe event needs its id and type.")
    return Delivery(delivery_id=event_id, event_type=event_type)


def parse_event(installation_id: str, payload: dict, headers: Mapping[str, str] | None = None) -> RefundUpdated | None:
    """The domain event of a stored Stripe delivery."""
    if payload.get("type") not in EVENT_TYPES:
        return None
    refund = (payload.get("data") or {}).get("object") or {}
    if refund.get("object") != "refund" or not refund.get("id"):
        return None
    return RefundUpdated(installation_id=installation_id, refund_id=refund["id"], status=refund.get("status") or "",
                         action_ref=(refund.get("metadata") or {}).get(ACTION_METADATA),
                         failure_reason=refund.get("failure_reason"))



VENDOR = Vendor(name=NAME, display_name="Stripe", role=BILLING, webhooks=sys.modules[__name__],
                secret_credential=SECRET_CREDENTIAL,
                credentials={"api_key": API_KEY_CREDENTIAL, "webhook_secret": SECRET_CREDENTIAL}, client_for=client_for)
