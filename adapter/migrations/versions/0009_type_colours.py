"""UX friction and churn risk get colours of their own: amber and red were hard to tell from Bug's orange in charts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only where the admin kept the built-in colour.
    op.execute("UPDATE signal_types SET color = '#be185d' WHERE key = 'ux_friction' AND color = '#b45309'")
    op.execute("UPDATE signal_types SET color = '#7f1d1d' WHERE key = 'churn_risk' AND color = '#b91c1c'")


def downgrade() -> None:
    op.execute("UPDATE signal_types SET color = '#b45309' WHERE key = 'ux_friction' AND color = '#be185d'")
    op.execute("UPDATE signal_types SET color = '#b91c1c' WHERE key = 'churn_risk' AND color = '#7f1d1d'")
