"""mention rollups and spike alerts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:00:00

The rollup is filled from the mentions already stored, so an upgraded database shows the same
figures as a fresh import of the same data.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import monitor.store.schema

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mention_rollup',
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('brand', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('sentiment', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hour', 'brand', 'source', 'lang', 'sentiment'),
    sqlite_with_rowid=False,
    )
    op.create_table('mention_rollup_brand',
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('brand', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sentiment', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hour', 'brand', 'sentiment'),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_mention_followers', 'mention', ['author_followers'], unique=False)
    op.create_table('alert_sent',
    sa.Column('brand', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.Column('usual', sa.Float(), nullable=False),
    sa.Column('sent_at', monitor.store.schema.UTCDateTime(), nullable=False),
    sa.Column('delivered', sa.Boolean(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('brand', 'hour'),
    )
    from monitor.store.rollups import rebuild

    rebuild(op.get_bind(), levels=False)  # 0008 adds and fills the day and week rollups


def downgrade() -> None:
    op.drop_table('alert_sent')
    op.drop_index('ix_mention_followers', table_name='mention')
    op.drop_table('mention_rollup_brand')
    op.drop_table('mention_rollup')
