"""Copy-paste warnings compare words in order: a narrow key table replaces the band table; old fingerprints wait.

The schema change is quick (a new empty table, a nullable column, a partial index, the old band table
dropped), so the service is back up at once. Stored replies are then re-fingerprinted from their
text by the worker, newest first, in short batches (`valuedesk replies refingerprint` does it at
once); a reply whose text the retention period already dropped cannot be re-fingerprinted and is
removed. Until a reply is re-fingerprinted, checks do not see it (fewer warnings, never an error).

Downgrading removes the replies fingerprinted here (the old code cannot read them) and leaves the
older ones to the old band table, which comes back empty.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from adapter.db import BigId

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_keys",
        sa.Column("key", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("fingerprint_id", BigId, primary_key=True, autoincrement=False),
        sqlite_with_rowid=False,
    )
    op.add_column("reply_fingerprints", sa.Column("version", sa.SmallInteger(), nullable=True))
    op.create_index("ix_reply_fingerprints_waiting", "reply_fingerprints", ["installation_id", "id"],
                    sqlite_where=sa.text("version IS NULL"), postgresql_where=sa.text("version IS NULL"))
    op.drop_table("reply_bands")


def downgrade() -> None:
    op.execute("DELETE FROM reply_fingerprints WHERE version IS NOT NULL")
    op.drop_index("ix_reply_fingerprints_waiting", "reply_fingerprints")
    with op.batch_alter_table("reply_fingerprints") as batch:
        batch.drop_column("version")
    op.drop_table("reply_keys")
    op.create_table(
        "reply_bands",
        sa.Column("fingerprint_id", BigId, sa.ForeignKey("reply_fingerprints.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("band", sa.SmallInteger(), primary_key=True),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("installation_id", sa.String(64), sa.ForeignKey("installations.id", ondelete="CASCADE"),
                  nullable=False),
    )
    op.create_index("ix_reply_bands_key", "reply_bands", ["installation_id", "key", "fingerprint_id"])
