"""Follow-up commitments.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commitments",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=True),
        sa.Column("agent_name", sa.String(200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("due_text", sa.String(120), nullable=True),
        sa.Column("vague", sa.Boolean(), nullable=False),
        sa.Column("conditional", sa.Boolean(), nullable=False),
        sa.Column("source_comment_id", sa.String(64), nullable=True),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("outcome_comment_id", sa.String(64), nullable=True),
        sa.Column("snooze_reason", sa.String(300), nullable=True),
        sa.Column("snoozes", sa.Integer(), nullable=False),
        sa.Column("nudge", sa.Text(), nullable=True),
        installation_column(),
        sa.UniqueConstraint("installation_id", "source_comment_id"),
    )
    op.create_index("ix_commitments_due", "commitments", ["installation_id", "state", "due_at"])
    op.create_index("ix_commitments_ticket", "commitments", ["installation_id", "ticket_id"])
    op.create_index("ix_commitments_agent", "commitments", ["installation_id", "agent_id", "state"])


def downgrade() -> None:
    op.drop_table("commitments")
