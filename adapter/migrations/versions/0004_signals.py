"""Signals: taxonomy, suggestions, signals, themes, the learned model, backfill runs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId
from adapter.db import Json
from adapter.db import UTCDateTime
from adapter.db import installation_column

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_types",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("tag", sa.String(80), nullable=False),
        sa.Column("color", sa.String(7), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("use_default_rules", sa.Boolean(), nullable=False),
        sa.Column("phrases", Json, nullable=False),
        sa.Column("patterns", Json, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id", "key"),
        sa.UniqueConstraint("installation_id", "tag"),
    )
    op.create_table(
        "signal_suggestions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("comment_id", sa.String(64), nullable=False),
        sa.Column("type_key", sa.String(40), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        installation_column(),
        sa.UniqueConstraint("installation_id", "ticket_id", "comment_id", "type_key"),
    )
    op.create_index("ix_signal_suggestions_ticket", "signal_suggestions", ["installation_id", "ticket_id"])
    op.create_table(
        "signal_themes",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("merged_into_id", BigId, sa.ForeignKey("signal_themes.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        installation_column(),
    )
    op.create_index("ix_signal_themes_installation", "signal_themes", ["installation_id", "merged_into_id"])
    op.create_table(
        "signals",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("comment_id", sa.String(64), nullable=True),
        sa.Column("type_key", sa.String(40), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.String(320), nullable=True),
        sa.Column("customer_name", sa.String(200), nullable=True),
        sa.Column("organization", sa.String(200), nullable=True),
        sa.Column("agent_id", sa.String(64), nullable=True),
        sa.Column("agent_name", sa.String(200), nullable=True),
        sa.Column("theme_id", BigId, sa.ForeignKey("signal_themes.id", ondelete="SET NULL"), nullable=True),
        sa.Column("suggestion_id", BigId, sa.ForeignKey("signal_suggestions.id", ondelete="SET NULL"), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        installation_column(),
    )
    op.create_index("ix_signals_created", "signals", ["installation_id", "created_at"])
    op.create_index("ix_signals_ticket", "signals", ["installation_id", "ticket_id"])
    op.create_index("ix_signals_theme", "signals", ["installation_id", "theme_id"])
    op.create_table(
        "signal_models",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("positives", Json, nullable=False),
        sa.Column("trained_at", UTCDateTime(), nullable=False),
        installation_column(),
        sa.UniqueConstraint("installation_id"),
    )
    op.create_table(
        "backfill_runs",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("suggestions", sa.Integer(), nullable=False),
        sa.Column("last_ticket_id", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        installation_column(),
    )
    op.create_index("ix_backfill_runs_installation", "backfill_runs", ["installation_id", "kind", "status"])


def downgrade() -> None:
    op.drop_table("backfill_runs")
    op.drop_table("signal_models")
    op.drop_table("signals")
    op.drop_table("signal_themes")
    op.drop_table("signal_suggestions")
    op.drop_table("signal_types")
