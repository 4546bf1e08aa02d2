"""Idempotent bulk ingest: values in, rows out, one row per `(source, external_id)`.

Each batch is one transaction: conversations first, then mentions, inserted with
`ON CONFLICT DO NOTHING` (SQLite and PostgreSQL alike), so a crash loses only the batch in
flight and a rerun inserts exactly what is missing. Brand queries are matched per batch in polars.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite

from monitor import rollups, tables
from monitor.query import BrandMatcher
from monitor.values import ImportedReply, Mention, ThreadSnapshot

log = logging.getLogger(__name__)
BATCH_SIZE = 50_000
LOOKUP_CHUNK = 5_000
Progress = Callable[[int], None]


@dataclass
class IngestResult:
    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    unmatched: int = 0
    replies_inserted: int = 0
    reply_duplicates: int = 0
    inserted_ids: list[int] = field(default_factory=list)

    def add(self, other: "IngestResult") -> None:
        for name in ("read", "inserted", "duplicates", "unmatched", "replies_inserted", "reply_duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.inserted_ids.extend(other.inserted_ids)


def insert_ignoring_duplicates(connection: sa.Connection, table: sa.Table, constraint: Sequence[str]):
    """`INSERT ... ON CONFLICT (constraint) DO NOTHING` in the connection's dialect."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=list(constraint))


def _sqlite_value_converters(table: sa.Table, names: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    """What SQLAlchemy's bind processing would do per column, done once per column instead."""
    converters: list[Callable[[Any], Any] | None] = []
    for name in names:
        kind = table.c[name].type
        if isinstance(kind, tables.UTCDateTime):
            converters.append(lambda v: None if v is None else v.astimezone(timezone.utc).replace(tzinfo=None)
                              .isoformat(" ", "microseconds"))
        elif isinstance(kind, sa.JSON):
            converters.append(lambda v: json.dumps(v, ensure_ascii=False))
        else:
            converters.append(None)
    return converters


def insert_new_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]],
                    constraint: Sequence[str]) -> list[int]:
    """Insert rows, skipping those whose `constraint` columns exist; return the new rows' ids.

    On SQLite the rows go straight to the driver's `executemany` (SQLAlchemy's per-row parameter
    processing cost more than the insert itself), and the new ids are those above the largest id
    before the insert: the caller's transaction already holds SQLite's write lock (it wrote the
    conversations first), so no other writer can interleave. PostgreSQL uses `RETURNING`, which
    stays exact with several workers inserting at once.
    """
    if not rows:
        return []
    if connection.dialect.name != "sqlite":
        statement = insert_ignoring_duplicates(connection, table, constraint).returning(table.c.id)
        return [row[0] for row in connection.execute(statement, list(rows)).all()]
    names = list(rows[0])
    converters = _sqlite_value_converters(table, names)
    values = [tuple(row[name] if convert is None else convert(row[name]) for name, convert in zip(names, converters))
              for row in rows]
    before = connection.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    sql = (f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))}) '
           f'ON CONFLICT ({", ".join(constraint)}) DO NOTHING')
    connection.exec_driver_sql(sql, values)
    return list(connection.execute(sa.select(table.c.id).where(table.c.id > before).order_by(table.c.id)).scalars())


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _frame(mentions: Sequence[Mention]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source": [m.source for m in mentions],
            "external_id": [m.external_id for m in mentions],
            "text": [m.text for m in mentions],
            "lang": [m.lang for m in mentions],
            "author_handle": [m.author.handle for m in mentions],
        },
        schema={name: pl.Utf8 for name in ("source", "external_id", "text", "lang", "author_handle")},
    )


def match_brands(mentions: Sequence[Mention], matcher: BrandMatcher | None) -> tuple[list[str | None], list[list[str]]]:
    """Which brand each mention is about, and which brand queries it matched."""
    if matcher is None or not mentions:
        return [m.brand for m in mentions], [[] for _ in mentions]
    matched = matcher.match_frame(_frame(mentions))
    brands = [m.brand or found for m, found in zip(mentions, matched["brand"].to_list())]
    return brands, matched["matched"].to_list()


def _lookup(connection: sa.Connection, column_table: sa.Table, source: str, keys: Iterable[str],
            key_column: str, value_column: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    key_col, value_col = column_table.c[key_column], column_table.c[value_column]
    for chunk in batched(sorted(set(keys)), LOOKUP_CHUNK):
        query = sa.select(key_col, value_col).where(column_table.c.source == source, key_col.in_(chunk))
        found.update(dict(connection.execute(query).all()))
    return found


def _parent_roots(connection: sa.Connection, source: str, parents: set[str]) -> dict[str, str]:
    """Root keys of stored posts (mentions or replies) that new posts answer."""
    if not parents:
        return {}
    conv = tables.Conversation.__table__
    roots: dict[str, str] = {}
    for table in (tables.Mention.__table__, tables.Reply.__table__):
        for chunk in batched(sorted(parents - set(roots)), LOOKUP_CHUNK):
            query = (
                sa.select(table.c.external_id, conv.c.root_key)
                .join(conv, conv.c.id == table.c.conversation_id)
                .where(table.c.source == source, table.c.external_id.in_(chunk))
            )
            roots.update(dict(connection.execute(query).all()))
    return roots


def conversation_keys(connection: sa.Connection, posts: Sequence[Mention | ImportedReply]) -> list[str]:
    """The root key of each post's thread: the network's, a stored parent's, or its own id."""
    by_source: dict[str, set[str]] = {}
    for post in posts:
        if not post.conversation_key and post.in_reply_to:
            by_source.setdefault(post.source, set()).add(post.in_reply_to)
    stored = {source: _parent_roots(connection, source, parents) for source, parents in by_source.items()}
    in_batch: dict[tuple[str, str], str] = {}
    keys: list[str] = [""] * len(posts)
    for index in sorted(range(len(posts)), key=lambda i: posts[i].created_at):
        post = posts[index]
        key = post.conversation_key
        if not key and post.in_reply_to:
            key = in_batch.get((post.source, post.in_reply_to)) or stored.get(post.source, {}).get(post.in_reply_to)
        keys[index] = key or post.external_id
        in_batch[(post.source, post.external_id)] = keys[index]
    return keys


def ensure_conversations(connection: sa.Connection, posts: Sequence[Any], keys: Sequence[str],
                         brands: Sequence[str | None]) -> dict[tuple[str, str], int]:
    """Create missing conversations and return the id of every `(source, root_key)` asked for."""
    conv = tables.Conversation.__table__
    first: dict[tuple[str, str], dict[str, Any]] = {}
    for post, key, brand in zip(posts, keys, brands):
        row = first.get((post.source, key))
        if row is None or post.created_at < row["started_at"]:
            first[(post.source, key)] = {"source": post.source, "root_key": key, "brand": brand,
                                         "started_at": post.created_at, "status": "open"}
    insert_new_rows(connection, conv, list(first.values()), ("source", "root_key"))
    ids: dict[tuple[str, str], int] = {}
    sources = {source for source, _ in first}
    for source in sources:
        wanted = [key for s, key in first if s == source]
        for key, conv_id in _lookup(connection, conv, source, wanted, "root_key", "id").items():
            ids[(source, key)] = conv_id
    return ids


def _mention_rows(mentions: Sequence[Mention], brands, matched, conv_ids, keys, now) -> list[dict[str, Any]]:
    return [
        {
            "source": m.source, "source_name": m.source_name, "external_id": m.external_id, "url": m.url,
            "author_handle": m.author.handle, "author_name": m.author.name,
            "author_followers": m.author.followers, "text": m.text, "lang": m.lang,
            "created_at": m.created_at, "collected_at": now, "brand": brand, "matched": hits,
            "in_reply_to": m.in_reply_to, "conversation_id": conv_ids[(m.source, key)], "status": "open",
        }
        for m, brand, hits, key in zip(mentions, brands, matched, keys)
    ]


def ingest_batch(engine: Engine, mentions: Sequence[Mention], matcher: BrandMatcher | None,
                 require_match: bool = False, now: datetime | None = None) -> IngestResult:
    result = IngestResult(read=len(mentions))
    brands, matched = match_brands(mentions, matcher)
    if require_match:  # a collector that knows the brand (its own page's comments) needs no match
        keep = [i for i, hits in enumerate(matched) if hits or mentions[i].brand]
        result.unmatched = len(mentions) - len(keep)
        mentions = [mentions[i] for i in keep]
        brands, matched = [brands[i] for i in keep], [matched[i] for i in keep]
    if not mentions:
        return result
    now = now or datetime.now(timezone.utc)
    table = tables.Mention.__table__
    with engine.begin() as connection:
        keys = conversation_keys(connection, mentions)
        conv_ids = ensure_conversations(connection, mentions, keys, brands)
        rows = _mention_rows(mentions, brands, matched, conv_ids, keys, now)
        inserted = insert_new_rows(connection, table, rows, ("source", "external_id"))
        rollups.mentions_added(connection, inserted)
    result.inserted = len(inserted)
    result.inserted_ids = inserted
    result.duplicates = len(rows) - len(inserted)
    return result


def ingest(engine: Engine, mentions: Iterable[Mention], matcher: BrandMatcher | None = None, *,
           require_match: bool = False, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> IngestResult:
    """Store mentions in committed batches; what was committed before a crash stays, once."""
    total = IngestResult()
    for batch in batched(mentions, batch_size):
        total.add(ingest_batch(engine, batch, matcher, require_match))
        if progress:
            progress(len(batch))
    return total


def _mention_ids(connection: sa.Connection, replies: Sequence[ImportedReply]) -> dict[tuple[str, str], int]:
    table = tables.Mention.__table__
    ids: dict[tuple[str, str], int] = {}
    for source in {r.source for r in replies}:
        parents = [r.in_reply_to for r in replies if r.source == source and r.in_reply_to]
        for external_id, mention_id in _lookup(connection, table, source, parents, "external_id", "id").items():
            ids[(source, external_id)] = mention_id
    return ids


def ingest_replies(engine: Engine, replies: Sequence[ImportedReply], batch_size: int = BATCH_SIZE) -> IngestResult:
    """Store brand replies from history as sent replies, linked to the mention they answer."""
    total = IngestResult()
    table = tables.Reply.__table__
    for batch in batched(sorted(replies, key=lambda r: r.created_at), batch_size):
        with engine.begin() as connection:
            keys = conversation_keys(connection, batch)
            conv_ids = ensure_conversations(connection, batch, keys, [r.brand for r in batch])
            mention_ids = _mention_ids(connection, batch)
            rows = [
                {"source": r.source, "external_id": r.external_id, "conversation_id": conv_ids[(r.source, key)],
                 "mention_id": mention_ids.get((r.source, r.in_reply_to or "")), "in_reply_to": r.in_reply_to,
                 "agent": r.agent, "text": r.text, "created_at": r.created_at, "state": "sent", "url": r.url}
                for r, key in zip(batch, keys)
            ]
            inserted = len(insert_new_rows(connection, table, rows, ("source", "external_id")))
        total.read += len(batch)
        total.replies_inserted += inserted
        total.reply_duplicates += len(batch) - inserted
    return total


# --- refresh: comments edited or deleted on the network (opt-in; ingest above is unchanged) ---

@dataclass
class RefreshResult:
    edited: int = 0
    deleted: int = 0
    restored: int = 0


def refresh_mentions(engine: Engine, mentions: Sequence[Mention], threads: Sequence[ThreadSnapshot],
                     now: datetime | None = None) -> RefreshResult:
    """Bring stored rows in line with what the network shows now, for sources that re-read whole
    threads (Facebook, Instagram): a changed text is updated in place (`edited_at`, and unscored
    so it is scored again), a stored mention missing from its thread's snapshot is marked
    `deleted_at` (kept, never removed: agents may have answered it), one seen again is restored.
    Only existing rows are touched; new ones are `ingest`'s."""
    now = now or datetime.now(timezone.utc)
    result = RefreshResult()
    with engine.begin() as connection:
        _refresh_texts(connection, mentions, now, result)
        for snapshot in threads:
            _refresh_thread(connection, snapshot, now, result)
    if result.edited or result.deleted or result.restored:
        log.info("refreshed mentions: %s", result)
    return result


def _refresh_texts(connection: sa.Connection, mentions: Sequence[Mention], now: datetime,
                   result: RefreshResult) -> None:
    table = tables.Mention.__table__
    edited: dict[int, str] = {}
    for source in {m.source for m in mentions}:
        wanted = {m.external_id: m.text for m in mentions if m.source == source}
        for chunk in batched(sorted(wanted), LOOKUP_CHUNK):
            query = sa.select(table.c.id, table.c.external_id, table.c.text).where(
                table.c.source == source, table.c.external_id.in_(chunk))
            edited.update({row.id: wanted[row.external_id] for row in connection.execute(query)
                           if row.text != wanted[row.external_id]})
    for mention_id, text in edited.items():
        connection.execute(table.update().where(table.c.id == mention_id)
                           .values(text=text, edited_at=now, sentiment_score=None, priority=None))
    if edited:
        rollups.rescored(connection, {mention_id: None for mention_id in edited})
    result.edited += len(edited)


def _refresh_thread(connection: sa.Connection, snapshot: ThreadSnapshot, now: datetime,
                    result: RefreshResult) -> None:
    table, conv = tables.Mention.__table__, tables.Conversation.__table__
    stored = connection.execute(
        sa.select(table.c.id, table.c.external_id, table.c.deleted_at)
        .join(conv, conv.c.id == table.c.conversation_id)
        .where(conv.c.source == snapshot.source, conv.c.root_key == snapshot.root_key,
               table.c.source == snapshot.source)).all()
    gone = [row.id for row in stored if row.deleted_at is None and row.external_id not in snapshot.present]
    back = [row.id for row in stored if row.deleted_at is not None and row.external_id in snapshot.present]
    if gone:
        connection.execute(table.update().where(table.c.id.in_(gone)).values(deleted_at=now))
    if back:
        connection.execute(table.update().where(table.c.id.in_(back)).values(deleted_at=None))
    result.deleted += len(gone)
    result.restored += len(back)
