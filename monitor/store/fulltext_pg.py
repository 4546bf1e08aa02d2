"""The full-text index on PostgreSQL: a `tsvector` column on `mention` (`search`) under a GIN index.

Same contract as SQLite's FTS5 index (`monitor.store.fulltext`, which calls this module): the index
gives a *superset* of the mentions a query may match, and the exact matcher decides. The design:

- `search` holds the words of the indexed body (`fulltext.bodies`: folded, words joined by single
  spaces) as lexemes, built by `array_to_tsvector(string_to_array(body, ' '))`: no parser, no
  stemming, no stop words, so a lexeme is exactly one of our words. `to_tsvector('simple', ...)`
  would run PostgreSQL's own parser, whose idea of a word (hyphens, e-mail addresses, URLs, the
  database locale's letters) is not the matcher's.
- No positions: a phrase narrows as the AND of its words. Positions could test adjacency, but
  PostgreSQL clamps them past 16,383 and keeps 256 per word, which would lose a phrase far into a
  long post (a broken superset), and GIN does not store them anyway (every phrase candidate would be
  rechecked from the heap). A prefix (`dział*`) is a lexeme prefix (`'dzial':*`), which GIN serves.
- A word longer than `MAX_WORD` characters is cut to its first `MAX_WORD` (a lexeme holds at most
  2,047 bytes); a query word that long becomes a prefix of the same cut.
- NULL means "not indexed": a body of 1 MB or more (a tsvector's limit), a row some writer stored
  without the index, or a text changed without re-indexing (a trigger clears `search` then). Such
  rows are always candidates (`search IS NULL`, served by a small partial index), so nothing is lost
  however the row was written; `consistent` says whether there are any, `rebuild` fills them.

Writers keep it in their transaction: ingest computes `search` in its own INSERT (`VECTOR`), edits
and erasure call `set_bodies`; a deleted mention takes its `search` with it.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

MAX_WORD = 200
MAX_BODY_BYTES = 1_000_000
COLUMN = "search"
INDEX = "ix_mention_search"
UNINDEXED = "ix_mention_unindexed"
TRIGGER = "mention_search_stale"


def vector(body_sql: str) -> str:
    """The SQL that turns a body (an SQL expression) into the `search` value."""
    return (f"CASE WHEN octet_length({body_sql}) < {MAX_BODY_BYTES} "
            f"THEN array_to_tsvector(string_to_array({body_sql}, ' ')) END")


def exists(connection: sa.Connection) -> bool:
    found = connection.exec_driver_sql(
        "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('mention') AND attname = %s "
        "AND NOT attisdropped", (COLUMN,)).first()
    return found is not None


def add_column(connection: sa.Connection) -> None:
    """The column only: `create_indexes` after filling it builds the GIN index in one sorted pass."""
    connection.exec_driver_sql(f"ALTER TABLE mention ADD COLUMN IF NOT EXISTS {COLUMN} tsvector")


def create_indexes(connection: sa.Connection) -> None:
    # A 16 MB pending list (the default is 4 MB): ingest appends there and merges in larger sorted
    # runs, which is what GIN maintenance costs at ingest (see benchmarks/ingest.py).
    connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {INDEX} ON mention USING gin ({COLUMN}) "
                               "WITH (fastupdate = on, gin_pending_list_limit = 16384)")
    connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {UNINDEXED} ON mention (id) WHERE {COLUMN} IS NULL")
    connection.exec_driver_sql(f"""
        CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.text IS DISTINCT FROM OLD.text AND NEW.{COLUMN} IS NOT DISTINCT FROM OLD.{COLUMN} THEN
                NEW.{COLUMN} := NULL;  -- the text changed and nobody re-indexed it: a candidate always
            END IF;
            RETURN NEW;
        END $$""")
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TRIGGER} ON mention")
    connection.exec_driver_sql(f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF text ON mention "
                               f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()")


def drop(connection: sa.Connection) -> None:
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TRIGGER} ON mention")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    connection.exec_driver_sql(f"ALTER TABLE mention DROP COLUMN IF EXISTS {COLUMN}")  # its indexes go too


def set_bodies(connection: sa.Connection, ids: Sequence[int], bodies: Sequence[str]) -> None:
    """Index these mentions with these bodies (`pg_bodies` of their texts): COPY into a temporary
    table, one UPDATE joined to it."""
    if not ids:
        return
    connection.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS fts_body (id bigint, body text) "
                               "ON COMMIT DELETE ROWS")
    connection.exec_driver_sql("TRUNCATE fts_body")
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy("COPY fts_body (id, body) FROM STDIN") as copy:
            for row in zip(ids, bodies):
                copy.write_row(row)
    finally:
        cursor.close()
    connection.exec_driver_sql(f"UPDATE mention SET {COLUMN} = {vector('fts_body.body')} "
                               "FROM fts_body WHERE mention.id = fts_body.id")


def consistent(connection: sa.Connection) -> bool:
    """No mention waits to be indexed (a look at the partial index, whatever the table's size)."""
    if not exists(connection):
        return False
    waiting = connection.exec_driver_sql(f"SELECT 1 FROM mention WHERE {COLUMN} IS NULL LIMIT 1").first()
    return waiting is None


# --- readers ---------------------------------------------------------------------------------

def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def term(tokens: Sequence[str], wildcard: bool) -> str:
    """A term or phrase as a tsquery: all its words (a word past `MAX_WORD`, or the last of a
    wildcard, as a prefix)."""
    parts = []
    for index, token in enumerate(tokens):
        prefix = (wildcard and index == len(tokens) - 1) or len(token) > MAX_WORD
        parts.append(_lexeme(token[:MAX_WORD]) + (":*" if prefix else ""))
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


def condition(table: str, expression: str) -> sa.TextClause:
    """`table`'s rows that may match `expression` (a tsquery from `term`s): its words, or no index."""
    return sa.text(f'("{table}".{COLUMN} @@ CAST(:fts_query AS tsquery) OR "{table}".{COLUMN} IS NULL)'
                   ).bindparams(fts_query=expression)
