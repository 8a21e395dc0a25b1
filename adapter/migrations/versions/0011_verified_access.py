"""Access the helpdesk vouches for: agents' verified credentials, server-side console sessions, random public ids
for money actions, and whether each audit row's actor was verified.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_credentials",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        installation_column(),
        sa.UniqueConstraint("secret_hash"),
    )
    op.create_index("ix_agent_credentials_agent", "agent_credentials", ["installation_id", "agent_id"])
    op.create_table(
        "console_sessions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("entry_nonce", sa.String(64), nullable=True),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("agent_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        installation_column(),
        sa.UniqueConstraint("installation_id", "secret_hash"),
        sa.UniqueConstraint("installation_id", "entry_nonce"),
    )
    # Existing actions keep their number as public id: Stripe already holds it in metadata and in the
    # idempotency key of any execution in flight. Only new actions get random ids.
    op.add_column("billing_actions", sa.Column("public_id", sa.String(32), nullable=True))
    op.execute("UPDATE billing_actions SET public_id = CAST(id AS VARCHAR(32))")
    with op.batch_alter_table("billing_actions") as batch:
        batch.alter_column("public_id", existing_type=sa.String(32), nullable=False)
        batch.create_unique_constraint("uq_billing_actions_public_id", ["public_id"])
    op.add_column("billing_audit", sa.Column("actor_verified", sa.Boolean(), nullable=False,
                                             server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("billing_audit") as batch:
        batch.drop_column("actor_verified")
    with op.batch_alter_table("billing_actions") as batch:
        batch.drop_constraint("uq_billing_actions_public_id", type_="unique")
        batch.drop_column("public_id")
    op.drop_table("console_sessions")
    op.drop_index("ix_agent_credentials_agent", table_name="agent_credentials")
    op.drop_table("agent_credentials")
