"""`jsonl`: Nasłuch's own format, one object a line, so a user can move data between installations.
`read_jsonl` takes what `export_jsonl` writes (every mention, then every sent reply)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.formats.common import parse_iso, with_brand
from monitor.mention import Author, ImportBatch, ImportedReply, Mention, RejectedRow
from monitor.store import schema


def _require(data: dict[str, Any], *names: str) -> None:
    for name in names:
        if data.get(name) in (None, ""):
            raise KeyError(name)


def mention_from_json(data: dict[str, Any]) -> Mention:
    _require(data, "source", "external_id", "created_at", "author")
    author = data["author"]
    if isinstance(author, str):
        author = {"handle": author}
    return Mention(
        source=str(data["source"]), external_id=str(data["external_id"]), text=str(data["text"]),
        created_at=parse_iso(str(data["created_at"])),
        author=Author(handle=str(author["handle"]), name=author.get("name"), followers=author.get("followers")),
        url=data.get("url"), lang=data.get("lang"), in_reply_to=data.get("in_reply_to"),
        conversation_key=data.get("conversation_key"), brand=data.get("brand"), source_name=data.get("source_name"))


def reply_from_json(data: dict[str, Any]) -> ImportedReply:
    _require(data, "source", "external_id", "agent", "created_at")
    return ImportedReply(
        source=str(data["source"]), external_id=str(data["external_id"]), agent=str(data["agent"]),
        text=str(data["text"]), created_at=parse_iso(str(data["created_at"])), in_reply_to=data.get("in_reply_to"),
        conversation_key=data.get("conversation_key"), brand=data.get("brand"), url=data.get("url"))


def read_jsonl(raw: bytes, brand: str | None = None) -> ImportBatch:
    """Nasłuch's own export: one object per line, `"kind": "mention"` or `"reply"`."""
    batch = ImportBatch()
    for line_number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        batch.read += 1
        try:
            data = json.loads(line)
            kind = data.get("kind", "mention")
            if kind == "reply":
                batch.replies.append(reply_from_json(data))
            elif kind == "mention":
                mention = mention_from_json(data)
                batch.mentions.append(with_brand(mention, brand) if brand else mention)
            else:
                raise ValueError(f"unknown kind {kind!r}: expected mention or reply")
        except json.JSONDecodeError as error:
            batch.rejected.append(RejectedRow(line_number, f"not JSON: {error.msg} at column {error.colno}"))
        except KeyError as error:
            batch.rejected.append(RejectedRow(line_number, f"missing field {error}"))
        except (ValueError, TypeError, AttributeError) as error:
            batch.rejected.append(RejectedRow(line_number, str(error)))
    return batch


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_jsonl(engine: Engine, since: datetime | None = None) -> Iterator[str]:
    """Every mention, then every sent reply, one JSON object a line, as `read_jsonl` takes them."""
    mention, reply, conversation = schema.MentionRow.__table__, schema.ReplyRow.__table__, schema.ConversationRow.__table__
    with engine.connect() as connection:
        query = (sa.select(mention, conversation.c.root_key)
                 .join(conversation, conversation.c.id == mention.c.conversation_id, isouter=True)
                 .order_by(mention.c.created_at, mention.c.id))
        if since:
            query = query.where(mention.c.created_at >= since)
        for row in connection.execute(query).mappings():
            yield json.dumps(mention_record(row), ensure_ascii=False)
        query = (sa.select(reply, conversation.c.root_key, conversation.c.brand)
                 .join(conversation, conversation.c.id == reply.c.conversation_id, isouter=True)
                 .where(reply.c.state == "sent", reply.c.external_id.is_not(None))
                 .order_by(reply.c.created_at, reply.c.id))
        if since:
            query = query.where(reply.c.created_at >= since)
        for row in connection.execute(query).mappings():
            yield json.dumps(reply_record(row), ensure_ascii=False)


def mention_record(row: Any) -> dict[str, Any]:
    return {
        "kind": "mention", "source": row.source, "external_id": row.external_id, "url": row.url,
        "author": {"handle": row.author_handle, "name": row.author_name, "followers": row.author_followers},
        "text": row.text, "created_at": iso(row.created_at), "lang": row.lang, "brand": row.brand,
        "in_reply_to": row.in_reply_to, "conversation_key": row.root_key, "source_name": row.source_name,
        "sentiment": row.sentiment, "status": row.status,
    }


def reply_record(row: Any) -> dict[str, Any]:
    return {
        "kind": "reply", "source": row.source, "external_id": row.external_id, "agent": row.agent,
        "text": row.text, "created_at": iso(row.created_at), "in_reply_to": row.in_reply_to,
        "conversation_key": row.root_key, "brand": row.brand, "url": row.url,
    }
