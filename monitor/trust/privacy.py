"""Erasure and export of one author's data (GDPR), and the full export `import --format jsonl` reads."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import SQLModel

from monitor.formats.jsonl import iso, mention_record
from monitor.store import fulltext, rollups, schema

ERASED = "[erased]"
SKIPPED_TABLES = {"alembic_version"}


def _handle_patterns(handle: str) -> list[tuple[re.Pattern[str], str]]:
    """What to replace: the handle as a word (with or without @), and for a fediverse handle
    (`user@instance`) the user's part inside that instance's profile and status URLs."""
    bare = handle.lstrip("@")
    found = [(re.compile(r"(?<![\w.])@?" + re.escape(bare) + r"(?![\w])", re.IGNORECASE), "@" + ERASED)]
    if "@" in bare:
        local, instance = bare.split("@", 1)
        found.append((re.compile("(" + re.escape(instance) + r"/(?:users/|@))" + re.escape(local) + r"(?![\w])",
                                 re.IGNORECASE), r"\1" + ERASED))
    return found


def _scrub(value: Any, patterns: list[tuple[re.Pattern[str], str]]) -> Any:
    if isinstance(value, str):
        for pattern, replacement in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, (dict, list)):
        return json.loads(_scrub(json.dumps(value, ensure_ascii=False), patterns))
    return value


def _text_columns(table: sa.Table) -> list[sa.Column]:
    """String and JSON columns, SQLModel's `AutoString` (a decorator over String) included."""
    kinds = (sa.String, sa.Text, sa.JSON)
    return [column for column in table.columns
            if isinstance(column.type, kinds) or isinstance(getattr(column.type, "impl", None), kinds)]


def _scrub_table(connection: sa.Connection, table: sa.Table, handle: str) -> int:
    """Anonymise every row of `table` whose text columns still hold the handle: one scan per table,
    then a regex per matching row (the database's LIKE finds candidates, Python decides)."""
    columns = _text_columns(table)
    if not columns or not table.primary_key.columns:
        return 0
    needle = f"%{handle.lstrip('@').split('@')[0]}%"
    keys = list(table.primary_key.columns)
    where = sa.or_(*(sa.cast(column, sa.Text).ilike(needle) for column in columns))
    patterns, changed = _handle_patterns(handle), 0
    texts: dict[int, str] = {}  # scrubbed mention texts, for the search index
    for row in connection.execute(sa.select(*keys, *columns).where(where)).mappings().all():
        values = {c.name: _scrub(row[c.name], patterns) for c in columns if row[c.name] is not None}
        values = {name: value for name, value in values.items() if value != row[name]}
        if values:
            key = sa.and_(*(column == row[column.name] for column in keys))
            connection.execute(table.update().where(key).values(values))
            changed += 1
            if table is schema.MentionRow.__table__ and "text" in values:
                texts[row["id"]] = values["text"]
    fulltext.replace(connection, texts)
    return changed


def delete_mentions(connection: sa.Connection, ids: list[int]) -> dict[str, int]:
    """Delete mentions with their tag links and the replies to them; then conversations left
    without a mention, with their notes and replies (outbox rows and presence go by cascade).
    Shared by erasure and retention; the rollups and the search index stay exact."""
    mention, reply, note = schema.MentionRow.__table__, schema.ReplyRow.__table__, schema.NoteRow.__table__
    link, conversation = schema.MentionTagRow.__table__, schema.ConversationRow.__table__
    counts = dict.fromkeys(("tags", "replies", "mentions", "notes", "conversations"), 0)
    for chunk in (ids[i:i + 5_000] for i in range(0, len(ids), 5_000)):
        conv_ids = {row[0] for row in connection.execute(
            sa.select(mention.c.conversation_id).where(mention.c.id.in_(chunk))) if row[0] is not None}
        counts["tags"] += connection.execute(link.delete().where(link.c.mention_id.in_(chunk))).rowcount
        counts["replies"] += connection.execute(reply.delete().where(reply.c.mention_id.in_(chunk))).rowcount
        with rollups.changing(connection, chunk):  # keep the dashboard's hourly counts exact
            counts["mentions"] += connection.execute(mention.delete().where(mention.c.id.in_(chunk))).rowcount
        fulltext.remove(connection, chunk)
        still = set(connection.execute(sa.select(mention.c.conversation_id).distinct()
                                       .where(mention.c.conversation_id.in_(conv_ids))).scalars())
        emptied = sorted(conv_ids - still)
        counts["replies"] += connection.execute(reply.delete().where(reply.c.conversation_id.in_(emptied))).rowcount
        counts["notes"] += connection.execute(note.delete().where(note.c.conversation_id.in_(emptied))).rowcount
        counts["conversations"] += connection.execute(
            conversation.delete().where(conversation.c.id.in_(emptied))).rowcount
    return counts


def _author_filter(handle: str, source: str | None) -> sa.ColumnElement[bool]:
    mention = schema.MentionRow.__table__
    where = sa.func.lower(mention.c.author_handle) == handle.lstrip("@").lower()
    return sa.and_(where, mention.c.source == source) if source else where


def erase_author(engine: Engine, handle: str, source: str | None = None, actor: str = "cli") -> dict[str, int]:
    """Delete the author's posts and everything written to them; then anonymise every other row in
    every table that still names them (others' posts, replies, notes, audit entries, thread keys),
    so that afterwards no row anywhere holds the handle."""
    mention = schema.MentionRow.__table__
    with engine.begin() as connection:
        ids = list(connection.execute(sa.select(mention.c.id).where(_author_filter(handle, source))).scalars())
        counts = delete_mentions(connection, ids)
        scrubbed = {t.name: _scrub_table(connection, t, handle) for t in SQLModel.metadata.sorted_tables
                    if t.name not in SKIPPED_TABLES}
        counts["anonymised"] = sum(scrubbed.pop(name, 0) for name in ("mention", "reply", "note"))
        counts["audit_entries"] = scrubbed.pop("audit_log", 0)
        counts["other_rows"] = sum(scrubbed.values())
        fulltext.purge(connection)  # else the erased words linger in the index's pages
        connection.execute(schema.AuditEntryRow.__table__.insert().values(
            at=datetime.now().astimezone(), actor=actor, action="erase-author", target=None,
            detail={"counts": counts, "source": source}))
    return counts


def export_author(engine: Engine, handle: str, source: str | None = None) -> dict[str, Any]:
    """Everything stored about one author, for a data subject's access request: their posts (with
    tags and status), the brand's replies and the internal notes in their threads, and audit
    entries that name them."""
    mention, reply, note = schema.MentionRow.__table__, schema.ReplyRow.__table__, schema.NoteRow.__table__
    conversation, tag, link = schema.ConversationRow.__table__, schema.TagRow.__table__, schema.MentionTagRow.__table__
    audit = schema.AuditEntryRow.__table__
    with engine.connect() as connection:
        rows = connection.execute(sa.select(mention, conversation.c.root_key)
                                  .join(conversation, conversation.c.id == mention.c.conversation_id, isouter=True)
                                  .where(_author_filter(handle, source)).order_by(mention.c.created_at)).mappings().all()
        ids = [row.id for row in rows]
        conv_ids = sorted({row.conversation_id for row in rows if row.conversation_id is not None})
        tags: dict[int, list[str]] = {}
        for mention_id, name in connection.execute(sa.select(link.c.mention_id, tag.c.name)
                                                   .join(tag, tag.c.id == link.c.tag_id).where(link.c.mention_id.in_(ids))):
            tags.setdefault(mention_id, []).append(name)
        replies = connection.execute(sa.select(reply).where(reply.c.conversation_id.in_(conv_ids))
                                     .order_by(reply.c.created_at)).mappings().all()
        notes = connection.execute(sa.select(note).where(note.c.conversation_id.in_(conv_ids))
                                   .order_by(note.c.created_at)).mappings().all()
        pattern = _handle_patterns(handle)[0][0]
        entries = [row for row in connection.execute(sa.select(audit).order_by(audit.c.at)).mappings()
                   if pattern.search(json.dumps([row.target, row.detail], ensure_ascii=False))]
    return {
        "handle": handle.lstrip("@"), "source": source, "exported_at": datetime.now().astimezone().isoformat(),
        "mentions": [mention_record(row) | {"id": row.id, "tags": sorted(tags.get(row.id, [])),
                                              "assignee": row.assignee, "priority": row.priority} for row in rows],
        "replies": [{"id": r.id, "source": r.source, "agent": r.agent, "text": r.text, "state": r.state,
                     "created_at": iso(r.created_at), "conversation_id": r.conversation_id, "url": r.url} for r in replies],
        "notes": [{"conversation_id": n.conversation_id, "agent": n.agent, "text": n.text,
                   "created_at": iso(n.created_at)} for n in notes],
        "audit": [{"at": iso(e.at), "actor": e.actor, "action": e.action, "target": e.target, "detail": e.detail}
                  for e in entries],
    }
