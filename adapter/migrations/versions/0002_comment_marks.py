"""Comment marks (handle each comment once) and ticket snapshots (derive events from "ticket changed").

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_marks",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("comment_id", sa.String(64), nullable=False),
        sa.Column("handled_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "ticket_id", "comment_id"),
    )
    op.create_table(
        "ticket_snapshots",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("assignee_id", sa.String(64), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("ticket_snapshots")
    op.drop_table("comment_marks")
