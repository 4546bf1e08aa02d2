"""Bulk writes and look-ups on PostgreSQL, for ingest and the rollups.

SQLite takes multi-row VALUES statements well; PostgreSQL through psycopg does not: psycopg parses
every placeholder of a statement in Python, so a 65,535-parameter INSERT spends seconds before the
server sees it (742 mentions/s measured for ingest, see benchmarks/ingest.py). Here rows go in by
`COPY` into a temporary staging table and one `INSERT ... SELECT ... ON CONFLICT DO NOTHING
RETURNING`, and key look-ups bind one array (`= ANY(%s)`) instead of thousands of parameters.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from monitor.store import fulltext_pg


def copy_rows(connection: sa.Connection, table: str, names: Sequence[str], rows: Sequence[tuple]) -> None:
    """Driver-ready rows into `table` by COPY (psycopg adapts each value in C)."""
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(f'COPY "{table}" ({", ".join(names)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


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
    copy_rows(connection, stage, names, rows)
    target, source = columns, columns
    if search_bodies is not None:
        target, source = f"{columns}, {fulltext_pg.COLUMN}", f"{columns}, {fulltext_pg.vector('body')}"
    keys = ", ".join(constraint)
    return connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({target}) SELECT {source} FROM {stage} '
        f"ON CONFLICT ({keys}) DO NOTHING RETURNING id, {keys}").all()


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
