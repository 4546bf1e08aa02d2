"""Comments edited or deleted on the network (opt-in, for sources that re-read whole threads):
stored rows are brought in line with what the network shows now. New rows are `ingest`'s."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.mention import Mention, ThreadSnapshot
from monitor.store import fulltext, rollups, schema
from monitor.store.ingest import LOOKUP_CHUNK, batched

log = logging.getLogger(__name__)


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
    table = schema.MentionRow.__table__
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
    fulltext.replace(connection, edited)
    if edited:
        rollups.rescored(connection, {mention_id: None for mention_id in edited})
    result.edited += len(edited)


def _refresh_thread(connection: sa.Connection, snapshot: ThreadSnapshot, now: datetime,
                    result: RefreshResult) -> None:
    table, conv = schema.MentionRow.__table__, schema.ConversationRow.__table__
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
