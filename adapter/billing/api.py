"""Refunds and coupons API: the ticket's customer and charges, preview, confirm, approvals, and the admin's policy."""

from __future__ import annotations

from flask import Response
from flask import g
from flask import request
from flask_smorest import Blueprint
from sqlalchemy import select

from adapter.billing import actions
from adapter.billing import audit
from adapter.billing import connect
from adapter.billing import notes
from adapter.billing import policy as rules
from adapter.billing import service
from adapter.billing.money import format_money
from adapter.billing.money import major_text
from adapter.billing.schemas import ActionOut
from adapter.billing.schemas import ChargeOut
from adapter.billing.schemas import ChargesQuery
from adapter.billing.schemas import DeclineIn
from adapter.billing.schemas import PolicyIn
from adapter.billing.schemas import PreviewIn
from adapter.billing.schemas import StripeIn
from adapter.billing.schemas import TicketBillingOut
from adapter.credentials import CredentialStore
from adapter.db import get_db
from adapter.db import reads_only
from adapter.db import release_request_session
from adapter.errors import ApiError
from adapter.models import BillingAction
from adapter.providers import billing_client
from adapter.providers import helpdesk_client
from adapter.providers import stripe
from adapter.sidebar.auth import admin_required
from adapter.sidebar.auth import agent_db
from adapter.sidebar.auth import agent_required
from adapter.sidebar.auth import current_agent

bp = Blueprint("billing", __name__, url_prefix="/api", description="Discretionary refunds, coupons and credits.")
ATTENTION_STATES = ("failed", "declined", "pending_approval")


def actor():
    """The signed-in agent as the billing module sees them."""
    agent = current_agent()
    return service.Actor(agent.agent_id, agent.agent_name, agent.role, agent.verified)


def _billing():
    billing = billing_client(agent_db(), g.installation)
    if billing is None:
        raise ApiError(409, "billing_not_connected", "No billing system is connected; an admin can connect Stripe "
                       "(see README, \"Refunds and coupons\").")
    return billing


def _helpdesk():
    return helpdesk_client(agent_db(), g.installation)


def action_out(action: BillingAction, helpdesk=None) -> dict:
    """An action as the sidebar shows it."""
    return {
        **{name: getattr(action, name) for name in (
            "kind", "state", "ticket_id", "agent_name", "agent_verified", "customer_id", "charge_id", "currency", "amount",
            "percent_off", "reason", "reason_text", "verdict", "verdict_reason", "approver_name", "decline_reason",
            "external_id", "external_status", "error", "retryable", "created_at")},
        "id": action.public_id,
        "code": action.code if action.state == "succeeded" else None,
        "mine": _is_mine(action),
        "amount_text": format_money(action.amount, action.currency) if action.amount is not None else None,
        "reason_label": rules.REASONS[action.reason][0],
        "summary": _summary(action),
        "remaining_text": None,
        "sandbox": action.provider == "sandbox",
        "ticket_url": helpdesk.ticket_url(action.ticket_id) if helpdesk else None,
    }


def _is_mine(action: BillingAction) -> bool:
    # An unverified session only names itself: what a verified agent of that name did is not its own.
    agent = current_agent()
    return action.agent_id == agent.agent_id and (agent.verified or not action.agent_verified)


def _summary(action: BillingAction) -> str:
    if action.kind == "refund":
        charge = f"the {format_money(action.charge_amount, action.currency)} charge" if action.charge_amount else "the charge"
        named = f" “{action.charge_description}” ({action.charge_id})" if action.charge_description \
            else f" {action.charge_id}"
        return f"Refund {format_money(action.amount, action.currency)} of {charge}{named} to the card it was paid with."
    if action.kind == "coupon":
        return (f"Create a one-use promotion code for {notes.discount(action)} that only this customer can "
                f"redeem, valid for {action.expires_days} days.")
    return f"Credit {format_money(action.amount, action.currency)} to the customer's balance for their next invoice."


def _charge_out(charge, in_flight: int) -> dict:
    refundable = max(charge.refundable - in_flight, 0)
    return {"id": charge.id, "amount": charge.amount, "amount_refunded": charge.amount_refunded,
            "refundable": refundable, "currency": charge.currency, "created_at": charge.created_at,
            "description": charge.description, "status": charge.status,
            "amount_text": format_money(charge.amount, charge.currency),
            "refundable_text": format_money(refundable, charge.currency),
            "refundable_major": major_text(refundable, charge.currency)}


@bp.route("/tickets/<ticket_id>/billing", methods=["GET"])
@bp.response(200, TicketBillingOut)
@agent_required
def ticket_billing(ticket_id: str):
    """The ticket requester's billing customers, this ticket's money actions and the policy in short."""
    session = agent_db()
    rows = list(session.scalars(select(BillingAction).where(BillingAction.ticket_id == ticket_id,
                                                            BillingAction.state != "previewed")
                                .order_by(BillingAction.created_at.desc()).limit(50)))
    policy = service.policy_summary(service.policy_of(g.installation))
    base = {"actions": [action_out(a) for a in rows], "policy": policy, "can_approve": current_agent().is_lead}
    billing = billing_client(session, g.installation)
    if billing is None:
        return {**base, "connected": False, "provider": None, "sandbox": False, "customers": [],
                "message": "No billing system is connected. An admin can connect Stripe with a restricted key."}
    ticket = _helpdesk().get_ticket(ticket_id)
    return {**base, "connected": True, "provider": billing.name, "sandbox": billing.name == "sandbox",
            "customers": service.customers_for(billing, ticket), "message": None}


@bp.route("/billing/customers/<customer_id>/charges", methods=["GET"])
@bp.arguments(ChargesQuery, location="query")
@bp.response(200, ChargeOut(many=True))
@agent_required
def customer_charges(query, customer_id: str):
    """Recent charges of the ticket requester's billing customer, with what is left to refund."""
    billing = _billing()
    customer = service.ticket_customer(billing, _helpdesk().get_ticket(query["ticket_id"]), customer_id)
    return [_charge_out(c, service.in_flight_on_charge(agent_db(), c.id)) for c in billing.list_charges(customer.id)]


@bp.route("/billing/preview", methods=["POST"])
@reads_only
@bp.arguments(PreviewIn)
@bp.response(201, ActionOut)
@agent_required
def preview(data):
    """Check a refund, coupon or credit and say what would happen; nothing is sent until it is confirmed."""
    result = service.preview(get_db(), agent_db(), g.installation, _billing(), _helpdesk(), actor(), service.ActionInput(**data))
    out = action_out(result.action)
    if result.remaining_after is not None:
        out["remaining_text"] = format_money(result.remaining_after, result.action.currency)
    return out


def _action_view(operation, *, with_billing: bool = True):
    """Run a state-machine step; it writes in its own short transactions, so the request's read ends first."""
    billing = _billing() if with_billing else None
    installation_id = g.installation.id
    release_request_session()
    return action_out(operation(get_db(), installation_id, billing))


@bp.route("/billing/actions/<ref:action_id>", methods=["GET"])
@bp.response(200, ActionOut)
@agent_required
def get_action(action_id: str):
    """One action, to follow it from confirmed to succeeded."""
    return action_out(actions.get(agent_db(), action_id))


@bp.route("/billing/actions/<ref:action_id>/confirm", methods=["POST"])
@reads_only
@bp.response(200, ActionOut)
@agent_required
def confirm(action_id: str):
    """Go ahead with a preview: it executes now, or waits for a lead when above the limit. Safe to repeat."""
    policy = service.policy_of(g.installation)
    return _action_view(lambda db, installation_id, billing: actions.confirm(db, installation_id, action_id, actor(), billing, policy))


@bp.route("/billing/actions/<ref:action_id>/approve", methods=["POST"])
@reads_only
@bp.response(200, ActionOut)
@agent_required
def approve(action_id: str):
    """Approve a request above an agent's limit (leads and admins); it executes at once."""
    return _action_view(lambda db, installation_id, billing: actions.approve(db, installation_id, action_id, actor(), billing))


@bp.route("/billing/actions/<ref:action_id>/decline", methods=["POST"])
@reads_only
@bp.arguments(DeclineIn)
@bp.response(200, ActionOut)
@agent_required
def decline(data, action_id: str):
    """Decline a request, with a reason its agent sees (leads and admins)."""
    return _action_view(lambda db, installation_id, _: actions.decline(db, installation_id, action_id, actor(), data["reason"]),
                        with_billing=False)


@bp.route("/billing/actions/<ref:action_id>/cancel", methods=["POST"])
@reads_only
@bp.response(200, ActionOut)
@agent_required
def cancel(action_id: str):
    """Withdraw a preview or a request still waiting for approval."""
    return _action_view(lambda db, installation_id, _: actions.cancel(db, installation_id, action_id, actor()), with_billing=False)


@bp.route("/billing/actions/<ref:action_id>/retry", methods=["POST"])
@reads_only
@bp.response(200, ActionOut)
@agent_required
def retry(action_id: str):
    """Try again after an outage, with the same idempotency key."""
    return _action_view(lambda db, installation_id, billing: actions.retry(db, installation_id, action_id, actor(), billing))


@bp.route("/billing/approvals", methods=["GET"])
@bp.response(200, ActionOut(many=True))
@agent_required
def approvals():
    """Requests waiting for a lead, oldest first (leads and admins)."""
    if not current_agent().is_lead:
        raise ApiError(403, "leads_only", "Only leads and admins see approval requests.")
    rows = agent_db().scalars(select(BillingAction).where(BillingAction.state == "pending_approval")
                              .order_by(BillingAction.created_at).limit(100))
    helpdesk = _helpdesk()
    return [action_out(a, helpdesk) for a in rows]


@bp.route("/billing/actions/mine", methods=["GET"])
@bp.response(200, ActionOut(many=True))
@agent_required
def my_actions():
    """The agent's own requests that need a look: waiting, declined or failed (last 50)."""
    agent = current_agent()
    query = select(BillingAction).where(BillingAction.agent_id == agent.agent_id,
                                        BillingAction.state.in_(ATTENTION_STATES))
    if not agent.verified:
        query = query.where(BillingAction.agent_verified.is_(False))
    rows = agent_db().scalars(query.order_by(BillingAction.updated_at.desc()).limit(50))
    helpdesk = _helpdesk()
    return [action_out(a, helpdesk) for a in rows]


@bp.route("/admin/billing/policy", methods=["GET"])
@bp.response(200, PolicyIn)
@admin_required
def get_policy():
    """Refund and coupon limits, who may act, and what happens above the limit."""
    return service.policy_of(g.installation)


@bp.route("/admin/billing/policy", methods=["PATCH"])
@bp.arguments(PolicyIn)
@bp.response(200, PolicyIn)
@admin_required
def patch_policy(data):
    """Change the policy (amounts in minor units per currency: {"usd": 10000} is $100.00)."""
    result = service.update_policy(g.installation, **data)
    agent_db().commit()
    return result


@bp.route("/admin/billing/stripe", methods=["PUT"])
@bp.arguments(StripeIn)
@bp.response(204)
@admin_required
def connect_stripe(data):
    """Store a Stripe restricted key (checked with one read) and the webhook signing secret, encrypted."""
    connect.connect_stripe(agent_db(), g.installation, data["api_key"], data["webhook_secret"])
    agent_db().commit()


@bp.route("/admin/billing/stripe", methods=["DELETE"])
@bp.response(204)
@admin_required
def disconnect_stripe():
    """Forget the Stripe key and webhook secret."""
    credentials = CredentialStore(agent_db(), g.installation.id)
    credentials.delete(stripe.API_KEY_CREDENTIAL)
    credentials.delete(stripe.SECRET_CREDENTIAL)
    agent_db().commit()


@bp.route("/admin/billing/audit.csv", methods=["GET"])
@bp.doc(responses={"200": {"description": "The audit trail, one row per step",
                           "content": {"text/csv": {"schema": {"type": "string"}}}}})
@admin_required
def audit_csv():
    """The audit trail as CSV, oldest first (amounts in minor units); filter with since, until, event, kind, ticket."""
    return audit_download(agent_db(), audit.AuditFilters.from_args(request.args))


def audit_download(session, filters: audit.AuditFilters) -> Response:
    """The installation's matching audit rows as a CSV download."""
    return Response(audit.as_csv(session, filters), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=valuedesk-billing-audit.csv"})
