"""inbox: outbox delivery state, saved replies, presence

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

import monitor.store.schema

revision = "0003"
down_revision = "0002"  # was "0001" until 0002_rollups landed (set by the dashboard issue)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_delivery",
        sa.Column("reply_id", sa.Integer(), sa.ForeignKey("reply.id", ondelete="CASCADE"), nullable=False),
        sa.Column("queued_at", monitor.store.schema.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lost_response", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("first_try_at", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.Column("next_attempt_at", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.Column("error_kind", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("reply_id"),
    )
    op.create_index("ix_reply_delivery_next_attempt_at", "reply_delivery", ["next_attempt_at"])
    op.create_table(
        "saved_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", monitor.store.schema.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_saved_reply_brand", "saved_reply", ["brand"])
    op.create_table(
        "presence",
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("seen_at", monitor.store.schema.UTCDateTime(), nullable=False),
        sa.Column("drafting", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("conversation_id", "agent"),
    )
    op.create_index("ix_presence_seen_at", "presence", ["seen_at"])


def downgrade() -> None:
    op.drop_table("presence")
    op.drop_table("saved_reply")
    op.drop_table("reply_delivery")
