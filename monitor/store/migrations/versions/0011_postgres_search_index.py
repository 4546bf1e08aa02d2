"""full-text search index on PostgreSQL (a tsvector column under GIN)

Revision ID: 0011
Revises: 0010

PostgreSQL only (see `monitor.store.fulltext_pg`): `mention.search` is added and filled from the
mentions already stored, then indexed, so an upgraded database narrows text queries like a fresh
import. SQLite is untouched (its index came with 0007).
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from monitor.store import fulltext

    if op.get_bind().dialect.name == "postgresql":
        fulltext.rebuild(op.get_bind())  # adds the column, fills it, builds the indexes


def downgrade() -> None:
    from monitor.store import fulltext_pg

    if op.get_bind().dialect.name == "postgresql":
        fulltext_pg.drop(op.get_bind())
