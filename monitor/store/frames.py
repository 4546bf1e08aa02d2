"""Read-side functions: the database into polars DataFrames, for reports, search and the dashboard.

The dashboard calls these and never opens sessions itself (STYLE.md).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.query.fold import fold_expr
from monitor.query.parser import parse
from monitor.store import fulltext, schema

MENTION = schema.MentionRow.__table__
REPLY = schema.ReplyRow.__table__
CONVERSATION = schema.ConversationRow.__table__

MENTION_COLUMNS = (
    "id", "source", "source_name", "external_id", "url", "author_handle", "author_name", "author_followers",
    "text", "lang", "created_at", "brand", "matched", "in_reply_to", "conversation_id", "sentiment",
    "sentiment_score", "priority", "status", "assignee",
)
_SCHEMA_OVERRIDES = {"created_at": pl.Datetime("us", "UTC"), "author_followers": pl.Int64,
                     "sentiment_score": pl.Float64, "priority": pl.Float64, "lang": pl.Utf8,
                     "sentiment": pl.Utf8, "brand": pl.Utf8, "assignee": pl.Utf8, "url": pl.Utf8,
                     "author_name": pl.Utf8, "in_reply_to": pl.Utf8, "source_name": pl.Utf8}


def _since_until(statement: sa.Select, column: sa.Column, since: datetime | None, until: datetime | None) -> sa.Select:
    if since is not None:
        statement = statement.where(column >= since)
    if until is not None:
        statement = statement.where(column < until)
    return statement


def read_frame(engine: Engine, statement: sa.Select, dtypes: dict[str, Any] | None = None) -> pl.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        names = list(result.keys())
        rows = result.all()
    return as_frame(names, rows, dtypes)


def as_frame(names: list[str], rows: Sequence[Any], dtypes: dict[str, Any] | None = None) -> pl.DataFrame:
    overrides = {name: kind for name, kind in (dtypes or _SCHEMA_OVERRIDES).items() if name in names}
    if not rows:
        return pl.DataFrame(schema={name: overrides.get(name, pl.Utf8) for name in names})
    return pl.DataFrame(rows, schema=names, orient="row", schema_overrides=overrides, infer_schema_length=None)


def mentions_frame(engine: Engine, columns: tuple[str, ...] = MENTION_COLUMNS, *, since: datetime | None = None,
                   until: datetime | None = None, query: str | None = None, brand: str | None = None) -> pl.DataFrame:
    """Mentions as a frame, optionally filtered by time, brand and a query in the query language."""
    needed = set(columns) | ({"text", "lang", "source", "author_handle"} if query else set())
    ordered = [name for name in MENTION_COLUMNS if name in needed]
    statement = _since_until(sa.select(*(MENTION.c[name] for name in ordered)), MENTION.c.created_at, since, until)
    if brand:
        statement = statement.where(MENTION.c.brand == brand)
    statement = statement.order_by(MENTION.c.created_at, MENTION.c.id)
    with engine.connect() as connection:  # with a query, on SQLite: the full-text index's candidates
        names, rows = fulltext.fetch(connection, statement, query, MENTION.c.id)
    frame = as_frame(names, rows)
    if query:
        frame = filter_query(frame, query)
    return frame.select([name for name in ordered if name in columns])


def filter_query(frame: pl.DataFrame, query: str) -> pl.DataFrame:
    parsed = parse(query)
    return (
        frame.with_columns(fold_expr(pl.col("text")).alias("_folded"))
        .filter(parsed.expr())
        .drop("_folded")
    )


def replies_frame(engine: Engine, *, sent_only: bool = True) -> pl.DataFrame:
    columns = ("id", "source", "external_id", "conversation_id", "mention_id", "in_reply_to", "agent", "text",
               "created_at", "state", "error", "url")
    statement = sa.select(*(REPLY.c[name] for name in columns))
    if sent_only:
        statement = statement.where(REPLY.c.state == "sent")
    return read_frame(engine, statement.order_by(REPLY.c.created_at, REPLY.c.id),
                      {"created_at": pl.Datetime("us", "UTC"), "mention_id": pl.Int64, "error": pl.Utf8,
                       "in_reply_to": pl.Utf8, "url": pl.Utf8, "external_id": pl.Utf8})


def conversations_frame(engine: Engine) -> pl.DataFrame:
    columns = ("id", "source", "root_key", "brand", "started_at", "status", "assignee")
    return read_frame(engine, sa.select(*(CONVERSATION.c[name] for name in columns)),
                      {"started_at": pl.Datetime("us", "UTC"), "brand": pl.Utf8, "assignee": pl.Utf8})


def mention_json(row: dict[str, Any]) -> dict[str, Any]:
    """A mention in the command line's JSON shape (DESIGN.md: a contract)."""
    created = row["created_at"]
    return {
        "id": row["id"], "source": row["source"], "external_id": row["external_id"], "url": row["url"],
        "author": {"handle": row["author_handle"], "name": row.get("author_name"),
                   "followers": row.get("author_followers")},
        "text": row["text"], "created_at": created.isoformat() if created else None, "lang": row["lang"],
        "sentiment": row.get("sentiment"), "sentiment_score": row.get("sentiment_score"),
        "priority": row.get("priority"), "status": row["status"], "brand": row.get("brand"),
        "matched": row.get("matched") or [], "conversation_id": row.get("conversation_id"),
        "in_reply_to": row.get("in_reply_to"), "source_name": row.get("source_name"),
    }
