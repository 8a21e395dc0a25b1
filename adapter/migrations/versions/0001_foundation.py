"""Installations, encrypted credentials, webhook receipts and the playground helpdesk.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import Json
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "installations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("account", sa.String(255), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("business_hours", Json, nullable=False),
        sa.Column("settings", Json, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("kind", "account"),
    )
    op.create_table(
        "credentials",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "name"),
    )
    op.create_table(
        "webhook_receipts",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("delivery_id", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("headers", Json, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        installation_column(),
        sa.UniqueConstraint("installation_id", "provider", "delivery_id"),
    )
    op.create_index("ix_webhook_receipts_status_due", "webhook_receipts", ["status", "next_attempt_at"])
    op.create_table(
        "playground_tickets",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("requester_name", sa.String(200), nullable=False),
        sa.Column("requester_email", sa.String(320), nullable=False),
        sa.Column("organization", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(200), nullable=True),
        sa.Column("tags", Json, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        installation_column(),
    )
    op.create_index(
        "ix_playground_tickets_installation", "playground_tickets", ["installation_id", "updated_at"]
    )
    op.create_table(
        "playground_comments",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "ticket_id",
            BigId,
            sa.ForeignKey("playground_tickets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("author_role", sa.String(16), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        installation_column(),
    )
    op.create_index("ix_playground_comments_ticket", "playground_comments", ["installation_id", "ticket_id"])


def downgrade() -> None:
    op.drop_table("playground_comments")
    op.drop_table("playground_tickets")
    op.drop_table("webhook_receipts")
    op.drop_table("credentials")
    op.drop_table("installations")
