"""Hide and unhide a comment on the network from the inbox (spam, abuse, personal data posted
publicly), recorded in the audit log.

A hidden comment is not deleted: it stays in the database and in its conversation, marked
`hidden`, because agents still need to see what was said and that it was dealt with. The
network is asked first and the row changes only when it agreed, so the mark never claims more
than the network shows; every try, failed or not, is in the audit log with who did it and why.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.inbox.actions import target_with
from monitor.inbox.outbox import audit
from monitor.store import schema
from responders import ReplyTarget, Responder, SendResult, responder_for

log = logging.getLogger(__name__)
MENTION = schema.MentionRow.__table__


@dataclass(frozen=True, slots=True)
class ModerationOutcome:
    """What happened, for the inbox to show: `done` and the mention's `hidden` mark as now stored."""

    mention_id: int
    hidden: bool
    done: bool
    message: str = ""
    error_kind: str | None = None


def can_hide(responders: Sequence[Responder], source: str) -> bool:
    """Whether the inbox should offer Hide for mentions of this network."""
    return any(r.network == source and hasattr(r, "set_hidden") for r in responders)


def set_hidden(engine: Engine, mention_id: int, hidden: bool, actor: str, responders: Sequence[Responder],
               reason: str = "", now: datetime | None = None) -> ModerationOutcome:
    """Hide (`hidden=True`) or unhide a mention's comment on its network, then mark the row."""
    now = now or datetime.now(timezone.utc)
    target, was_hidden = _target(engine, mention_id)
    responder = responder_for(responders, target)
    if responder is None or not hasattr(responder, "set_hidden"):
        result = SendResult(False, error_kind="not_configured",
                            message=f"hiding is not available for {target.source}: no responder configured")
    else:
        result = responder.set_hidden(target, hidden)
    detail: dict[str, Any] = {"source": target.source, "external_id": target.external_id, "reason": reason}
    with engine.begin() as connection:
        if result.sent:
            connection.execute(MENTION.update().where(MENTION.c.id == mention_id).values(hidden=hidden))
            action = "mention.hidden" if hidden else "mention.unhidden"
        else:
            action = "mention.hide_failed" if hidden else "mention.unhide_failed"
            detail |= {"kind": result.error_kind, "message": result.message}
        audit(connection, actor, action, f"mention:{mention_id}", detail, now)
    if not result.sent:
        log.info("%s of mention %s failed: %s", action, mention_id, result.message)
        return ModerationOutcome(mention_id, was_hidden, False, result.message, result.error_kind)
    return ModerationOutcome(mention_id, hidden, True)


def _target(engine: Engine, mention_id: int) -> tuple[ReplyTarget, bool]:
    target, (hidden,) = target_with(engine, mention_id, MENTION.c.hidden)
    return target, bool(hidden)


def marks(engine: Engine, mention_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Hidden / edited / deleted marks of the given mentions, for the inbox to show beside each
    post of a thread (`monitor.inbox.queue.thread` lists them; this adds what moderation knows)."""
    if not mention_ids:
        return {}
    query = sa.select(MENTION.c.id, MENTION.c.hidden, MENTION.c.edited_at, MENTION.c.deleted_at).where(
        MENTION.c.id.in_(list(mention_ids)))
    with engine.connect() as connection:
        return {row.id: {"hidden": bool(row.hidden), "edited_at": row.edited_at, "deleted_at": row.deleted_at}
                for row in connection.execute(query)}
