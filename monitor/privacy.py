"""Erasure and export of one author's data (GDPR), and the full export `import --format jsonl` reads."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from monitor import rollups, tables

ERASED = "[erased]"


def _handle_pattern(handle: str) -> re.Pattern[str]:
    return re.compile(r"@?" + re.escape(handle.lstrip("@")) + r"\b", re.IGNORECASE)


def _scrub_column(connection: sa.Connection, table: sa.Table, column: str, handle: str) -> int:
    """Replace the handle inside free text of rows that are not the author's own."""
    pattern, bare = _handle_pattern(handle), handle.lstrip("@")
    rows = connection.execute(
        sa.select(table.c.id, table.c[column]).where(table.c[column].ilike(f"%{bare}%"))).all()
    changed = 0
    for row_id, text in rows:
        cleaned = pattern.sub("@" + ERASED, text)
        if cleaned != text:
            connection.execute(table.update().where(table.c.id == row_id).values({column: cleaned}))
            changed += 1
    return changed


def erase_author(engine: Engine, handle: str, source: str | None = None, actor: str = "cli") -> dict[str, int]:
    """Delete the author's posts and everything written to them; anonymise mentions of them elsewhere."""
    mention, reply, note = (tables.Mention.__table__, tables.Reply.__table__, tables.Note.__table__)
    link, conversation = tables.MentionTag.__table__, tables.Conversation.__table__
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        where = sa.func.lower(mention.c.author_handle) == handle.lstrip("@").lower()
        if source:
            where = sa.and_(where, mention.c.source == source)
        ids = [row[0] for row in connection.execute(sa.select(mention.c.id).where(where))]
        conv_ids = {row[0] for row in connection.execute(
            sa.select(mention.c.conversation_id).where(mention.c.id.in_(ids))) if row[0] is not None}
        counts["tags"] = connection.execute(link.delete().where(link.c.mention_id.in_(ids))).rowcount
        counts["replies"] = connection.execute(reply.delete().where(sa.or_(
            reply.c.mention_id.in_(ids), reply.c.conversation_id.in_(conv_ids)))).rowcount
        with rollups.changing(connection, ids):  # keep the dashboard's hourly counts exact
            counts["mentions"] = connection.execute(mention.delete().where(mention.c.id.in_(ids))).rowcount
        emptied = [c for c in conv_ids if not connection.execute(
            sa.select(sa.func.count()).select_from(mention).where(mention.c.conversation_id == c)).scalar()]
        counts["notes"] = connection.execute(note.delete().where(note.c.conversation_id.in_(emptied))).rowcount
        counts["conversations"] = connection.execute(
            conversation.delete().where(conversation.c.id.in_(emptied))).rowcount
        counts["anonymised"] = sum(_scrub_column(connection, table, "text", handle) for table in (mention, reply, note))
        counts["audit_entries"] = _scrub_audit(connection, handle)
        connection.execute(tables.AuditEntry.__table__.insert().values(
            at=datetime.now().astimezone(), actor=actor, action="erase-author", target=None,
            detail={"counts": counts, "source": source}))
    return counts


def _scrub_audit(connection: sa.Connection, handle: str) -> int:
    audit = tables.AuditEntry.__table__
    pattern, changed = _handle_pattern(handle), 0
    for row in connection.execute(sa.select(audit.c.id, audit.c.target, audit.c.detail)).all():
        target = pattern.sub(ERASED, row.target) if row.target else row.target
        detail = json.loads(pattern.sub(ERASED, json.dumps(row.detail, ensure_ascii=False)))
        if target != row.target or detail != row.detail:
            connection.execute(audit.update().where(audit.c.id == row.id).values(target=target, detail=detail))
            changed += 1
    return changed


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_jsonl(engine: Engine, since: datetime | None = None) -> Iterator[str]:
    """Every mention, then every sent reply, one JSON object a line, as `read_jsonl` takes them."""
    mention, reply, conversation = tables.Mention.__table__, tables.Reply.__table__, tables.Conversation.__table__
    with engine.connect() as connection:
        query = (sa.select(mention, conversation.c.root_key)
                 .join(conversation, conversation.c.id == mention.c.conversation_id, isouter=True)
                 .order_by(mention.c.created_at, mention.c.id))
        if since:
            query = query.where(mention.c.created_at >= since)
        for row in connection.execute(query).mappings():
            yield json.dumps(_mention_record(row), ensure_ascii=False)
        query = (sa.select(reply, conversation.c.root_key, conversation.c.brand)
                 .join(conversation, conversation.c.id == reply.c.conversation_id, isouter=True)
                 .where(reply.c.state == "sent", reply.c.external_id.is_not(None))
                 .order_by(reply.c.created_at, reply.c.id))
        if since:
            query = query.where(reply.c.created_at >= since)
        for row in connection.execute(query).mappings():
            yield json.dumps(_reply_record(row), ensure_ascii=False)


def _mention_record(row: Any) -> dict[str, Any]:
    return {
        "kind": "mention", "source": row.source, "external_id": row.external_id, "url": row.url,
        "author": {"handle": row.author_handle, "name": row.author_name, "followers": row.author_followers},
        "text": row.text, "created_at": _iso(row.created_at), "lang": row.lang, "brand": row.brand,
        "in_reply_to": row.in_reply_to, "conversation_key": row.root_key, "source_name": row.source_name,
        "sentiment": row.sentiment, "status": row.status,
    }


def _reply_record(row: Any) -> dict[str, Any]:
    return {
        "kind": "reply", "source": row.source, "external_id": row.external_id, "agent": row.agent,
        "text": row.text, "created_at": _iso(row.created_at), "in_reply_to": row.in_reply_to,
        "conversation_key": row.root_key, "brand": row.brand, "url": row.url,
    }
