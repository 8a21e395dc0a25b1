"""The admin's refund and coupon policy, and the verdict for one proposed action (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from adapter.billing.money import format_money

ALLOW = "allow"
APPROVAL = "approval"
DENY = "deny"
ABOVE_LIMIT = ("request_approval", "deny")
ROLES = ("agent", "lead", "admin")
KINDS = ("refund", "coupon", "credit")

# Reasons agents pick from; each maps to one of Stripe's refund reasons. "fraudulent" is left out on
# purpose: it adds the card and email to Radar block lists, which is not a sidebar decision.
REASONS = {
    "duplicate_charge": ("Duplicate charge", "duplicate"),
    "service_issue": ("Service problem or outage", "requested_by_customer"),
    "billing_error": ("Billing mistake on our side", "requested_by_customer"),
    "cancellation": ("Cancelled, prorated refund", "requested_by_customer"),
    "goodwill": ("Goodwill gesture", "requested_by_customer"),
    "other": ("Other (explain below)", "requested_by_customer"),
}

# Defaults that let an agent fix the everyday case alone: about one month of a typical plan per
# ticket, three such refunds a day, and a modest coupon.
DEFAULT_REFUND_PER_TICKET = {"usd": 10_000, "eur": 10_000, "gbp": 8_000, "cad": 13_000, "aud": 15_000, "jpy": 15_000}
DEFAULT_REFUND_PER_AGENT_DAY = {code: 3 * value for code, value in DEFAULT_REFUND_PER_TICKET.items()}
DEFAULT_COUPON_AMOUNT = {"usd": 2_500, "eur": 2_500, "gbp": 2_000, "cad": 3_500, "aud": 4_000, "jpy": 4_000}
# One coupon per ticket and ten a day, worth at most one (and five) of the largest coupon an agent may give.
DEFAULT_COUPONS_PER_TICKET = 1
DEFAULT_COUPONS_PER_AGENT_DAY = 10
DEFAULT_COUPON_VALUE_PER_AGENT_DAY = {code: 5 * value for code, value in DEFAULT_COUPON_AMOUNT.items()}


@dataclass(frozen=True)
class BillingPolicy:
    """What agents may do without a lead (stored per installation; amounts in minor units per currency)."""

    refund_per_ticket: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_REFUND_PER_TICKET))
    refund_per_agent_day: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_REFUND_PER_AGENT_DAY))
    coupon_max_percent: int = 25
    coupon_max_amount: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_COUPON_AMOUNT))
    coupons_per_ticket: int = DEFAULT_COUPONS_PER_TICKET
    coupons_per_agent_day: int = DEFAULT_COUPONS_PER_AGENT_DAY
    # Amount-off coupons only: a percentage has no value of its own until the customer buys something.
    coupon_value_per_ticket: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_COUPON_AMOUNT))
    coupon_value_per_agent_day: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_COUPON_VALUE_PER_AGENT_DAY))
    roles: tuple[str, ...] | list[str] = ROLES
    above_limit: str = "request_approval"
    credits_enabled: bool = True
    reviewed: bool = False  # set once an admin has looked at the defaults


@dataclass(frozen=True)
class Proposal:
    """One action an agent wants to take, with what has already been spent (minor units, same currency)."""

    kind: str
    role: str
    currency: str
    amount: int | None = None
    percent_off: int | None = None
    spent_on_ticket: int = 0
    spent_by_agent_today: int = 0
    coupons_on_ticket: int = 0
    coupons_by_agent_today: int = 0
    coupon_value_on_ticket: int = 0  # amount-off coupons in this currency
    coupon_value_by_agent_today: int = 0


@dataclass(frozen=True)
class Verdict:
    """allow, approval or deny, with the sentence the agent sees."""

    decision: str
    reason: str

    @property
    def needs_approval(self) -> bool:
        """True when a lead must approve before anything is sent."""
        return self.decision == APPROVAL


def evaluate(policy: BillingPolicy, proposal: Proposal) -> Verdict:
    """Decide whether the agent may go ahead, must ask a lead, or may not do this at all."""
    if proposal.role not in policy.roles:
        return Verdict(DENY, f"Your helpdesk role ({proposal.role}) can't issue refunds or coupons here; ask a lead.")
    if proposal.kind == "credit" and not policy.credits_enabled:
        return Verdict(DENY, "Account credits are turned off for this helpdesk.")
    over = _over_limit(policy, proposal)
    if over is None:
        return Verdict(ALLOW, "Within your limits.")
    if policy.above_limit == "deny":
        return Verdict(DENY, f"{over} Ask a lead to change the limits if this should be allowed.")
    return Verdict(APPROVAL, f"{over} A lead can approve it in one click.")


def _over_limit(policy: BillingPolicy, proposal: Proposal) -> str | None:
    code = proposal.currency.lower()
    if proposal.kind == "coupon":
        return _coupon_over_limit(policy, proposal, code)
    per_ticket, per_day = policy.refund_per_ticket.get(code), policy.refund_per_agent_day.get(code)
    if per_ticket is None or per_day is None:
        return f"No refund limit is set for {code.upper()}."
    if proposal.spent_on_ticket + proposal.amount > per_ticket:
        already = f" ({format_money(proposal.spent_on_ticket, code)} already on this ticket)" if proposal.spent_on_ticket else ""
        return f"That is over the {format_money(per_ticket, code)} per-ticket limit{already}."
    if proposal.spent_by_agent_today + proposal.amount > per_day:
        return (f"That would take you over your {format_money(per_day, code)} limit for 24 hours "
                f"({format_money(proposal.spent_by_agent_today, code)} so far).")
    return None


def _coupon_over_limit(policy: BillingPolicy, proposal: Proposal, code: str) -> str | None:
    if proposal.percent_off is not None:
        if proposal.percent_off > policy.coupon_max_percent:
            return f"Coupons above {policy.coupon_max_percent}% off need approval."
    else:
        limit = policy.coupon_max_amount.get(code)
        if limit is None:
            return f"No coupon limit is set for {code.upper()}."
        if proposal.amount > limit:
            return f"Coupons above {format_money(limit, code)} off need approval."
    if proposal.coupons_on_ticket >= policy.coupons_per_ticket:
        return (f"This ticket already has {_coupons(proposal.coupons_on_ticket)}; more than "
                f"{_coupons(policy.coupons_per_ticket)} per ticket need approval.")
    if proposal.coupons_by_agent_today >= policy.coupons_per_agent_day:
        return (f"You gave {_coupons(proposal.coupons_by_agent_today)} in the last 24 hours; more than "
                f"{_coupons(policy.coupons_per_agent_day)} a day need approval.")
    if proposal.percent_off is not None:
        return None
    per_ticket, per_day = policy.coupon_value_per_ticket.get(code), policy.coupon_value_per_agent_day.get(code)
    if per_ticket is None or per_day is None:
        return f"No coupon value limit is set for {code.upper()}."
    if proposal.coupon_value_on_ticket + proposal.amount > per_ticket:
        return (f"That is over the {format_money(per_ticket, code)} of coupons per ticket "
                f"({format_money(proposal.coupon_value_on_ticket, code)} already on this ticket).")
    if proposal.coupon_value_by_agent_today + proposal.amount > per_day:
        return (f"That would take you over your {format_money(per_day, code)} of coupons for 24 hours "
                f"({format_money(proposal.coupon_value_by_agent_today, code)} so far).")
    return None


def _coupons(count: int) -> str:
    return f"{count} coupon{'' if count == 1 else 's'}"
