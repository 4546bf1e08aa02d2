"""full-text search index over folded mention texts (SQLite FTS5)

Revision ID: 0007
Revises: 0006

SQLite only (see `monitor.store.fulltext`): the index is created and filled from the mentions
already stored, so an upgraded database narrows text queries like a fresh import. PostgreSQL
reads every mention of the period, as before; nothing changes there.
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from monitor.store import fulltext

    if op.get_bind().dialect.name == "sqlite":  # PostgreSQL's index comes with 0011
        fulltext.rebuild(op.get_bind())  # creates the table


def downgrade() -> None:
    from monitor.store import fulltext

    if op.get_bind().dialect.name == "sqlite":
        fulltext.drop(op.get_bind())
