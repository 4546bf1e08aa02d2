"""Bulk writes and look-ups on PostgreSQL, for ingest and the rollups.

SQLite takes multi-row VALUES statements well; PostgreSQL through psycopg does not: psycopg parses
every placeholder of a statement in Python, so a 65,535-parameter INSERT spends seconds before the
server sees it (742 mentions/s measured for ingest, see benchmarks/ingest.py). Here rows go in by
`COPY` into a temporary staging table and one `INSERT ... SELECT ... ON CONFLICT DO NOTHING
RETURNING`, and key look-ups bind one array (`= ANY(%s)`) instead of thousands of parameters.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from monitor.store import fulltext_pg

log = logging.getLogger(__name__)


def copy_rows(connection: sa.Connection, table: str, names: Sequence[str], rows: Sequence[tuple],
              types: Sequence[str] | None = None) -> None:
    """Driver-ready rows into `table` by COPY (psycopg adapts each value in C).

    With `types` (`copy_types`) in COPY's binary format first, which spares escaping every string:
    into an index-free staging table, as ingest uses, it wrote 100,000 mention rows in 0.8 s
    against 1.7 s as text (a one-off measurement); into the indexed `mention` table, where the
    server's work dominates, about 6 % faster (`benchmarks/ingest.py` prints both bare rates).
    A binary field is written by the column's type, not the value's, so a value of another type
    (a collector's follower count as "1200") fails it; the rows are then written again as text,
    which converts such values as before, inside a savepoint so the transaction goes on."""
    if types is not None:
        import psycopg  # PostgreSQL installations only; SQLite ones never load it

        try:
            with connection.begin_nested():
                _copy(connection, table, names, rows, types)
            return
        except (psycopg.Error, TypeError, AttributeError, ValueError) as error:
            # the error's text can quote a value (a post's text): only its kind is logged
            log.info("binary COPY into %s refused a value (%s); writing the rows as text",
                     table, type(error).__name__)
    _copy(connection, table, names, rows, None)


def _copy(connection: sa.Connection, table: str, names: Sequence[str], rows: Sequence[tuple],
          types: Sequence[str] | None) -> None:
    cursor = connection.connection.driver_connection.cursor()
    binary = " (FORMAT BINARY)" if types is not None else ""
    try:
        with cursor.copy(f'COPY "{table}" ({", ".join(names)}) FROM STDIN{binary}') as copy:
            if types is not None:
                copy.set_types(list(types))
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


# Column types (as `format_type` names them) whose driver-ready values psycopg writes in COPY's
# binary format, and the type it writes them as. A binary field must match its column exactly (an
# `integer` column takes 4 bytes); JSON goes as its text (json's binary input is its text; jsonb's
# is not, so a jsonb column keeps the text format).
BINARY_TYPES = {"integer": "int4", "bigint": "int8", "smallint": "int2", "text": "text",
                "character varying": "text", "json": "text", "timestamp without time zone": "timestamp",
                "boolean": "bool", "double precision": "float8", "real": "float4"}


def copy_types(connection: sa.Connection, table: str, names: Sequence[str]) -> list[str] | None:
    """The types to send `names` of `table` as in a binary COPY, read from the database's own
    catalogue; None (text COPY) if any column's type is not in `BINARY_TYPES`."""
    found = dict(connection.exec_driver_sql(
        "SELECT attname, regexp_replace(format_type(atttypid, atttypmod), '\\(.*\\)', '') "
        "FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
        (table,)).all())
    types = [BINARY_TYPES.get(found.get(name, "")) for name in names]
    return None if None in types else types


def insert_new(connection: sa.Connection, table: sa.Table, names: Sequence[str], rows: Sequence[tuple],
               constraint: Sequence[str], search_bodies: Sequence[str] | None = None) -> list[tuple]:
    """Insert driver-ready rows (`names` are their columns), skipping those whose `constraint`
    columns exist; return `(id, *constraint)` of each row inserted, exact with other writers at
    work. `search_bodies` (mentions only): the full-text bodies, indexed in the same INSERT."""
    stage = f"stage_{table.name}"
    columns = ", ".join(names)
    body = ", NULL::text AS body" if search_bodies is not None else ""
    connection.exec_driver_sql(f'CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS '
                               f'SELECT {columns}{body} FROM "{table.name}" WITH NO DATA')
    connection.exec_driver_sql(f"TRUNCATE {stage}")
    if search_bodies is not None:
        rows = [(*row, text) for row, text in zip(rows, search_bodies)]
        names = [*names, "body"]
    copy_rows(connection, stage, names, rows, copy_types(connection, stage, names))
    target, source = columns, columns
    if search_bodies is not None:
        target, source = f"{columns}, {fulltext_pg.COLUMN}", f"{columns}, {fulltext_pg.vector('body')}"
    keys = ", ".join(constraint)
    cursor = connection.connection.driver_connection.cursor()  # plain tuples: SQLAlchemy's Rows
    try:                                                        # cost more than the INSERT's wait
        cursor.execute(f'INSERT INTO "{table.name}" ({target}) SELECT {source} FROM {stage} '
                       f"ON CONFLICT ({keys}) DO NOTHING RETURNING id, {keys}")
        return cursor.fetchall()
    finally:
        cursor.close()


def among(column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """`column IN values` as one bound array, whatever the number of values."""
    kind = sa.Integer if isinstance(column.type, sa.Integer) else sa.String
    return column == sa.any_(sa.literal(list(values), sa.ARRAY(kind)))


def upsert_counts(connection: sa.Connection, table: str, key: Sequence[str], rows: Sequence[tuple]) -> None:
    """Add counts to cells (`rows`: `(*key, count)`, sorted, each key once), creating missing ones:
    one INSERT over arrays, one per column."""
    types = ["int" if isinstance(rows[0][i], int) else "text" for i in range(len(key))] + ["int"]
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    columns = list(zip(*rows))
    connection.exec_driver_sql(
        f'INSERT INTO "{table}" ({", ".join(key)}, mentions) SELECT * FROM unnest({arrays}) '
        f'ON CONFLICT ({", ".join(key)}) DO UPDATE SET mentions = "{table}".mentions + excluded.mentions',
        tuple(list(column) for column in columns))
