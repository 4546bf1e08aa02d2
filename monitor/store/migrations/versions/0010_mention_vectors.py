"""sentence vectors of negative mentions, for complaint themes

Revision ID: 0010
Revises: 0009

Scoring stores each negative mention's sentence vector (float16 bytes), so the Complaint themes
page clusters stored vectors instead of running the model on every first visit. A mention's
vector goes with it (erasure, retention): ON DELETE CASCADE.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mention_vector",
        sa.Column("mention_id", sa.Integer(), sa.ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True,
                  nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mention_vector")
