"""Refunds and coupons: money actions, the append-only audit trail, the sandbox billing account.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import Json
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# On PostgreSQL the database itself refuses to change history, whatever code connects to it.
_AUDIT_GUARD = """
CREATE FUNCTION billing_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'billing_audit is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_audit_append_only BEFORE UPDATE OR DELETE ON billing_audit
    FOR EACH ROW EXECUTE FUNCTION billing_audit_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "billing_actions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("agent_name", sa.String(200), nullable=False),
        sa.Column("agent_verified", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=False),
        sa.Column("customer_email", sa.String(320), nullable=True),
        sa.Column("charge_id", sa.String(255), nullable=True),
        sa.Column("charge_amount", sa.Integer(), nullable=True),
        sa.Column("charge_description", sa.String(300), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("percent_off", sa.Integer(), nullable=True),
        sa.Column("expires_days", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("reason_text", sa.String(500), nullable=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("verdict_reason", sa.String(300), nullable=False),
        sa.Column("approver_id", sa.String(64), nullable=True),
        sa.Column("approver_name", sa.String(200), nullable=True),
        sa.Column("decline_reason", sa.String(500), nullable=True),
        sa.Column("external_id", sa.String(255), nullable=True),
        sa.Column("external_status", sa.String(32), nullable=True),
        sa.Column("promotion_code_id", sa.String(255), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("retryable", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("executed_at", UTCDateTime(), nullable=True),
        installation_column(),
    )
    op.create_index("ix_billing_actions_ticket", "billing_actions", ["installation_id", "ticket_id"])
    op.create_index("ix_billing_actions_state", "billing_actions", ["installation_id", "state", "updated_at"])
    op.create_index("ix_billing_actions_agent", "billing_actions", ["installation_id", "agent_id", "created_at"])
    op.create_table(
        "billing_audit",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("action_id", BigId, nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("percent_off", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(16), nullable=True),
        sa.Column("approver_name", sa.String(200), nullable=True),
        sa.Column("external_ids", Json, nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        installation_column(),
    )
    op.create_index("ix_billing_audit_created", "billing_audit", ["installation_id", "created_at"])
    op.create_table(
        "sandbox_billing_objects",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("data", Json, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "object_id"),
        sa.UniqueConstraint("installation_id", "idempotency_key"),
    )
    op.create_index("ix_sandbox_billing_kind", "sandbox_billing_objects", ["installation_id", "kind"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_AUDIT_GUARD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS billing_audit_append_only ON billing_audit")
        op.execute("DROP FUNCTION IF EXISTS billing_audit_append_only()")
    op.drop_table("sandbox_billing_objects")
    op.drop_table("billing_audit")
    op.drop_table("billing_actions")
