"""Copy-paste warnings: reply fingerprints, LSH band keys, macros, customer context, weekly team counts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_fingerprints",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("comment_id", sa.String(64), nullable=True),
        sa.Column("agent_id", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        installation_column(),
        sa.UniqueConstraint("installation_id", "comment_id"),
    )
    op.create_index("ix_reply_fingerprints_created", "reply_fingerprints", ["installation_id", "created_at"])
    op.create_table(
        "reply_bands",
        sa.Column("fingerprint_id", BigId, sa.ForeignKey("reply_fingerprints.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("band", sa.SmallInteger(), primary_key=True),
        sa.Column("key", sa.BigInteger(), nullable=False),
        installation_column(),
    )
    op.create_index("ix_reply_bands_key", "reply_bands", ["installation_id", "key", "fingerprint_id"])
    op.create_table(
        "macros",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("synced_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "external_id"),
    )
    op.create_table(
        "reply_contexts",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("customer_name", sa.String(200), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "ticket_id"),
    )
    op.create_table(
        "reply_check_weeks",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("warned", sa.Integer(), nullable=False),
        sa.Column("edited", sa.Integer(), nullable=False),
        sa.Column("sent_anyway", sa.Integer(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "week"),
    )


def downgrade() -> None:
    for table in ("reply_check_weeks", "reply_contexts", "macros", "reply_bands", "reply_fingerprints"):
        op.drop_table(table)
