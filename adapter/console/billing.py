"""Console pages for refunds and coupons: requests waiting for approval, the policy, and the audit trail."""

from __future__ import annotations

from flask import Response
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy import select

from adapter.billing import actions
from adapter.billing import api as billing_api
from adapter.billing import audit
from adapter.billing import policy as rules
from adapter.billing import service
from adapter.billing.money import format_money
from adapter.console.auth import console_required
from adapter.console.blueprint import bp
from adapter.db import get_db
from adapter.db import reads_only
from adapter.db import release_request_session
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.errors import ProviderError
from adapter.models import BillingAction
from adapter.providers import billing_client
from adapter.providers import helpdesk_client

AUDIT_SHOWN = 100


@bp.get("/refunds")
@console_required
def refunds_page():
    """Requests waiting for a lead, the policy in force, and the latest audit rows matching the filters."""
    session = request_session(g.installation.id)
    try:
        filters = audit.AuditFilters.from_args(request.args)
    except (ApiError, DomainError) as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.refunds_page"))
    waiting = list(session.scalars(select(BillingAction).where(BillingAction.state == "pending_approval")
                                   .order_by(BillingAction.created_at)))
    helpdesk = helpdesk_client(session, g.installation)
    return render_template("console/refunds.html", waiting=waiting,
                           audit=audit.latest(session, filters, AUDIT_SHOWN), filters=filters, events=audit.EVENTS,
                           kinds=rules.KINDS, policy=service.policy_of(g.installation),
                           connected=billing_client(session, g.installation) is not None, money=format_money,
                           reasons=rules.REASONS, describe=actions.describe, ticket_url=helpdesk.ticket_url)


def _decide(step) -> Response:
    billing = billing_client(request_session(g.installation.id), g.installation)
    installation_id = g.installation.id
    release_request_session()
    approver = service.Actor(g.agent.agent_id, g.agent.agent_name, g.agent.role, g.agent.verified)
    try:
        action = step(get_db(), installation_id, approver, billing)
    except (ApiError, DomainError, ProviderError) as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.refunds_page"))
    outcome = {"succeeded": "done", "failed": f"failed: {action.error}"}.get(action.state, action.state)
    flash(f"The {actions.describe(action)} for ticket {action.ticket_id} is {outcome}.",
          "error" if action.state == "failed" else "info")
    return redirect(url_for("console.refunds_page"))


@bp.post("/refunds/<ref:action_id>/approve")
@reads_only
@console_required
def approve_refund(action_id: str):
    """Approve a request from the console; it executes at once."""
    return _decide(lambda db, inst, approver, billing: actions.approve(db, inst, action_id, approver, billing))


@bp.post("/refunds/<ref:action_id>/decline")
@reads_only
@console_required
def decline_refund(action_id: str):
    """Decline a request with the reason the agent will see."""
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash("Say why you decline; the agent sees the reason.", "error")
        return redirect(url_for("console.refunds_page"))
    return _decide(lambda db, inst, approver, _: actions.decline(db, inst, action_id, approver, reason[:500]))


@bp.get("/refunds/audit.csv")
@console_required
def refunds_audit_csv():
    """The audit trail as CSV, with the page's filters."""
    try:
        filters = audit.AuditFilters.from_args(request.args)
    except (ApiError, DomainError) as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.refunds_page"))
    return billing_api.audit_download(request_session(g.installation.id), filters)
