"""The sandbox billing account of the playground: fake customers and charges in our own database, never real money.

It implements the same Billing contract as Stripe, idempotency keys included, so `make run` shows the
whole refund and coupon flow without a Stripe key. `billing_client` never offers it to a real installation.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.db import get_db
from adapter.errors import NotFound
from adapter.errors import Rejected
from adapter.models import SandboxBillingObject
from adapter.providers.base import ACTION_METADATA
from adapter.providers.base import BillingCustomer
from adapter.providers.base import Charge
from adapter.providers.base import Credit
from adapter.providers.base import Promotion
from adapter.providers.base import Refund
from adapter.providers.vendor import BILLING
from adapter.providers.vendor import Vendor

NAME = "sandbox"

# (customer id, name, email, [(charge id, days ago, amount in minor units, currency, description, status)])
CUSTOMERS = (
    ("cus_sbx_elena", "Elena Petrova", "elena@petrova-design.example", [
        ("ch_sbx_elena_dup", 20, 4_900, "usd", "Ledgerly Pro, monthly (duplicate)", "succeeded"),
        ("ch_sbx_elena_month", 20, 4_900, "usd", "Ledgerly Pro, monthly", "succeeded"),
        ("ch_sbx_elena_last_month", 51, 4_900, "usd", "Ledgerly Pro, monthly", "succeeded"),
    ]),
    ("cus_sbx_dana", "Northwind Traders", "dana@northwind.example", [
        ("ch_sbx_dana_year", 40, 118_800, "usd", "Ledgerly Business, annual", "succeeded"),
        ("ch_sbx_dana_seats", 9, 3_600, "usd", "3 extra seats, prorated", "succeeded"),
    ]),
    # A second record with the same address in another case: the agent picks the right one.
    ("cus_sbx_dana_old", "Dana Whitfield (trial account)", "Dana@Northwind.example", [
        ("ch_sbx_dana_trial", 400, 1_900, "usd", "Ledgerly Starter, monthly", "succeeded"),
    ]),
    ("cus_sbx_marcus", "Brightline Studio", "marcus@brightline.example", [
        ("ch_sbx_marcus_jan", 12, 4_800, "jpy", "Ledgerly Studio, monthly (Tokyo office)", "succeeded"),
        ("ch_sbx_marcus_fail", 3, 4_800, "jpy", "Ledgerly Studio, monthly (card declined)", "failed"),
    ]),
    ("cus_sbx_tom", "Hallo GmbH", "tom.becker@hallo-gmbh.example", [
        ("ch_sbx_tom_api", 6, 2_900, "eur", "Ledgerly API add-on, monthly", "succeeded"),
    ]),
    ("cus_sbx_aisha", "Greenleaf Co-op", "aisha@greenleaf.example", [
        ("ch_sbx_aisha", 15, 1_200, "gbp", "Ledgerly Basic, monthly", "succeeded"),
    ]),
)


def seed(session: Session, now: datetime | None = None) -> int:
    """Create the sandbox customers and charges that do not exist yet; returns how many objects were added."""
    now = now or clock.now()
    existing = set(session.scalars(select(SandboxBillingObject.object_id)))
    added = 0
    for customer_id, name, email, charges in CUSTOMERS:
        objects = [("customer", customer_id, {"name": name, "email": email,
                                              "created": (now - timedelta(days=500)).isoformat()})]
        objects += [("charge", charge_id, {"customer": customer_id, "amount": amount, "amount_refunded": 0,
                                           "currency": currency, "description": description, "status": status,
                                           "created": (now - timedelta(days=days_ago)).isoformat()})
                    for charge_id, days_ago, amount, currency, description, status in charges]
        for kind, object_id, data in objects:
            if object_id not in existing:
                session.add(SandboxBillingObject(kind=kind, object_id=object_id, data=data))
                added += 1
    session.flush()
    return added


class Client:
    """The Billing contract over the sandbox tables; writes commit on their own, like a remote system's."""

    name = NAME

    def __init__(self, installation_id: str):
        self.installation_id = installation_id

    def _read(self, kind: str, object_id: str) -> dict:
        with get_db().tenant(self.installation_id) as session:
            row = session.scalar(select(SandboxBillingObject).where(SandboxBillingObject.kind == kind,
                                                                    SandboxBillingObject.object_id == object_id))
            if row is None:
                raise NotFound(f"The sandbox has no {kind} {object_id}.", provider=NAME, http_status=404)
            return dict(row.data)

    def _all(self, kind: str) -> list[tuple[str, dict]]:
        with get_db().tenant(self.installation_id) as session:
            rows = session.scalars(select(SandboxBillingObject).where(SandboxBillingObject.kind == kind)
                                   .order_by(SandboxBillingObject.id))
            return [(row.object_id, dict(row.data)) for row in rows]

    def find_customers(self, email: str) -> list[BillingCustomer]:
        """Customers whose email equals `email`, ignoring case."""
        wanted = email.strip().lower()
        return [_customer(object_id, data) for object_id, data in self._all("customer")
                if data["email"].lower() == wanted]

    def get_customer(self, customer_id: str) -> BillingCustomer:
        """One customer by id."""
        return _customer(customer_id, self._read("customer", customer_id))

    def list_charges(self, customer_id: str, limit: int = 10) -> list[Charge]:
        """The customer's charges, newest first."""
        charges = [_charge(object_id, data) for object_id, data in self._all("charge") if data["customer"] == customer_id]
        return sorted(charges, key=lambda c: c.created_at, reverse=True)[:limit]

    def get_charge(self, charge_id: str) -> Charge:
        """One charge, with what has been refunded so far."""
        return _charge(charge_id, self._read("charge", charge_id))

    def refund(self, charge: Charge, amount: int, *, reason: str, metadata: dict[str, str],
               idempotency_key: str) -> Refund:
        """Refund part or all of a charge; a repeated key returns the first refund, as Stripe does."""
        request = {"charge": charge.id, "amount": amount, "reason": reason}
        with get_db().tenant(self.installation_id, immediate=True) as session:
            replay = _replay(session, idempotency_key, request)
            if replay is not None:
                return _refund(replay.object_id, replay.data)
            row = session.scalar(select(SandboxBillingObject).where(SandboxBillingObject.kind == "charge",
                                                                    SandboxBillingObject.object_id == charge.id))
            if row is None:
                raise NotFound(f"The sandbox has no charge {charge.id}.", provider=NAME, http_status=404)
            left = row.data["amount"] - row.data["amount_refunded"]
            if amount > left:
                raise Rejected(f"Refund amount ({amount}) is greater than what is left on the charge ({left}).",
                               provider=NAME, http_status=400)
            row.data = {**row.data, "amount_refunded": row.data["amount_refunded"] + amount}
            data = {**request, "currency": row.data["currency"], "status": "succeeded", "metadata": metadata,
                    "request": request}
            return _refund(_store(session, "refund", "re_sbx_", idempotency_key, data).object_id, data)

    def list_refunds(self, charge_id: str) -> list[Refund]:
        """Refunds made on a charge."""
        return [_refund(object_id, data) for object_id, data in self._all("refund") if data["charge"] == charge_id]

    def create_promotion(self, customer_id: str, *, code: str, percent_off: int | None, amount_off: int | None,
                         currency: str | None, expires_at: datetime, metadata: dict[str, str],
                         idempotency_key: str) -> Promotion:
        """A single-use promotion code for one customer."""
        request = {"customer": customer_id, "code": code, "percent_off": percent_off, "amount_off": amount_off,
                   "currency": currency, "expires_at": expires_at.isoformat()}
        with get_db().tenant(self.installation_id, immediate=True) as session:
            row = _replay(session, idempotency_key, request) or \
                _store(session, "promotion_code", "promo_sbx_", idempotency_key, {**request, "request": request,
                                                                                   "metadata": metadata})
            return Promotion(coupon_id="coupon_" + row.object_id, promotion_code_id=row.object_id, code=code,
                             expires_at=expires_at)

    def credit_balance(self, customer_id: str, amount: int, currency: str, *, description: str,
                       metadata: dict[str, str], idempotency_key: str) -> Credit:
        """A credit on the customer's balance."""
        request = {"customer": customer_id, "amount": -amount, "currency": currency}
        with get_db().tenant(self.installation_id, immediate=True) as session:
            row = _replay(session, idempotency_key, request) or \
                _store(session, "balance_transaction", "cbtxn_sbx_", idempotency_key,
                       {**request, "request": request, "description": description, "metadata": metadata})
            return Credit(id=row.object_id, amount=amount, currency=currency)


def _replay(session: Session, key: str, request: dict) -> SandboxBillingObject | None:
    row = session.scalar(select(SandboxBillingObject).where(SandboxBillingObject.idempotency_key == key))
    if row is not None and row.data.get("request") != request:
        raise Rejected("Keys for idempotent requests can only be used with the same parameters they were first "
                       "used with.", provider=NAME, http_status=400)
    return row


def _store(session: Session, kind: str, prefix: str, key: str, data: dict) -> SandboxBillingObject:
    row = SandboxBillingObject(kind=kind, object_id=prefix + secrets.token_hex(8), idempotency_key=key, data=data)
    session.add(row)
    session.flush()
    return row


def _customer(object_id: str, data: dict) -> BillingCustomer:
    return BillingCustomer(id=object_id, email=data["email"], name=data["name"],
                           created_at=datetime.fromisoformat(data["created"]))


def _charge(object_id: str, data: dict) -> Charge:
    return Charge(id=object_id, customer_id=data["customer"], amount=data["amount"],
                  amount_refunded=data["amount_refunded"], currency=data["currency"],
                  created_at=datetime.fromisoformat(data["created"]), description=data["description"],
                  status=data["status"])


def _refund(object_id: str, data: dict) -> Refund:
    return Refund(id=object_id, charge_id=data["charge"], amount=data["amount"], currency=data["currency"],
                  status=data["status"], action_ref=(data.get("metadata") or {}).get(ACTION_METADATA))


def client_from(installation, credentials) -> Client | None:
    """The sandbox billing account, when the playground is on."""
    return Client(installation.id) if current_app.config["VALUEDESK"].playground else None


VENDOR = Vendor(name=NAME, display_name="sandbox billing account", role=BILLING, client_for=client_from, builtin=True)
