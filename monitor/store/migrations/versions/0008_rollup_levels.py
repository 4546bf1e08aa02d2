"""day and week rollups beside the hourly one

Revision ID: 0008
Revises: 0007

Filled from the hourly rollup, so an upgraded database counts the same as a fresh import.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, unit in (("mention_rollup_day", "day"), ("mention_rollup_week", "week")):
        op.create_table(
            name,
            sa.Column(unit, sa.Integer(), nullable=False),
            sa.Column("brand", sa.String(length=200), nullable=False),
            sa.Column("source", sa.String(length=40), nullable=False),
            sa.Column("lang", sa.String(length=8), nullable=False),
            sa.Column("sentiment", sa.String(length=10), nullable=False),
            sa.Column("mentions", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint(unit, "brand", "source", "lang", "sentiment"),
            sqlite_with_rowid=False,
        )
    from monitor.store.rollups import rebuild_levels

    rebuild_levels(op.get_bind())


def downgrade() -> None:
    op.drop_table("mention_rollup_week")
    op.drop_table("mention_rollup_day")
