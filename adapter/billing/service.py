"""Money actions before anything is sent: the ticket's customer, its charges, the policy verdict and the preview row."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.billing import policy as rules
from adapter.billing.money import format_money
from adapter.billing.money import to_minor
from adapter.db import Database
from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.errors import Missing
from adapter.errors import NotFound
from adapter.installations import feature_settings
from adapter.installations import merged_settings
from adapter.installations import store_feature_settings
from adapter.models import BillingAction
from adapter.models import Installation
from adapter.models.billing import new_public_id
from adapter.providers.base import Billing
from adapter.providers.base import BillingCustomer
from adapter.providers.base import Charge
from adapter.providers.base import Helpdesk
from adapter.providers.base import Ticket

PREVIEW_TTL = timedelta(minutes=15)
AGENT_WINDOW = timedelta(hours=24)
COUPON_DEFAULT_DAYS = 30
COUPON_MAX_DAYS = 365
SPENT_STATES = ("confirmed", "executing", "succeeded")
IN_FLIGHT_STATES = ("pending_approval", "confirmed", "executing")
MONEY_OUT = ("refund", "credit")
UNVERIFIED_ALLOWANCE = "*unverified*"


@dataclass(frozen=True)
class Actor:
    """Who acts: the agent previewing or confirming, or the lead approving."""

    id: str
    name: str
    role: str = "agent"
    verified: bool = True

    @property
    def is_lead(self) -> bool:
        """Leads and admins approve requests above an agent's limit, once the helpdesk vouched for who they are."""
        return self.verified and self.role in ("lead", "admin")

    @property
    def allowance(self) -> str:
        """Whose 24-hour allowance this actor spends: their own, or, unverified, the one all unverified sessions share.

        An identity the helpdesk did not vouch for could be anyone's, so it cannot have a daily allowance of its own.
        """
        return self.id if self.verified else UNVERIFIED_ALLOWANCE


@dataclass(frozen=True)
class ActionInput:
    """What the agent asks for; amounts arrive as major-unit strings ("12.50") and become minor units here."""

    kind: str
    ticket_id: str
    customer_id: str
    reason: str
    reason_text: str | None = None
    charge_id: str | None = None
    amount: str | None = None
    currency: str | None = None
    percent_off: int | None = None
    expires_days: int | None = None


@dataclass(frozen=True)
class Preview:
    """A stored preview, and for a refund what would be left to refund after it."""

    action: BillingAction
    remaining_after: int | None = None


def policy_of(installation: Installation) -> rules.BillingPolicy:
    """The installation's refund and coupon policy, with defaults for anything unset."""
    return feature_settings(installation, "billing", rules.BillingPolicy)


# Per-currency limits in minor units, and the coupon counts an agent may give without a lead.
CURRENCY_LIMITS = ("refund_per_ticket", "refund_per_agent_day", "coupon_max_amount", "coupon_value_per_ticket",
                   "coupon_value_per_agent_day")
COUPON_COUNTS = {"coupons_per_ticket": "per ticket", "coupons_per_agent_day": "per agent in 24 hours"}
MAX_COUPON_COUNT = 1000


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def update_policy(installation: Installation, **changes) -> rules.BillingPolicy:
    """Validate and store a new policy.

    :raise DomainError: InvalidInput naming the setting that is wrong.
    """
    current = merged_settings(installation, "billing", rules.BillingPolicy, changes)
    for name in CURRENCY_LIMITS:
        limits = current[name]
        if not isinstance(limits, dict) or any(
                not (isinstance(code, str) and len(code) == 3 and code.isalpha()) or not _whole(value) or value < 0
                for code, value in limits.items()):
            raise InvalidInput(f"{name}: limits are whole minor units (0 or more) per "
                           "three-letter currency, e.g. {\"usd\": 10000} for $100.00.", code="invalid_policy", fields={name: "currency -> minor units"})
        current[name] = {code.lower(): value for code, value in limits.items()}
    if not _whole(current["coupon_max_percent"]) or not 0 <= current["coupon_max_percent"] <= 100:
        raise InvalidInput("The coupon limit is a percentage from 0 to 100.", code="invalid_policy", fields={"coupon_max_percent": "0-100"})
    for name, what in COUPON_COUNTS.items():
        if not _whole(current[name]) or not 0 <= current[name] <= MAX_COUPON_COUNT:
            raise InvalidInput(f"The number of coupons {what} is a whole number from 0 to "
                           f"{MAX_COUPON_COUNT} (0: every coupon needs a lead).", code="invalid_policy", fields={name: f"0-{MAX_COUPON_COUNT}"})
    roles = current["roles"]
    if not isinstance(roles, list | tuple) or not roles or any(role not in rules.ROLES for role in roles):
        raise InvalidInput(f"Roles must be some of {', '.join(rules.ROLES)}.", code="invalid_policy", fields={"roles": "list"})
    current["roles"] = [role for role in rules.ROLES if role in roles]
    if current["above_limit"] not in rules.ABOVE_LIMIT:
        raise InvalidInput("Above the limit, either request_approval or deny.", code="invalid_policy", fields={"above_limit": "request_approval | deny"})
    current["reviewed"] = True
    store_feature_settings(installation, "billing", current)
    return policy_of(installation)


def customers_for(billing: Billing, ticket: Ticket) -> list[BillingCustomer]:
    """Billing customers whose email is the ticket requester's."""
    if not ticket.requester_email:
        return []
    return billing.find_customers(ticket.requester_email)


def ticket_customer(billing: Billing, ticket: Ticket, customer_id: str) -> BillingCustomer:
    """The customer, provided it is this ticket's requester.

    :raise DomainError: Missing when the customer does not exist or belongs to someone else.
    """
    try:
        customer = billing.get_customer(customer_id)
    except NotFound:
        customer = None
    requester = (ticket.requester_email or "").strip().lower()
    if customer is None or not requester or (customer.email or "").strip().lower() != requester:
        raise Missing("That billing customer is not this ticket's requester.", code="unknown_customer")
    return customer


def _charge_of(billing: Billing, customer: BillingCustomer, charge_id: str) -> Charge:
    try:
        charge = billing.get_charge(charge_id)
    except NotFound:
        raise Missing(f"There is no charge {charge_id}.", code="unknown_charge") from None
    if charge.customer_id != customer.id:
        raise Missing("That charge belongs to another customer.", code="unknown_charge")
    return charge


@dataclass(frozen=True)
class Tally:
    """How many actions, and how many minor units, already count against a limit."""

    count: int
    amount: int


def tally(session: Session, kinds: tuple[str, ...], *, currency: str | None = None, ticket_id: str | None = None,
          allowance: str | None = None, since: datetime | None = None, exclude: int | None = None) -> Tally:
    """Actions of `kinds` done or on their way on a ticket, or on one allowance (an agent's own authority).

    What a lead approved does not use up the agent's own daily allowance.
    """
    query = select(func.count(), func.coalesce(func.sum(BillingAction.amount), 0)).where(
        BillingAction.kind.in_(kinds), BillingAction.state.in_(SPENT_STATES))
    if currency is not None:
        query = query.where(BillingAction.currency == currency)
    if ticket_id is not None:
        query = query.where(BillingAction.ticket_id == ticket_id)
    if allowance == UNVERIFIED_ALLOWANCE:
        query = query.where(BillingAction.agent_verified.is_(False), BillingAction.verdict == rules.ALLOW)
    elif allowance is not None:
        query = query.where(BillingAction.agent_id == allowance, BillingAction.agent_verified.is_(True),
                            BillingAction.verdict == rules.ALLOW)
    if since is not None:
        query = query.where(BillingAction.created_at >= since)
    if exclude is not None:
        query = query.where(BillingAction.id != exclude)
    count, amount = session.execute(query).one()
    return Tally(int(count), int(amount))


def spent(session: Session, currency: str, *, ticket_id: str | None = None, allowance: str | None = None,
          since: datetime | None = None, exclude: int | None = None) -> int:
    """Minor units refunded or credited (or on their way) on a ticket or on one allowance."""
    return tally(session, MONEY_OUT, currency=currency, ticket_id=ticket_id, allowance=allowance, since=since,
                 exclude=exclude).amount


def in_flight_on_charge(session: Session, charge_id: str, exclude: int | None = None) -> int:
    """Minor units of refunds on this charge that are approved or awaiting approval but not yet at Stripe."""
    query = select(func.coalesce(func.sum(BillingAction.amount), 0)).where(
        BillingAction.kind == "refund", BillingAction.charge_id == charge_id,
        BillingAction.state.in_(IN_FLIGHT_STATES))
    if exclude is not None:
        query = query.where(BillingAction.id != exclude)
    return int(session.scalar(query))


def verdict_for(session: Session, policy: rules.BillingPolicy, action: BillingAction, actor: Actor,
                now: datetime) -> rules.Verdict:
    """The policy verdict for an action, counting what was already done (excluding the action itself)."""
    day = now - AGENT_WINDOW
    counted = {"exclude": action.id}
    proposal = rules.Proposal(kind=action.kind, role=actor.role, currency=action.currency, amount=action.amount,
                              percent_off=action.percent_off)
    if action.kind in MONEY_OUT:
        proposal = replace(
            proposal,
            spent_on_ticket=spent(session, action.currency, ticket_id=action.ticket_id, **counted),
            spent_by_agent_today=spent(session, action.currency, allowance=actor.allowance, since=day, **counted))
    else:
        coupons = ("coupon",)
        on_ticket = tally(session, coupons, ticket_id=action.ticket_id, **counted)
        today = tally(session, coupons, allowance=actor.allowance, since=day, **counted)
        proposal = replace(
            proposal, coupons_on_ticket=on_ticket.count, coupons_by_agent_today=today.count,
            coupon_value_on_ticket=tally(session, coupons, currency=action.currency, ticket_id=action.ticket_id,
                                         **counted).amount,
            coupon_value_by_agent_today=tally(session, coupons, currency=action.currency, allowance=actor.allowance,
                                              since=day, **counted).amount)
    return rules.evaluate(policy, proposal)


def limit_names(installation_id: str, action: BillingAction, actor: Actor) -> tuple[str, str]:
    """What a confirm checks its limits against: the ticket, and the allowance it spends (see `db.serialise`)."""
    return (f"billing:{installation_id}:ticket:{action.ticket_id}",
            f"billing:{installation_id}:allowance:{actor.allowance}")


def _reason(data: ActionInput) -> tuple[str, str | None]:
    if data.reason not in rules.REASONS:
        raise InvalidInput(f"Pick a reason: {', '.join(rules.REASONS)}.", code="invalid_reason", fields={"reason": "required"})
    text = (data.reason_text or "").strip() or None
    if data.reason == "other" and not text:
        raise InvalidInput("Say in a few words why (the reason is \"other\").", code="reason_text_required", fields={"reason_text": "required for other"})
    return data.reason, text


def preview(db: Database, session: Session, installation: Installation, billing: Billing, helpdesk: Helpdesk, actor: Actor,
            data: ActionInput, now: datetime | None = None) -> Preview:
    """Check everything, work out the verdict, and store the action as `previewed`; nothing is sent yet.

    :raise DomainError: InvalidInput, Missing or Conflict for bad input, another customer's charge, or an amount above what is left.
    """
    now = now or clock.now()
    if data.kind not in rules.KINDS:
        raise InvalidInput(f"Kind must be one of {', '.join(rules.KINDS)}.", code="invalid_kind", fields={"kind": "required"})
    reason, reason_text = _reason(data)
    ticket = helpdesk.get_ticket(data.ticket_id)
    customer = ticket_customer(billing, ticket, data.customer_id)
    action = BillingAction(public_id=new_public_id(), kind=data.kind, state="previewed", provider=billing.name, ticket_id=str(ticket.id),
                           agent_id=actor.id, agent_name=actor.name, agent_verified=actor.verified,
                           customer_id=customer.id, customer_email=customer.email, reason=reason,
                           reason_text=reason_text, created_at=now, updated_at=now, attempts=0, retryable=False)
    remaining_after = None
    if data.kind == "refund":
        remaining_after = _refund_details(session, billing, customer, action, data)
    elif data.kind == "coupon":
        _coupon_details(action, data, customer)
    else:
        _credit_details(action, data)
    verdict = verdict_for(session, policy_of(installation), action, actor, now)
    action.verdict, action.verdict_reason = verdict.decision, verdict.reason[:300]
    with db.tenant(installation.id, immediate=True) as writer:
        writer.add(action)
        writer.flush()
        writer.expunge(action)
    return Preview(action, remaining_after)


def _refund_details(session: Session, billing: Billing, customer: BillingCustomer, action: BillingAction,
                    data: ActionInput) -> int:
    if not data.charge_id:
        raise InvalidInput("Pick the charge to refund.", code="charge_required", fields={"charge_id": "required"})
    charge = _charge_of(billing, customer, data.charge_id)
    if data.currency and data.currency.lower() != charge.currency.lower():
        raise InvalidInput(f"That charge is in {charge.currency.upper()}, not "
                       f"{data.currency.upper()}.", code="currency_mismatch", fields={"currency": charge.currency})
    if charge.status != "succeeded":
        raise Conflict(f"That payment {charge.status}; there is nothing to refund.", code="not_refundable")
    if data.amount is None:
        raise InvalidInput("Say how much to refund.", code="amount_required", fields={"amount": "required"})
    amount = to_minor(data.amount, charge.currency)
    left = charge.refundable - in_flight_on_charge(session, charge.id)
    if amount > left:
        raise InvalidInput(f"Only {format_money(max(left, 0), charge.currency)} of this "
                       f"{format_money(charge.amount, charge.currency)} charge can still be refunded.", code="above_refundable", fields={"amount": f"at most {format_money(max(left, 0), charge.currency)}"})
    action.charge_id, action.charge_amount = charge.id, charge.amount
    action.charge_description = (charge.description or "")[:300] or None
    action.currency, action.amount = charge.currency.lower(), amount
    return left - amount


def _coupon_details(action: BillingAction, data: ActionInput, customer: BillingCustomer) -> None:
    days = data.expires_days or COUPON_DEFAULT_DAYS
    if not 1 <= days <= COUPON_MAX_DAYS:
        raise InvalidInput(f"A coupon expires after 1 to {COUPON_MAX_DAYS} days.", code="invalid_expiry", fields={"expires_days": f"1-{COUPON_MAX_DAYS}"})
    if (data.percent_off is None) == (data.amount is None):
        raise InvalidInput("A coupon is either a percentage or an amount off, not both.", code="coupon_discount", fields={"percent_off": "or amount"})
    if data.percent_off is not None:
        if not 1 <= data.percent_off <= 100:
            raise InvalidInput("Percent off is a whole number from 1 to 100.", code="invalid_percent", fields={"percent_off": "1-100"})
        action.percent_off, action.currency = data.percent_off, (data.currency or "usd").lower()
    else:
        if not data.currency:
            raise InvalidInput("An amount-off coupon needs its currency.", code="currency_required", fields={"currency": "required"})
        action.currency, action.amount = data.currency.lower(), to_minor(data.amount, data.currency)
    action.expires_days = days
    action.code = promotion_code_for(customer)


def _credit_details(action: BillingAction, data: ActionInput) -> None:
    if data.amount is None or not data.currency:
        raise InvalidInput("A credit needs an amount and its currency.", code="amount_required", fields={"amount": "required", "currency": "required"})
    action.currency, action.amount = data.currency.lower(), to_minor(data.amount, data.currency)


def promotion_code_for(customer: BillingCustomer) -> str:
    """A code the customer can type: letters of their name and a random tail (Stripe allows A-Z and 0-9)."""
    letters = "".join(ch for ch in (customer.name or "").split(" ")[0].upper() if "A" <= ch <= "Z")[:10]
    tail = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(5))
    return f"{letters or 'THANKS'}{tail}"


def policy_summary(policy: rules.BillingPolicy) -> dict:
    """The policy as the sidebar shows it, with reasons to pick from."""
    return {**asdict(policy), "roles": list(policy.roles),
            "reasons": [{"key": key, "label": label} for key, (label, _) in rules.REASONS.items()]}
