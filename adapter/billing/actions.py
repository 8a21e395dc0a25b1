"""After the preview: confirm, approve or decline, execute exactly once at the billing provider, reconcile, audit.

Every step is a conditional state change in its own short transaction, so two tabs, a double click or
a retried request find the action already moved and cannot start a second execution. The provider
is called outside any transaction with an idempotency key derived from the action id, and an
execution interrupted by a crash is finished by `reconcile` with that same key.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from adapter import clock
from adapter import dispatch
from adapter import outbox
from adapter.billing import policy as rules
from adapter.billing.audit import EVENTS
from adapter.billing.money import format_money
from adapter.billing.notes import coupon_expiry
from adapter.billing.notes import describe
from adapter.billing.notes import named
from adapter.billing.notes import result_note
from adapter.billing.service import PREVIEW_TTL
from adapter.billing.service import Actor
from adapter.billing.service import limit_names
from adapter.billing.service import verdict_for
from adapter.db import Database
from adapter.db import serialise
from adapter.errors import RETRYABLE
from adapter.errors import Conflict
from adapter.errors import Missing
from adapter.errors import PolicyRefused
from adapter.errors import ProviderError
from adapter.errors import Rejected
from adapter.events import RefundUpdated
from adapter.models import BillingAction
from adapter.models import BillingAudit
from adapter.models import Installation
from adapter.providers.base import ACTION_METADATA
from adapter.providers.base import Billing

STALE = timedelta(minutes=2)  # an execution this old with no outcome was interrupted
AUTO_RETRY_AFTER = timedelta(minutes=5)
AUTO_ATTEMPTS = 4


def idempotency_key(action: BillingAction) -> str:
    """The provider idempotency key of an action: the same for every attempt, unique across installations."""
    return f"valuedesk-{action.installation_id}-action-{action.public_id}"


def get(session: Session, action_ref: str) -> BillingAction:
    """One action of this installation, by its public id.

    :raise DomainError: Missing when there is none (or it is another installation's).
    """
    action = session.scalar(select(BillingAction).where(BillingAction.public_id == action_ref))
    if action is None:
        raise Missing("There is no such refund or coupon request.", code="unknown_action")
    return action


def _by_id(session: Session, action_id: int) -> BillingAction:
    return session.scalar(select(BillingAction).where(BillingAction.id == action_id))


def audit(session: Session, action: BillingAction, event: str, actor: Actor, detail: str | None = None) -> None:
    """Append one row to the audit trail."""
    if event not in EVENTS:
        raise ValueError(f"{event!r} is not an audit step; add it to billing.audit.EVENTS so admins can filter by it")
    ids = {"refund": action.external_id if action.kind == "refund" else None,
           "coupon": action.external_id if action.kind == "coupon" else None,
           "promotion_code": action.promotion_code_id,
           "balance_transaction": action.external_id if action.kind == "credit" else None,
           "charge": action.charge_id, "customer": action.customer_id}
    session.add(BillingAudit(action_id=action.id, event=event, actor_id=actor.id, actor_name=actor.name,
                             actor_verified=actor.verified,
                             ticket_id=action.ticket_id, kind=action.kind, amount=action.amount,
                             currency=action.currency, percent_off=action.percent_off, verdict=action.verdict,
                             approver_name=action.approver_name, detail=detail,
                             external_ids={k: v for k, v in ids.items() if v}))


def _move(session: Session, action_id: int, from_states: tuple[str, ...], *conditions, **values) -> BillingAction | None:
    """Change state only if the action is still in one of `from_states`; the moved action, or None if we lost."""
    result = session.execute(
        update(BillingAction).where(BillingAction.id == action_id, BillingAction.state.in_(from_states), *conditions)
        .values(updated_at=clock.now(), **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    return session.get(BillingAction, action_id, populate_existing=True)


def _detached(session: Session, action: BillingAction) -> BillingAction:
    session.flush()
    session.refresh(action)
    session.expunge(action)
    return action


def confirm(db: Database, installation_id: str, action_ref: str, actor: Actor, billing: Billing,
            policy: rules.BillingPolicy) -> BillingAction:
    """Confirm a preview: execute it now, or ask a lead when it is above the agent's limit.

    Confirming twice returns the action as it stands; only the first confirm moves it. The limits are checked and
    the confirm recorded while holding the ticket's and the allowance's locks, so confirms at the same moment are
    counted one after the other and their sum never passes a limit.

    :raise DomainError: PolicyRefused for someone else's preview or a denied action, Conflict for an expired preview.
    """
    now = clock.now()
    with db.tenant(installation_id, immediate=True) as session:
        action = get(session, action_ref)
        _check_owner(action, actor, "confirm")
        if action.state != "previewed":
            return _detached(session, action)
        if action.created_at + PREVIEW_TTL < now:
            raise Conflict("This preview is more than 15 minutes old; preview it again.", code="preview_expired")
        serialise(session, *limit_names(installation_id, action, actor))
        verdict = verdict_for(session, policy, action, actor, now)
        if verdict.decision == rules.DENY:
            raise PolicyRefused(verdict.reason, code="policy_denied")
        target = "pending_approval" if verdict.needs_approval else "confirmed"
        # A preview made before the agent verified is confirmed as the verified agent it now is.
        moved = _move(session, action.id, ("previewed",), state=target, verdict=verdict.decision,
                      verdict_reason=verdict.reason[:300], agent_verified=actor.verified)
        if moved is None:
            return _detached(session, _by_id(session, action.id))
        if target == "pending_approval":
            audit(session, moved, "approval_requested", actor, verdict.reason)
            outbox.add(session, "helpdesk.add_note", {"ticket_id": moved.ticket_id, "body": request_note(moved)})
            return _detached(session, moved)
        audit(session, moved, "confirmed", actor)
    return execute(db, installation_id, action.id, billing)


def _check_owner(action: BillingAction, actor: Actor, verb: str) -> None:
    # An unverified session names itself; it may not act on what a verified agent of that name started.
    if action.agent_id != actor.id or (action.agent_verified and not actor.verified):
        raise PolicyRefused(f"Only {action.agent_name}, who previewed this, can {verb} it.", code="not_your_action")


def approve(db: Database, installation_id: str, action_ref: str, approver: Actor, billing: Billing) -> BillingAction:
    """A lead approves a request above the agent's limit; it executes at once.

    :raise DomainError: PolicyRefused for non-leads, unverified leads and one's own request, Conflict when it is no longer waiting.
    """
    with db.tenant(installation_id, immediate=True) as session:
        action = _decidable(session, action_ref, approver)
        if action.state != "pending_approval":
            if action.approver_id == approver.id and action.state not in ("declined", "cancelled"):
                return _detached(session, action)  # a second click on the same approval
            raise Conflict(f"This request is already {action.state.replace('_', ' ')}.", code="not_waiting")
        moved = _move(session, action.id, ("pending_approval",), state="confirmed", approver_id=approver.id,
                      approver_name=approver.name)
        if moved is None:
            return _detached(session, _by_id(session, action.id))
        audit(session, moved, "approved", approver)
    return execute(db, installation_id, action.id, billing)


def decline(db: Database, installation_id: str, action_ref: str, approver: Actor, reason: str) -> BillingAction:
    """A lead declines a request, with a reason its agent sees."""
    with db.tenant(installation_id, immediate=True) as session:
        action = _decidable(session, action_ref, approver)
        if action.state != "pending_approval":
            raise Conflict(f"This request is already {action.state.replace('_', ' ')}.", code="not_waiting")
        moved = _move(session, action.id, ("pending_approval",), state="declined", approver_id=approver.id,
                      approver_name=approver.name, decline_reason=reason[:500])
        if moved is None:
            return _detached(session, _by_id(session, action.id))
        audit(session, moved, "declined", approver, reason)
        outbox.add(session, "helpdesk.add_note", {
            "ticket_id": moved.ticket_id,
            "body": f"Valuedesk: {approver.name} declined the {describe(moved)} that {named(moved)} asked for: "
                    f"{reason}"})
        return _detached(session, moved)


def _decidable(session: Session, action_ref: str, approver: Actor) -> BillingAction:
    if not approver.verified:
        raise PolicyRefused("Approving needs an identity the helpdesk vouches for: verify yourself in "
                       "the Valuedesk sidebar first.", code="unverified")
    if not approver.is_lead:
        raise PolicyRefused("Only a lead or an admin can approve or decline requests.", code="leads_only")
    action = get(session, action_ref)
    if action.agent_id == approver.id:
        raise PolicyRefused("You can't decide on your own request; another lead can.", code="own_request")
    return action


def cancel(db: Database, installation_id: str, action_ref: str, actor: Actor) -> BillingAction:
    """The agent withdraws a preview or a request still waiting for approval."""
    with db.tenant(installation_id, immediate=True) as session:
        action = get(session, action_ref)
        _check_owner(action, actor, "withdraw")
        if action.state == "cancelled":
            return _detached(session, action)
        was = action.state
        moved = _move(session, action.id, ("previewed", "pending_approval"), state="cancelled")
        if moved is None:
            raise Conflict(f"This is already {action.state.replace('_', ' ')}.", code="too_late")
        if was == "pending_approval":
            audit(session, moved, "withdrawn", actor)
        return _detached(session, moved)


def retry(db: Database, installation_id: str, action_ref: str, actor: Actor, billing: Billing) -> BillingAction:
    """Try a failed action again, with the same idempotency key, when the failure was an outage."""
    with db.tenant(installation_id) as session:
        action = get(session, action_ref)
        if not actor.is_lead:
            _check_owner(action, actor, "retry")
        if action.state != "failed" or not action.retryable:
            raise Conflict("Only a request that failed because the billing system was "
                           "unreachable can be retried.", code="not_retryable")
    return execute(db, installation_id, action.id, billing, from_states=("failed",), retryable_only=True)


def execute(db: Database, installation_id: str, action_id: int, billing: Billing, *, from_states: tuple[str, ...] = ("confirmed",),
            stale_before: datetime | None = None, retryable_only: bool = False) -> BillingAction:
    """Claim the action for execution, call the provider with its idempotency key, and store the outcome."""
    conditions = []
    if stale_before is not None:
        conditions.append(BillingAction.updated_at < stale_before)
    if retryable_only:
        conditions.append(BillingAction.retryable.is_(True))
    with db.tenant(installation_id, immediate=True) as session:
        claimed = _move(session, action_id, from_states, *conditions, state="executing",
                        attempts=BillingAction.attempts + 1, error=None)
        if claimed is None:
            return _detached(session, _by_id(session, action_id))
        action = _detached(session, claimed)
    try:
        outcome = _perform(billing, action)
    except ProviderError as exc:
        return _fail(db, installation_id, action, exc)
    return _succeed(db, installation_id, action, outcome)


def _metadata(action: BillingAction) -> dict[str, str]:
    return {ACTION_METADATA: action.public_id, "valuedesk_installation": action.installation_id,
            "valuedesk_ticket": action.ticket_id, "valuedesk_agent": action.agent_id}


def _perform(billing: Billing, action: BillingAction) -> dict:
    key, metadata = idempotency_key(action), _metadata(action)
    if action.kind == "refund":
        if action.attempts > 1:  # an earlier attempt may have reached the provider; never refund twice
            for refund in billing.list_refunds(action.charge_id):
                if refund.action_ref == action.public_id:
                    return {"external_id": refund.id, "external_status": refund.status}
        charge = billing.get_charge(action.charge_id)
        if action.amount > charge.refundable:
            raise Rejected(f"Only {format_money(charge.refundable, charge.currency)} is left to refund on this "
                           "charge now; nothing was refunded.", provider=billing.name)
        refund = billing.refund(charge, action.amount, reason=rules.REASONS[action.reason][1], metadata=metadata,
                                idempotency_key=key)
        return {"external_id": refund.id, "external_status": refund.status}
    if action.kind == "coupon":
        promotion = billing.create_promotion(
            action.customer_id, code=action.code, percent_off=action.percent_off,
            amount_off=None if action.percent_off else action.amount,
            currency=None if action.percent_off else action.currency, expires_at=coupon_expiry(action),
            metadata=metadata, idempotency_key=key)
        return {"external_id": promotion.coupon_id, "promotion_code_id": promotion.promotion_code_id,
                "code": promotion.code, "external_status": "active"}
    credit = billing.credit_balance(action.customer_id, action.amount, action.currency,
                                    description=f"{rules.REASONS[action.reason][0]} (ticket {action.ticket_id})",
                                    metadata=metadata, idempotency_key=key)
    return {"external_id": credit.id, "external_status": "applied"}


def _succeed(db: Database, installation_id: str, action: BillingAction, outcome: dict) -> BillingAction:
    with db.tenant(installation_id, immediate=True) as session:
        moved = _move(session, action.id, ("executing",), state="succeeded", executed_at=clock.now(), retryable=False,
                      **outcome)
        if moved is None:
            return _detached(session, _by_id(session, action.id))
        audit(session, moved, "succeeded", _performer(moved))
        outbox.add(session, "helpdesk.add_note", {"ticket_id": moved.ticket_id, "body": result_note(moved)},
                   dedupe_key=f"billing-note-{moved.id}")
        return _detached(session, moved)


def _fail(db: Database, installation_id: str, action: BillingAction, exc: ProviderError) -> BillingAction:
    retryable = isinstance(exc, RETRYABLE)
    message = exc.message + (" Valuedesk will try again with the same request, so it can never go through twice."
                             if retryable else "")
    with db.tenant(installation_id, immediate=True) as session:
        moved = _move(session, action.id, ("executing",), state="failed", error=message[:500], retryable=retryable)
        if moved is None:
            return _detached(session, _by_id(session, action.id))
        audit(session, moved, "failed", _performer(moved), exc.message)
        return _detached(session, moved)


def _performer(action: BillingAction) -> Actor:
    return Actor(action.agent_id, action.agent_name, verified=action.agent_verified)


def reconcile(installation: Installation, billing: Billing, now: datetime | None = None, *, db: Database) -> int:
    """Finish executions a crash interrupted and retry outages, always with the original key; how many were tried."""
    now = now or clock.now()
    with db.tenant(installation.id) as session:
        stuck = session.execute(select(BillingAction.id, BillingAction.state).where(or_(
            BillingAction.state.in_(("confirmed", "executing")) & (BillingAction.updated_at < now - STALE),
            (BillingAction.state == "failed") & BillingAction.retryable.is_(True)
            & (BillingAction.attempts < AUTO_ATTEMPTS) & (BillingAction.updated_at < now - AUTO_RETRY_AFTER),
        )).order_by(BillingAction.id).limit(100)).all()
    for action_id, state in stuck:
        cutoff = now - (AUTO_RETRY_AFTER if state == "failed" else STALE)
        execute(db, installation.id, action_id, billing, from_states=(state,), stale_before=cutoff,
                retryable_only=state == "failed")
    return len(stuck)


def on_refund_updated(event: RefundUpdated, context) -> None:
    """Webhook handler: record a refund's status; a refund that fails later gets a note and shows as failed."""
    session = context.session
    query = select(BillingAction).where(BillingAction.kind == "refund", BillingAction.external_id == event.refund_id)
    action = session.scalar(query)
    if action is None and event.action_ref:
        action = session.scalar(select(BillingAction).where(BillingAction.public_id == event.action_ref,
                                                            BillingAction.kind == "refund"))
    if action is None:
        return
    action.external_status = event.status[:32]
    if event.status in ("failed", "canceled") and action.state == "succeeded":
        why = (event.failure_reason or event.status).replace("_", " ")
        action.state, action.retryable = "failed", False
        action.error = f"The refund was sent but then {event.status} at the bank ({why}); the customer did not get it."
        audit(session, action, "refund_failed", Actor("stripe", "Stripe", role="system"), why)
        outbox.add(session, "helpdesk.add_note", {
            "ticket_id": action.ticket_id,
            "body": f"Valuedesk: the {describe(action)} by {named(action)} {event.status} after it was sent "
                    f"({why}). The customer has not received it; {action.agent_name} sees this in the sidebar."})
    session.flush()


def request_note(action: BillingAction) -> str:
    """The private note written when a request waits for a lead."""
    return (f"Valuedesk: {named(action)} asked for a {describe(action)} "
            f"({rules.REASONS[action.reason][0].lower()}); it waits for a lead's approval in the Valuedesk sidebar. "
            f"{action.verdict_reason}")


def register() -> None:
    """Billing follows refunds the billing system settles later (called once at app start by adapter.wiring)."""
    dispatch.on(RefundUpdated, on_refund_updated)
