"""Engines and schema upgrades. SQLite (WAL) is the embedded default; PostgreSQL at scale."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine, create_engine, event

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"""^(down_)?revision\s*=\s*["']?([^"'\s#]+)""", re.MULTILINE)


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`) and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 64 MB of page cache (the default is 2 MB): bulk ingest updates several b-trees with random
    # keys, and past a few hundred thousand mentions the default cache thrashes.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def upgrade(engine: Engine) -> None:
    """Create the schema or bring an existing database up to the newest migration.

    Every command calls this; a database already at the newest revision returns after one query,
    without loading alembic and its migration scripts (a third of a second on every command).
    """
    if _at_head(engine):
        return
    from alembic import command  # only when there is something to migrate
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def head_revisions() -> set[str]:
    """The newest migration(s), read from the scripts' `revision =` and `down_revision =` lines.
    A layout this cannot read (a merge's tuple of parents) only makes `_at_head` say no, so
    alembic runs as before."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    return revisions - parents


def _at_head(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            stored = {row[0] for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))}
    except sa.exc.DBAPIError:  # no schema yet
        return False
    return bool(stored) and stored == head_revisions()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
