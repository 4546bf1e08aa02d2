"""an idempotency key on notes

Revision ID: 0009
Revises: 0008

The dashboard sends one token per note form; the unique index makes a double click or a
repeated submission store one note. Replies already have `reply.idempotency_key` (unique).
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("note") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
    op.create_index("uq_note_idempotency_key", "note", ["idempotency_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_note_idempotency_key", table_name="note")
    with op.batch_alter_table("note") as batch:
        batch.drop_column("idempotency_key")
