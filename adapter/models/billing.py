"""Money actions (refunds, coupons, credits), their append-only audit trail, and the sandbox billing account."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import event
from sqlalchemy import true
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from adapter import clock
from adapter.db import Base
from adapter.db import BigId
from adapter.db import TenantScoped


def new_public_id() -> str:
    """A random action id for URLs and the API (24 hex characters, 96 bits)."""
    return secrets.token_hex(12)  # hex: a CSV cell never starts with '-' (a spreadsheet would read a formula)


# previewed -> confirmed -> executing -> succeeded | failed, with pending_approval -> confirmed | declined
# for actions above the agent's limit, and cancelled for previews and requests the agent withdrew.
ACTION_STATES = ("previewed", "pending_approval", "confirmed", "executing", "succeeded", "failed", "declined",
                 "cancelled")


class BillingAction(TenantScoped, Base):
    """One refund, coupon or credit, written before the billing provider is called and moved through its states."""

    __tablename__ = "billing_actions"
    __table_args__ = (
        Index("ix_billing_actions_ticket", "installation_id", "ticket_id"),
        Index("ix_billing_actions_state", "installation_id", "state", "updated_at"),
        Index("ix_billing_actions_agent", "installation_id", "agent_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)  # internal: one sequence across installations
    # What URLs, the API and Stripe metadata carry: random, so it says nothing about other installations.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(20), default="previewed")
    provider: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str] = mapped_column(String(64))
    agent_name: Mapped[str] = mapped_column(String(200))
    # False when the helpdesk could not vouch for the agent's identity (Freshdesk's sidebar).
    agent_verified: Mapped[bool] = mapped_column(Boolean, default=True)
    customer_id: Mapped[str] = mapped_column(String(255))
    customer_email: Mapped[str | None] = mapped_column(String(320), default=None)
    charge_id: Mapped[str | None] = mapped_column(String(255), default=None)
    charge_amount: Mapped[int | None] = mapped_column(Integer, default=None)
    charge_description: Mapped[str | None] = mapped_column(String(300), default=None)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int | None] = mapped_column(Integer, default=None)  # minor units of `currency`
    percent_off: Mapped[int | None] = mapped_column(Integer, default=None)
    expires_days: Mapped[int | None] = mapped_column(Integer, default=None)
    code: Mapped[str | None] = mapped_column(String(64), default=None)  # the promotion code we asked for
    reason: Mapped[str] = mapped_column(String(32))
    reason_text: Mapped[str | None] = mapped_column(String(500), default=None)
    verdict: Mapped[str] = mapped_column(String(16))
    verdict_reason: Mapped[str] = mapped_column(String(300))
    approver_id: Mapped[str | None] = mapped_column(String(64), default=None)
    approver_name: Mapped[str | None] = mapped_column(String(200), default=None)
    decline_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    external_status: Mapped[str | None] = mapped_column(String(32), default=None)
    promotion_code_id: Mapped[str | None] = mapped_column(String(255), default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    retryable: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    executed_at: Mapped[datetime | None] = mapped_column(default=None)


class BillingAudit(TenantScoped, Base):
    """Append-only: one row per step of a money action, never updated or deleted."""

    __tablename__ = "billing_audit"
    __table_args__ = (Index("ix_billing_audit_created", "installation_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    action_id: Mapped[int] = mapped_column(BigId)
    event: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200))
    # False when the helpdesk had not vouched for who the actor is (an unverified Freshdesk session).
    actor_verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    ticket_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int | None] = mapped_column(Integer, default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    percent_off: Mapped[int | None] = mapped_column(Integer, default=None)
    verdict: Mapped[str | None] = mapped_column(String(16), default=None)
    approver_name: Mapped[str | None] = mapped_column(String(200), default=None)
    external_ids: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


@event.listens_for(BillingAudit, "before_update")
@event.listens_for(BillingAudit, "before_delete")
def _audit_is_append_only(mapper, connection, target) -> None:
    raise PermissionError("The billing audit trail is append-only.")


class SandboxBillingObject(TenantScoped, Base):
    """A customer, charge, refund or coupon of the playground's sandbox billing account (never real money)."""

    __tablename__ = "sandbox_billing_objects"
    __table_args__ = (
        UniqueConstraint("installation_id", "object_id"),
        UniqueConstraint("installation_id", "idempotency_key"),
        Index("ix_sandbox_billing_kind", "installation_id", "kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
