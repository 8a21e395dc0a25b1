"""Outbox of writes to helpdesks and trackers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import Json
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_actions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        installation_column(),
        sa.UniqueConstraint("installation_id", "dedupe_key"),
    )
    op.create_index("ix_outbox_actions_status_due", "outbox_actions", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("outbox_actions")
