"""OAuth authorizations in flight, and when an installation was uninstalled (its data is purged N days later).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("vendor", sa.String(32), nullable=False),
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("verifier", sa.LargeBinary(), nullable=True),
        sa.Column("account", sa.String(255), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        installation_column(),
        sa.UniqueConstraint("state_hash", name="uq_oauth_states_state_hash"),
    )
    op.create_index("ix_oauth_states_installation", "oauth_states", ["installation_id", "vendor"])
    with op.batch_alter_table("installations") as batch:
        batch.add_column(sa.Column("uninstalled_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("installations") as batch:
        batch.drop_column("uninstalled_at")
    op.drop_index("ix_oauth_states_installation", table_name="oauth_states")
    op.drop_table("oauth_states")
