"""Honest follow-ups: system-suggested tasks are not promises, pushed-out promises are counted as updated, and an
agent's private notices (the thank-you when an issue they reported ships).

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("commitments") as table:
        table.add_column(sa.Column("task", sa.Boolean(), nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("updates", sa.Integer(), nullable=False, server_default="0"))
    # Follow-ups the loop-closing created for the assignee were never promises the agent made.
    op.execute("UPDATE commitments SET task = true WHERE source_comment_id LIKE 'issue:%'")
    op.create_table(
        "agent_notices",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("dismissed_at", UTCDateTime(), nullable=True),
        installation_column(),
        sa.UniqueConstraint("installation_id", "dedupe_key"),
    )
    op.create_index("ix_agent_notices_agent", "agent_notices", ["installation_id", "agent_id", "dismissed_at"])


def downgrade() -> None:
    op.drop_table("agent_notices")
    with op.batch_alter_table("commitments") as table:
        table.drop_column("updates")
        table.drop_column("task")
