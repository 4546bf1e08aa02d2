"""meta: hidden, edited and deleted comments

Revision ID: 0004
Revises: 0003

Facebook and Instagram comments are hidden by moderators, edited and deleted by their authors;
the mention row records each, so nothing is stored twice and nothing hidden is lost.
"""
import sqlalchemy as sa
from alembic import op

import monitor.store.schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mention") as batch:
        batch.add_column(sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("edited_at", monitor.store.schema.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("deleted_at", monitor.store.schema.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mention") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("edited_at")
        batch.drop_column("hidden")
