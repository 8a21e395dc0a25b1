"""Jira and Linear sync: a theme's tracker issue, its linked tickets, and the playground's sandbox tracker.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import Json
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracker_links",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("theme_id", BigId, sa.ForeignKey("signal_themes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tracker", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("issue_key", sa.String(64), nullable=True),
        sa.Column("issue_id", sa.String(64), nullable=True),
        sa.Column("issue_url", sa.String(500), nullable=True),
        sa.Column("title", sa.String(250), nullable=False),
        sa.Column("status", sa.String(80), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("reported_tickets", sa.Integer(), nullable=False),
        sa.Column("last_commented_at", UTCDateTime(), nullable=True),
        sa.Column("closed_rounds", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "theme_id"),
    )
    op.create_index("ix_tracker_links_issue", "tracker_links", ["installation_id", "tracker", "issue_key"])
    op.create_table(
        "tracker_tickets",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("link_id", BigId, sa.ForeignKey("tracker_links.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("linked_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "link_id", "ticket_id"),
    )
    op.create_table(
        "sandbox_tracker_issues",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("title", sa.String(250), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("comments", Json, nullable=False),
        sa.Column("links", Json, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("sandbox_tracker_issues")
    op.drop_table("tracker_tickets")
    op.drop_table("tracker_links")
