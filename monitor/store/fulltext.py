"""A full-text index (SQLite FTS5) that narrows a text query to the mentions that may match it.

Matching a query means folding and regex-matching every mention of the period in polars, and at a
million mentions reading them is most of the cost. The index answers a looser question fast: which
mentions contain the query's words, as words, in order. That is a *superset* of what the query
matches (`nie działa` is found in "nie, działa" too; `-spam` and `lang:pl` are left out), so the
exact matcher (`queries.filter_query`) still runs, on the candidates only, and results are exactly
what they were without the index.

The indexed body of a mention is its text folded (`textnorm.fold`), with every run of non-word
characters (`textnorm.word_class`) made one space. FTS5 then splits at spaces only: its tokens are
our words, whatever Unicode version either side knows, and a query's folded words are split by the
same class into the same tokens. `mention_fts.rowid` is `mention.id`.

On PostgreSQL the same bodies fill a `tsvector` column under a GIN index (`fulltext_pg`, which
says why it is built as it is); every function here serves both. Writers of mention text call
`add`, `replace` and `remove` in the transaction of their write; `rebuild` repairs, `consistent`
checks.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from functools import cache

import polars as pl
import sqlalchemy as sa

from monitor.query.fold import fold_expr, word_class
from monitor.query.nodes import AllOf, AnyOf, Node, Text
from monitor.query.parser import QuerySyntaxError, parse
from monitor.store import fulltext_pg, schema

log = logging.getLogger(__name__)
TABLE = "mention_fts"
# Every category is a token character and the space the one separator: the body has nothing but
# word characters and single spaces, so tokens are exactly our words. Diacritics are already folded
# away where queries fold them; FTS5 must not remove more.
TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* M* N* P* S* Z* C*' separators ' '"
CHUNK = 50_000


def _sqlite(connection: sa.Connection) -> bool:
    return connection.dialect.name == "sqlite"


def _postgres(connection: sa.Connection) -> bool:
    return connection.dialect.name == "postgresql"


def exists(connection: sa.Connection) -> bool:
    """Whether this database has the index (SQLite migrated to 0007, PostgreSQL to 0011, or later)."""
    if _postgres(connection):
        return fulltext_pg.exists(connection)
    if not _sqlite(connection):
        return False
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).first()
    return found is not None


def create(connection: sa.Connection) -> None:
    if _sqlite(connection):
        connection.exec_driver_sql(f'CREATE VIRTUAL TABLE {TABLE} USING fts5(body, tokenize="{TOKENIZE}")')
    elif _postgres(connection):
        fulltext_pg.add_column(connection)
        fulltext_pg.create_indexes(connection)


def drop(connection: sa.Connection) -> None:
    if _sqlite(connection):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
    elif _postgres(connection):
        fulltext_pg.drop(connection)


# --- the indexed form of a text ---------------------------------------------------------------

@cache
def _non_word_run() -> str:
    return "[^" + word_class()[1:] + "+"


@cache
def _word_run() -> re.Pattern[str]:
    return re.compile(word_class() + "+")


def body_expr(text: pl.Expr) -> pl.Expr:
    """The indexed body of each text: folded, words separated by single spaces ("" for no text)."""
    spaced = fold_expr(text).str.replace_all(_non_word_run(), " ")
    return spaced.str.strip_chars(" ").fill_null("")


def pg_body_expr(text: pl.Expr) -> pl.Expr:
    """`body_expr` with every word cut to `fulltext_pg.MAX_WORD` characters (PostgreSQL's lexemes
    are limited; see there)."""
    return body_expr(text).str.replace_all(f"([^ ]{{{fulltext_pg.MAX_WORD}}})[^ ]+", "${1}")


def bodies(texts: Sequence[str | None], postgres: bool = False) -> list[str]:
    """`body_expr` over a list, in one polars pass (a batch of 50,000 folds in about 0.1 s);
    `postgres`: `pg_body_expr`."""
    column = pl.Series("text", list(texts), pl.String).to_frame()
    expr = pg_body_expr if postgres else body_expr
    return column.select(expr(pl.col("text"))).to_series().to_list()


# --- writers: in the transaction that writes the mention text ---------------------------------

def add(connection: sa.Connection, ids: Sequence[int], texts: Sequence[str | None]) -> None:
    """Index new mentions (`ids[i]` has `texts[i]`); ingest calls it for the rows it inserted."""
    if not ids or not exists(connection):
        return
    if _postgres(connection):
        fulltext_pg.set_bodies(connection, ids, bodies(texts, postgres=True))
    else:
        connection.exec_driver_sql(f"INSERT INTO {TABLE}(rowid, body) VALUES (?, ?)",
                                   list(zip(ids, bodies(texts))))


def insert_bodies(connection: sa.Connection, texts: Sequence[str | None]) -> list[str] | None:
    """PostgreSQL's bodies of texts about to be inserted, for ingest's INSERT to index them itself
    (`fulltext_pg.vector`); None elsewhere (SQLite: `add` the inserted rows after)."""
    if _postgres(connection) and exists(connection):
        return bodies(texts, postgres=True)
    return None


def replace(connection: sa.Connection, texts: Mapping[int, str | None]) -> None:
    """Re-index mentions whose text changed (an edit seen on the network, an erasure's scrub)."""
    if texts and exists(connection) and _postgres(connection):
        fulltext_pg.set_bodies(connection, list(texts), bodies(list(texts.values()), postgres=True))
    elif texts and exists(connection):
        _delete(connection, list(texts))
        connection.exec_driver_sql(f"INSERT INTO {TABLE}(rowid, body) VALUES (?, ?)",
                                   list(zip(texts, bodies(list(texts.values())))))


def remove(connection: sa.Connection, ids: Sequence[int]) -> None:
    """Forget deleted mentions. Their words stay in the index's pages until FTS5 merges them:
    `purge` when that must not wait (an erasure). On PostgreSQL the row takes its `search` along."""
    if ids and exists(connection) and _sqlite(connection):
        _delete(connection, ids)


def _delete(connection: sa.Connection, ids: Sequence[int]) -> None:
    connection.exec_driver_sql(f"DELETE FROM {TABLE} WHERE rowid = ?", [(i,) for i in ids])


def purge(connection: sa.Connection) -> None:
    """Merge the index into one segment, which drops every trace of deleted and replaced texts.
    Rewrites the whole index: for erasure, not for routine deletes. On PostgreSQL deleted rows, their
    text and `search` alike, leave the table and its indexes at the next VACUUM (autovacuum's)."""
    if exists(connection) and _sqlite(connection):
        connection.exec_driver_sql(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")


def rebuild(connection: sa.Connection) -> int:
    """Index every mention afresh (the migration's backfill, and the repair); returns the count.
    Reads by id in chunks, so memory stays at one chunk whatever the database size. On PostgreSQL
    the GIN index is built after the column is filled (one sorted pass, not a million inserts)."""
    if _postgres(connection):
        fulltext_pg.drop(connection)
        fulltext_pg.add_column(connection)
    elif _sqlite(connection):
        drop(connection)
        create(connection)
    else:
        return 0
    last, total = 0, 0
    chunk = sa.text("SELECT id, text FROM mention WHERE id > :last ORDER BY id LIMIT :size")
    while rows := connection.execute(chunk, {"last": last, "size": CHUNK}).all():
        ids = [row[0] for row in rows]
        add(connection, ids, [row[1] for row in rows])
        last, total = ids[-1], total + len(ids)
    if _postgres(connection):
        fulltext_pg.create_indexes(connection)
    return total


def consistent(connection: sa.Connection) -> bool:
    """As many index rows as mentions, up to the same newest id: what a missed writer would break.
    (One statement, so one snapshot even with ingest committing meanwhile.) PostgreSQL: no mention
    waits to be indexed."""
    if _postgres(connection):
        return fulltext_pg.consistent(connection)
    if not exists(connection):
        return not _sqlite(connection)
    same = connection.exec_driver_sql(
        f"SELECT (SELECT count(*) FROM mention) = (SELECT count(*) FROM {TABLE}_docsize) "
        f"AND (SELECT max(id) FROM mention) IS (SELECT max(id) FROM {TABLE}_docsize)").scalar()
    return bool(same)


# --- readers ---------------------------------------------------------------------------------

def match_expression(node: Node, postgres: bool = False) -> str | None:
    """An FTS5 MATCH string (`postgres`: a tsquery) that every post `node` matches satisfies, or
    None for "no constraint".

    A term or phrase becomes the phrase of its words' tokens (prefix on the last for a wildcard;
    on PostgreSQL all of its words, see `fulltext_pg.term`); field filters are cheap to test
    afterwards and a negation cannot narrow a superset, so they constrain nothing. AND keeps its
    constrained parts; OR needs every branch constrained.
    """
    both, either = (" & ", " | ") if postgres else (" AND ", " OR ")
    if isinstance(node, Text):
        tokens = [token for word in node.words for token in _word_run().findall(word)]
        if not tokens:
            return None
        if postgres:
            return fulltext_pg.term(tokens, node.wildcard)
        return '"' + " ".join(tokens) + '"' + ("*" if node.wildcard else "")
    if isinstance(node, AllOf):
        parts = [part for part in (match_expression(child, postgres) for child in node.children) if part is not None]
        if len(parts) <= 1:
            return parts[0] if parts else None
        return "(" + both.join(parts) + ")"
    if isinstance(node, AnyOf):
        parts = [match_expression(child, postgres) for child in node.children]
        if any(part is None for part in parts):
            return None
        return "(" + either.join(parts) + ")"  # type: ignore[arg-type]
    return None  # Field, Not


def query_expression(query: str, postgres: bool = False) -> str | None:
    """`match_expression` for a query text; None for an invalid one (the matcher reports it)."""
    try:
        return match_expression(parse(query).root, postgres)
    except QuerySyntaxError:
        return None


def condition(connection: sa.Connection, query: str, ids: sa.ColumnElement[int]) -> sa.ColumnElement[bool] | None:
    """The rows the index keeps for `query` (`ids`: the id column of the mention table or of an
    alias of it), or None where it cannot help."""
    postgres = _postgres(connection)
    expression = query_expression(query, postgres) if query else None
    if expression is None or not exists(connection):
        return None
    if postgres:  # rows not indexed yet are candidates, so a partial index never loses one
        return fulltext_pg.condition(ids.table.name, expression)
    if not consistent(connection):
        log.warning("the search index misses mentions; run search_index.rebuild (queries read everything)")
        return None
    index = sa.table(TABLE, sa.column("rowid"))
    found = sa.select(index.c.rowid).where(sa.text(f"{TABLE} MATCH :fts_query").bindparams(fts_query=expression))
    return ids.in_(found)


def candidates(connection: sa.Connection, query: str) -> sa.Select | None:
    """`SELECT id` of the indexed mentions that may match `query`, or None when the index cannot
    help: no index, a SQLite index missing rows (written past it), or a query that constrains
    nothing (`lang:pl`, a lone negation)."""
    ids = schema.MentionRow.__table__.c.id
    where = condition(connection, query, ids)
    return None if where is None else sa.select(ids).where(where)


def fetch(connection: sa.Connection, statement: sa.Select, query: str,
          ids: sa.ColumnElement[int]) -> tuple[list[str], list[sa.Row]]:
    """Column names and rows of `statement`, narrowed to the index's candidates for `query`
    where the index can help (see `fetch_candidates`), else as it is."""
    found = fetch_candidates(connection, statement, query, ids)
    if found is not None:
        return found
    result = connection.execute(statement)
    return list(result.keys()), result.all()


def fetch_candidates(connection: sa.Connection, statement: sa.Select, query: str,
                     ids: sa.ColumnElement[int]) -> tuple[list[str], list[sa.Row]] | None:
    """Column names and rows of `statement` restricted to the candidates for `query` (`ids` is the
    mention id column), or None where the index cannot help.

    None too should the database refuse the expression, with a warning logged: a page must never
    fail for want of a shortcut. (In a savepoint, which PostgreSQL needs to go on after an error.)
    """
    where = condition(connection, query, ids)
    if where is None:
        return None
    try:
        with connection.begin_nested() if _postgres(connection) else nullcontext():
            result = connection.execute(statement.where(where))
            return list(result.keys()), result.all()
    except sa.exc.DBAPIError as error:
        log.warning("search index refused query %r (%s); reading every mention", query, error.orig)
        return None
