"""The helpdesk's tagged history, read by the backfill, to bootstrap an installation's signal model.

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import Json
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_tagged_tickets",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("tags", Json, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("signal_tagged_tickets")
