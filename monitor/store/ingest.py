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
from functools import lru_cache
from itertools import chain, islice
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.mention import ImportedReply, Mention, utc
from monitor.query.parser import BrandMatcher
from monitor.store import bulk_pg, fulltext, rollups, schema
from monitor.trust.redaction import redact_posts

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


SQLITE_MAX_PARAMETERS = 32_766
POSTGRES_MAX_PARAMETERS = 65_535


def _column_converter(kind: sa.types.TypeEngine, dialect: str) -> Callable[[Any], Any] | None:
    """What SQLAlchemy's bind processing would do for one column, applied column-wise instead."""
    if isinstance(kind, schema.UTCDateTime):
        if dialect == "sqlite":  # the text SQLAlchemy's SQLite DateTime stores and parses back
            return _sqlite_time
        return _naive_utc
    if isinstance(kind, sa.JSON):
        return _json_text
    return None


@lru_cache(maxsize=1 << 17)
def _naive_utc(value: datetime | None) -> datetime | None:
    """PostgreSQL's `timestamp` value: UTC without tzinfo (cached like `_sqlite_time`)."""
    return None if value is None else utc(value).replace(tzinfo=None)


@lru_cache(maxsize=1 << 17)
def _sqlite_time(value: datetime | None) -> str | None:
    """"2026-11-23 05:00:00.000000": UTC without an offset (values are UTC-aware already, so the
    usual path is one `isoformat` and a slice). Cached: a thread's first post's time is written
    again as its conversation's start, in the same batch. Equal instants give the same text."""
    if value is None:
        return None
    if value.tzinfo is not timezone.utc:
        value = utc(value)
    return value.isoformat(" ", "microseconds")[:26]


@lru_cache(maxsize=4096)
def _json_of(value: Any) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def _json_text(value: Any) -> str:
    """JSON columns repeat a few values (the matched queries), so their text is cached."""
    try:
        return _json_of(tuple(value) if isinstance(value, list) else value)
    except TypeError:  # unhashable (a dict or nested list): encode directly
        return json.dumps(value, ensure_ascii=False)


def _driver_rows(table: sa.Table, columns: dict[str, list[Any]], dialect: str) -> list[tuple]:
    converted = []
    for name, values in columns.items():
        convert = _column_converter(table.c[name].type, dialect)
        if convert is None:
            converted.append(values)
        elif values and all(value is values[0] for value in values):  # one time for the batch
            converted.append([convert(values[0])] * len(values))
        else:
            converted.append(list(map(convert, values)))
    return list(zip(*converted))


def insert_new_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]],
                    constraint: Sequence[str]) -> list[tuple]:
    """Insert rows, skipping those whose `constraint` columns exist; return `(id, *constraint)` of
    each row inserted, exact even with other writers at work (`ON CONFLICT DO NOTHING RETURNING`)."""
    if not rows:
        return []
    return insert_new_columns(connection, table, {name: [row[name] for row in rows] for name in rows[0]}, constraint)


def insert_new_columns(connection: sa.Connection, table: sa.Table, columns: dict[str, list[Any]],
                       constraint: Sequence[str], search_bodies: Sequence[str] | None = None) -> list[tuple]:
    """`insert_new_rows` for values laid out by column, as ingest builds them.

    Rows go to the driver as multi-row VALUES statements on SQLite (SQLAlchemy's per-row parameter
    processing cost more than the insert itself, see benchmarks/ingest.py), by COPY on PostgreSQL
    (`bulk_pg`, with `search_bodies` indexed in the same INSERT).
    """
    dialect = connection.dialect.name
    names = list(columns)
    values = _driver_rows(table, columns, dialect)
    if not values:
        return []
    if dialect == "postgresql":
        return bulk_pg.insert_new(connection, table, names, values, constraint, search_bodies)
    mark = "?" if dialect == "sqlite" else "%s"
    marks = [f"{mark}::json" if dialect == "postgresql" and isinstance(table.c[n].type, sa.JSON) else mark
             for n in names]
    row_sql = "(" + ", ".join(marks) + ")"
    limit = (SQLITE_MAX_PARAMETERS if dialect == "sqlite" else POSTGRES_MAX_PARAMETERS) // len(names)
    head = f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES '
    tail = f' ON CONFLICT ({", ".join(constraint)}) DO NOTHING RETURNING id, {", ".join(constraint)}'
    inserted: list[tuple] = []
    cursor = connection.connection.driver_connection.cursor()  # this transaction's; no Row objects
    try:
        for chunk in batched(values, limit):
            sql = head + ", ".join([row_sql] * len(chunk)) + tail
            cursor.execute(sql, tuple(chain.from_iterable(chunk)))
            inserted.extend(cursor.fetchall())
    finally:
        cursor.close()
    return inserted


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
    found, matched = matcher.match_lists(_frame(mentions))
    return [m.brand or brand for m, brand in zip(mentions, found)], matched


def _lookup(connection: sa.Connection, column_table: sa.Table, source: str, keys: Iterable[str],
            key_column: str, value_column: str) -> dict[str, Any]:
    if connection.dialect.name == "sqlite":
        return _sqlite_lookup(connection, column_table.name, source, keys, key_column, value_column)
    found: dict[str, Any] = {}
    key_col, value_col = column_table.c[key_column], column_table.c[value_column]
    for chunk in batched(sorted(set(keys)), _lookup_chunk(connection)):
        query = sa.select(key_col, value_col).where(column_table.c.source == source, _among(connection, key_col, chunk))
        found.update(dict(connection.execute(query).all()))
    return found


def _sqlite_lookup(connection: sa.Connection, table: str, source: str, keys: Iterable[str],
                   key_column: str, value_column: str) -> dict[str, Any]:
    """`_lookup` on SQLite, straight to the driver: SQLAlchemy compiling an expanding `IN` for
    each chunk of 5,000 keys took half of the look-ups' time (py-spy over benchmarks/ingest.py:
    the duplicate check went from 8.8 % to 4.4 % of ingest)."""
    found: dict[str, Any] = {}
    cursor = connection.connection.driver_connection.cursor()
    try:
        for chunk in batched(sorted(set(keys)), LOOKUP_CHUNK):
            cursor.execute(f'SELECT {key_column}, {value_column} FROM "{table}" WHERE source = ? '
                           f'AND {key_column} IN ({", ".join("?" * len(chunk))})', (source, *chunk))
            found.update(cursor.fetchall())
    finally:
        cursor.close()
    return found


def _lookup_chunk(connection: sa.Connection) -> int:
    return LOOKUP_CHUNK if connection.dialect.name == "sqlite" else 10 * BATCH_SIZE


def _among(connection: sa.Connection, column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """`column IN values`: parameters on SQLite, one array on PostgreSQL (see `bulk_pg`)."""
    return column.in_(values) if connection.dialect.name == "sqlite" else bulk_pg.among(column, values)


def _parent_roots(connection: sa.Connection, source: str, parents: set[str]) -> dict[str, str]:
    """Root keys of stored posts (mentions or replies) that new posts answer."""
    if not parents:
        return {}
    conv = schema.ConversationRow.__table__
    roots: dict[str, str] = {}
    for table in (schema.MentionRow.__table__, schema.ReplyRow.__table__):
        for chunk in batched(sorted(parents - set(roots)), _lookup_chunk(connection)):
            query = (
                sa.select(table.c.external_id, conv.c.root_key)
                .join(conv, conv.c.id == table.c.conversation_id)
                .where(table.c.source == source, _among(connection, table.c.external_id, chunk))
            )
            roots.update(dict(connection.execute(query).all()))
    return roots


def conversation_keys(connection: sa.Connection, posts: Sequence[Mention | ImportedReply]) -> list[str]:
    """The root key of each post's thread: the network's, a stored parent's, or its own id.

    Only posts that answer another without naming the thread's root need work; they are walked
    in time order so that a parent earlier in the same batch lends its key to its replies.
    """
    keys = [post.conversation_key or post.external_id for post in posts]
    open_ends = [i for i, post in enumerate(posts) if not post.conversation_key and post.in_reply_to]
    if not open_ends:
        return keys
    by_source: dict[str, set[str]] = {}
    for i in open_ends:
        by_source.setdefault(posts[i].source, set()).add(posts[i].in_reply_to)
    stored = {source: _parent_roots(connection, source, parents) for source, parents in by_source.items()}
    in_batch = {(post.source, post.external_id): i for i, post in enumerate(posts)}
    for i in sorted(open_ends, key=lambda i: posts[i].created_at):
        post = posts[i]
        parent = in_batch.get((post.source, post.in_reply_to))
        keys[i] = keys[parent] if parent is not None else stored[post.source].get(post.in_reply_to, keys[i])
    return keys


def ensure_conversations(connection: sa.Connection, posts: Sequence[Any], keys: Sequence[str],
                         brands: Sequence[str | None]) -> dict[tuple[str, str], int]:
    """Create missing conversations and return the id of every `(source, root_key)` asked for."""
    conv = schema.ConversationRow.__table__
    first: dict[tuple[str, str], int] = {}  # each thread's earliest post in the batch
    for index, (post, key) in enumerate(zip(posts, keys)):
        seen = first.setdefault((post.source, key), index)
        if post.created_at < posts[seen].created_at:
            first[(post.source, key)] = index
    chosen = list(first.values())
    columns = {"source": [posts[i].source for i in chosen], "root_key": [keys[i] for i in chosen],
               "brand": [brands[i] for i in chosen], "started_at": [posts[i].created_at for i in chosen],
               "status": ["open"] * len(chosen)}
    ids = {(source, key): conv_id for conv_id, source, key in
           insert_new_columns(connection, conv, columns, ("source", "root_key"))} if chosen else {}
    for source, stored in _by_source(pair for pair in first if pair not in ids).items():
        for key, conv_id in _lookup(connection, conv, source, stored, "root_key", "id").items():
            ids[(source, key)] = conv_id
    return ids


def _by_source(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for source, key in pairs:
        grouped.setdefault(source, []).append(key)
    return grouped


def storable(values: list[str | None]) -> list[str | None]:
    """Texts as PostgreSQL can hold them: NUL (which it refuses in text, failing the whole batch)
    becomes U+FFFD, on every backend alike. A scan per text; nothing is copied without a NUL."""
    if not any(value and "\x00" in value for value in values):
        return values
    return [value.replace("\x00", "\ufffd") if value else value for value in values]


def _mention_columns(mentions: Sequence[Mention], brands, matched, conv_ids, keys, now) -> dict[str, list[Any]]:
    return {
        "source": [m.source for m in mentions], "source_name": [m.source_name for m in mentions],
        "external_id": [m.external_id for m in mentions], "url": [m.url for m in mentions],
        "author_handle": storable([m.author.handle for m in mentions]),
        "author_name": storable([m.author.name for m in mentions]),
        "author_followers": [m.author.followers for m in mentions], "text": storable([m.text for m in mentions]),
        "lang": [m.lang for m in mentions], "created_at": [m.created_at for m in mentions],
        "collected_at": [now] * len(mentions), "brand": list(brands), "matched": list(matched),
        "in_reply_to": [m.in_reply_to for m in mentions],
        "conversation_id": [conv_ids[(m.source, key)] for m, key in zip(mentions, keys)],
        "status": ["open"] * len(mentions),
    }


def _unseen(engine: Engine, mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions not stored yet, each once: re-read pages (overlap windows, a rerun import)
    are mostly duplicates, and skipping them early saves matching and thread work. The insert's
    `ON CONFLICT DO NOTHING` still decides, should another worker store one meanwhile."""
    table = schema.MentionRow.__table__
    stored: set[tuple[str, str]] = set()
    with engine.connect() as connection:
        for source, ids in _by_source((m.source, m.external_id) for m in mentions).items():
            stored.update((source, external_id) for external_id in
                          _lookup(connection, table, source, ids, "external_id", "external_id"))
    fresh: dict[tuple[str, str], Mention] = {}
    for mention in mentions:
        key = (mention.source, mention.external_id)
        if key not in stored and key not in fresh:
            fresh[key] = mention
    return list(fresh.values())


def ingest_batch(engine: Engine, mentions: Sequence[Mention], matcher: BrandMatcher | None,
                 require_match: bool = False, now: datetime | None = None, redact: bool = False) -> IngestResult:
    result = IngestResult(read=len(mentions))
    mentions = _unseen(engine, mentions)
    if redact:  # opt-in (privacy.redact_contacts); only new posts pay for it
        mentions = redact_posts(mentions)
    result.duplicates = result.read - len(mentions)
    brands, matched = match_brands(mentions, matcher)
    if require_match:  # a collector that knows the brand (its own page's comments) needs no match
        keep = [i for i, hits in enumerate(matched) if hits or mentions[i].brand]
        result.unmatched = len(mentions) - len(keep)
        mentions = [mentions[i] for i in keep]
        brands, matched = [brands[i] for i in keep], [matched[i] for i in keep]
    if not mentions:
        return result
    now = now or datetime.now(timezone.utc)
    with engine.begin() as connection:
        keys = conversation_keys(connection, mentions)
        conv_ids = ensure_conversations(connection, mentions, keys, brands)
        columns = _mention_columns(mentions, brands, matched, conv_ids, keys, now)
        search = fulltext.insert_bodies(connection, columns["text"])  # PostgreSQL: indexed by the INSERT
        inserted = insert_new_columns(connection, schema.MentionRow.__table__, columns, ("source", "external_id"),
                                      search)
        first = {}
        for index, mention in enumerate(mentions):
            first.setdefault((mention.source, mention.external_id), index)
        new = [first[(source, external_id)] for _, source, external_id in inserted]
        if search is None:
            fulltext.add(connection, [row[0] for row in inserted], [columns["text"][i] for i in new])
        rollups.rows_added(connection, ({"created_at": mentions[i].created_at, "brand": brands[i],
                                         "source": mentions[i].source, "lang": mentions[i].lang} for i in new),
                           ids=[row[0] for row in inserted])
    result.inserted = len(inserted)
    result.inserted_ids = [row[0] for row in inserted]
    result.duplicates += len(mentions) - len(inserted)
    return result


def ingest(engine: Engine, mentions: Iterable[Mention], matcher: BrandMatcher | None = None, *,
           require_match: bool = False, batch_size: int = BATCH_SIZE, progress: Progress | None = None,
           redact: bool = False) -> IngestResult:
    """Store mentions in committed batches; what was committed before a crash stays, once.
    `redact` replaces e-mail addresses and phone numbers in the stored texts."""
    total = IngestResult()
    for batch in batched(mentions, batch_size):
        total.add(ingest_batch(engine, batch, matcher, require_match, redact=redact))
        if progress:
            progress(len(batch))
    return total


def _mention_ids(connection: sa.Connection, replies: Sequence[ImportedReply]) -> dict[tuple[str, str], int]:
    table = schema.MentionRow.__table__
    ids: dict[tuple[str, str], int] = {}
    for source in {r.source for r in replies}:
        parents = [r.in_reply_to for r in replies if r.source == source and r.in_reply_to]
        for external_id, mention_id in _lookup(connection, table, source, parents, "external_id", "id").items():
            ids[(source, external_id)] = mention_id
    return ids


def ingest_replies(engine: Engine, replies: Sequence[ImportedReply], batch_size: int = BATCH_SIZE,
                   redact: bool = False) -> IngestResult:
    """Store brand replies from history as sent replies, linked to the mention they answer."""
    total = IngestResult()
    table = schema.ReplyRow.__table__
    if redact:
        replies = redact_posts(replies)
    for batch in batched(sorted(replies, key=lambda r: r.created_at), batch_size):
        with engine.begin() as connection:
            keys = conversation_keys(connection, batch)
            conv_ids = ensure_conversations(connection, batch, keys, [r.brand for r in batch])
            mention_ids = _mention_ids(connection, batch)
            rows = [
                {"source": r.source, "external_id": r.external_id, "conversation_id": conv_ids[(r.source, key)],
                 "mention_id": mention_ids.get((r.source, r.in_reply_to or "")), "in_reply_to": r.in_reply_to,
                 "agent": r.agent, "text": storable([r.text])[0], "created_at": r.created_at, "state": "sent",
                 "url": r.url}
                for r, key in zip(batch, keys)
            ]
            inserted = len(insert_new_rows(connection, table, rows, ("source", "external_id")))
        total.read += len(batch)
        total.replies_inserted += inserted
        total.reply_duplicates += len(batch) - inserted
    return total
