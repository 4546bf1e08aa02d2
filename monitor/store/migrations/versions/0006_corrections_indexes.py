"""sentiment: agents' label corrections; leaner mention indexes

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

import monitor.store.schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "label_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.Column("previous", sa.String(length=10), nullable=True),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("at", monitor.store.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["mention_id"], ["mention.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_label_correction_mention_id", "label_correction", ["mention_id"])
    # Every secondary index is paid for on each insert; these three served no query (the
    # dashboard reads rollups). Unscored mentions get a partial index instead.
    for name in ("ix_mention_brand", "ix_mention_lang", "ix_mention_sentiment"):
        op.drop_index(name, table_name="mention")
    unscored = sa.text("sentiment IS NULL")
    op.create_index("ix_mention_unscored", "mention", ["created_at"], sqlite_where=unscored,
                    postgresql_where=unscored)


def downgrade() -> None:
    op.drop_index("ix_mention_unscored", table_name="mention")
    for name, column in (("ix_mention_brand", "brand"), ("ix_mention_lang", "lang"),
                         ("ix_mention_sentiment", "sentiment")):
        op.create_index(name, "mention", [column])
    op.drop_index("ix_label_correction_mention_id", table_name="label_correction")
    op.drop_table("label_correction")
