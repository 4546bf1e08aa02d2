"""The outbox: a reply is stored before any network call, then sent exactly once.

States: queued → sending → sent | failed (or back to queued to retry). A worker *claims* a
reply by moving it from queued to sending in a committed transaction — `FOR UPDATE SKIP LOCKED`
on PostgreSQL, a conditional `UPDATE ... WHERE state = 'queued'` everywhere — so two workers
(several `nasluch run`, or the dashboard and a worker) never send the same reply.

What may be retried follows the responder's failure kind (see `responders/base.py`):
- definite failures are stored with the network's reason and never retried blindly; an agent
  reads the reason and may queue the reply again (`requeue`).
- nothing-was-posted failures (unreachable, rate limited) are retried later with backoff.
- uncertain failures (a lost answer, a 5xx) set `lost_response`; before the next try the outbox
  either repeats the request under the same idempotency key (networks that honour one, within
  their window) or asks the network whether our reply is already there (`find_sent`).
A worker that died while sending leaves a claim that goes stale; it is treated as uncertain too.
Every queueing, send and failure is written to the audit log.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite

from monitor.mention import now_utc
from monitor.store import schema
from monitor.trust.auth import require
from networks.secrets import mask
from responders import ReplyTarget, Responder, SendResult, responder_for

log = logging.getLogger(__name__)

REPLY = schema.ReplyRow.__table__
DELIVERY = schema.ReplyDeliveryRow.__table__
MENTION = schema.MentionRow.__table__
CONVERSATION = schema.ConversationRow.__table__
AUDIT = schema.AuditEntryRow.__table__

MAX_TRIES = 6
STALE_CLAIM = timedelta(minutes=10)  # far longer than one request's timeouts
BACKOFF_MAX = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A reply's state as the CLI and the dashboard show it."""

    reply_id: int
    state: str
    source: str
    error: str | None = None
    error_kind: str | None = None
    remote_id: str | None = None
    url: str | None = None
    attempts: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"id": self.reply_id, "state": self.state, "source": self.source, "error": self.error,
                "error_kind": self.error_kind, "remote_id": self.remote_id, "url": self.url,
                "attempts": self.attempts}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def audit(connection: sa.Connection, actor: str, action: str, target: str | None,
          detail: dict[str, Any], now: datetime | None = None) -> None:
    """One audit log entry (who, when, what), in the caller's transaction."""
    connection.execute(AUDIT.insert().values(at=now_utc(now), actor=actor, action=action, target=target,
                                             detail=detail))


def insert_once(connection: sa.Connection, table: sa.Table, values: dict[str, Any]) -> int | None:
    """Insert a row keyed by its unique `idempotency_key`; None when that key is already stored.
    The database decides (ON CONFLICT DO NOTHING), so two submissions racing store one row."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(table).values(values).on_conflict_do_nothing(index_elements=["idempotency_key"])
                 .returning(table.c.id))
    return connection.execute(statement).scalar()


def stored_with_key(connection: sa.Connection, table: sa.Table, key: str) -> int:
    return int(connection.execute(sa.select(table.c.id).where(table.c.idempotency_key == key)).scalar_one())


def queue_reply(engine: Engine, mention_id: int, text: str, agent: str, now: datetime | None = None,
                token: str | None = None) -> int:
    """Store a reply to a mention in the outbox (state queued) and return its id.
    The reply action's floor: whoever calls it, `agent` must hold the agent role."""
    return store_reply(engine, mention_id, text, agent, now, token)[0]


def store_reply(engine: Engine, mention_id: int, text: str, agent: str, now: datetime | None = None,
                token: str | None = None) -> tuple[int, bool]:
    """`queue_reply`, also saying whether the reply is new. `token` (one per form submission)
    becomes the reply's idempotency key: the same token again returns the stored reply."""
    require(engine, agent, "agent")
    now = now_utc(now)
    with engine.begin() as connection:
        mention = connection.execute(sa.select(MENTION.c.source, MENTION.c.external_id, MENTION.c.conversation_id)
                                     .where(MENTION.c.id == mention_id)).first()
        if mention is None:
            raise LookupError(f"no mention with id {mention_id}")
        key = token or uuid.uuid4().hex
        reply_id = insert_once(connection, REPLY, {
            "source": mention.source, "conversation_id": mention.conversation_id, "mention_id": mention_id,
            "in_reply_to": mention.external_id, "agent": agent, "text": text, "created_at": now, "state": "queued",
            "idempotency_key": key})
        if reply_id is None:
            return stored_with_key(connection, REPLY, key), False
        connection.execute(DELIVERY.insert().values(reply_id=reply_id, queued_at=now))
        audit(connection, agent, "reply.queued", f"reply:{reply_id}",
              {"mention_id": mention_id, "source": mention.source, "text": text}, now)
    return int(reply_id), True


def claim(engine: Engine, worker: str, now: datetime | None = None, *, networks: Sequence[str] | None = None,
          reply_id: int | None = None, limit: int = 20) -> list[int]:
    """Move due queued replies to sending for this worker; return the ids it now owns."""
    now = now_utc(now)
    due = (sa.select(REPLY.c.id).join(DELIVERY, DELIVERY.c.reply_id == REPLY.c.id)
           .where(REPLY.c.state == "queued")
           .order_by(DELIVERY.c.queued_at, REPLY.c.id).limit(limit))
    if reply_id is not None:
        due = due.where(REPLY.c.id == reply_id)
    else:
        due = due.where(sa.or_(DELIVERY.c.next_attempt_at.is_(None), DELIVERY.c.next_attempt_at <= now))
    if networks is not None:
        due = due.where(REPLY.c.source.in_(list(networks)))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True, of=REPLY)
        claimed = []
        for candidate in connection.execute(due).scalars().all():
            taken = connection.execute(REPLY.update().where(REPLY.c.id == candidate, REPLY.c.state == "queued")
                                       .values(state="sending")).rowcount
            if taken == 1:
                claimed.append(candidate)
        if claimed:
            connection.execute(DELIVERY.update().where(DELIVERY.c.reply_id.in_(claimed))
                               .values(claimed_by=worker, claimed_at=now))
    return claimed


def release_stale(engine: Engine, now: datetime | None = None) -> int:
    """Replies left in sending by a worker that died: the post may exist, so mark them lost."""
    now = now_utc(now)
    with engine.begin() as connection:
        stale = connection.execute(sa.select(DELIVERY.c.reply_id).join(REPLY, REPLY.c.id == DELIVERY.c.reply_id)
                                   .where(REPLY.c.state == "sending", DELIVERY.c.claimed_at < now - STALE_CLAIM)
                                   ).scalars().all()
        for reply_id in stale:
            if connection.execute(REPLY.update().where(REPLY.c.id == reply_id, REPLY.c.state == "sending")
                                  .values(state="queued")).rowcount:
                connection.execute(DELIVERY.update().where(DELIVERY.c.reply_id == reply_id)
                                   .values(lost_response=True, claimed_by=None, claimed_at=None))
                audit(connection, "outbox", "reply.stale", f"reply:{reply_id}", {}, now)
    return len(stale)


def _load(engine: Engine, reply_id: int) -> tuple[Any, ReplyTarget]:
    query = (sa.select(REPLY, DELIVERY.c.attempts, DELIVERY.c.lost_response, DELIVERY.c.first_try_at,
                       DELIVERY.c.queued_at, MENTION.c.author_handle, MENTION.c.author_name, MENTION.c.url.label("m_url"),
                       MENTION.c.lang, MENTION.c.external_id.label("m_external_id"), CONVERSATION.c.root_key)
             .join(DELIVERY, DELIVERY.c.reply_id == REPLY.c.id)
             .join(MENTION, MENTION.c.id == REPLY.c.mention_id)
             .join(CONVERSATION, CONVERSATION.c.id == MENTION.c.conversation_id, isouter=True)
             .where(REPLY.c.id == reply_id))
    with engine.connect() as connection:
        row = connection.execute(query).one()
    target = ReplyTarget(source=row.source, external_id=row.m_external_id, author_handle=row.author_handle,
                         url=row.m_url, author_name=row.author_name, root_key=row.root_key, lang=row.lang)
    return row, target


def deliver(engine: Engine, reply_id: int, responders: Sequence[Responder], worker: str,
            now: datetime | None = None) -> Outcome:
    """Send one claimed reply, checking first when an earlier try's answer was lost."""
    now = now_utc(now)
    row, target = _load(engine, reply_id)
    responder = responder_for(responders, target)
    if responder is None:
        result = SendResult(False, error_kind="not_configured",
                            message=f"no responder configured for this {target.source} post: copy it and post by hand")
        return finish(engine, reply_id, result, worker, now)
    if row.lost_response and not _within_idempotency(responder, row.first_try_at, now):
        found = responder.find_sent(target, row.text, since=row.queued_at)
        if found is not None:
            log.info("reply %s: lost answer resolved by looking on %s: %s", reply_id, target.source,
                     "found" if found.sent else found.error_kind)
            return finish(engine, reply_id, found, worker, now, checked=True)
    if row.first_try_at is None:
        with engine.begin() as connection:
            connection.execute(DELIVERY.update().where(DELIVERY.c.reply_id == reply_id).values(first_try_at=now))
    result = responder.send(target, row.text, row.idempotency_key)
    return finish(engine, reply_id, result, worker, now)


def _within_idempotency(responder: Responder, first_try: datetime | None, now: datetime) -> bool:
    return responder.idempotent and first_try is not None and now - first_try < responder.idempotency_window


def _backoff(attempts: int, retry_after: float | None) -> timedelta:
    if retry_after:
        return timedelta(seconds=retry_after)
    return min(timedelta(minutes=2 ** max(0, attempts - 1)), BACKOFF_MAX)


def finish(engine: Engine, reply_id: int, result: SendResult, worker: str, now: datetime,
           checked: bool = False) -> Outcome:
    """Store what a try (or a look on the network) found; only a reply still in sending moves."""
    with engine.begin() as connection:
        delivery = connection.execute(sa.select(DELIVERY).where(DELIVERY.c.reply_id == reply_id)).one()
        where = REPLY.update().where(REPLY.c.id == reply_id, REPLY.c.state == "sending")
        clear = {"claimed_by": None, "claimed_at": None}
        if result.sent:  # proof it is posted: settle it even if a stale-claim sweep requeued it meanwhile
            where = REPLY.update().where(REPLY.c.id == reply_id, REPLY.c.state.in_(("sending", "queued")))
            connection.execute(where.values(state="sent", external_id=result.remote_id, url=result.url,
                                            created_at=now, error=None))
            connection.execute(DELIVERY.update().where(DELIVERY.c.reply_id == reply_id)
                               .values(error_kind=None, attempts=delivery.attempts + (0 if checked else 1), **clear))
            audit(connection, worker, "reply.sent", f"reply:{reply_id}",
                  {"remote_id": result.remote_id, "url": result.url, "found_on_network": checked}, now)
        else:
            _failed_try(connection, where, delivery, result, worker, now, clear)
    return reply_outcome(engine, reply_id)


def _failed_try(connection: sa.Connection, where: Any, delivery: Any, result: SendResult, worker: str,
                now: datetime, clear: dict[str, Any]) -> None:
    attempts = delivery.attempts + 1
    lost = delivery.lost_response or result.uncertain
    reply_id = delivery.reply_id
    result = replace(result, message=mask(result.message))  # a network may echo the token it refused
    if result.definite or attempts >= MAX_TRIES:
        message = result.message
        if lost:
            message += " (an earlier try may have been posted: check the network before sending again)"
        connection.execute(where.values(state="failed", error=message))
        action, detail = "reply.failed", {"kind": result.error_kind, "message": message, "attempts": attempts}
    else:
        connection.execute(where.values(state="queued", error=f"will retry: {result.message}"))
        clear = {**clear, "next_attempt_at": now + _backoff(attempts, result.retry_after)}
        action, detail = "reply.retry", {"kind": result.error_kind, "message": result.message,
                                         "attempts": attempts, "lost_response": lost}
    connection.execute(DELIVERY.update().where(DELIVERY.c.reply_id == reply_id)
                       .values(attempts=attempts, lost_response=lost, error_kind=result.error_kind, **clear))
    audit(connection, worker, action, f"reply:{reply_id}", detail, now)


def reply_outcome(engine: Engine, reply_id: int) -> Outcome:
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(REPLY.c.id, REPLY.c.state, REPLY.c.source, REPLY.c.error, REPLY.c.external_id, REPLY.c.url,
                      DELIVERY.c.error_kind, DELIVERY.c.attempts)
            .join(DELIVERY, DELIVERY.c.reply_id == REPLY.c.id, isouter=True).where(REPLY.c.id == reply_id)).one()
    return Outcome(row.id, row.state, row.source, row.error, row.error_kind, row.external_id, row.url,
                   row.attempts or 0)


def send_now(engine: Engine, reply_id: int, responders: Sequence[Responder], worker: str | None = None,
             now: datetime | None = None) -> Outcome:
    """Try a just-queued reply at once (CLI, dashboard); if another worker has it, leave it be."""
    worker = worker or worker_name()
    if claim(engine, worker, now, reply_id=reply_id):
        return deliver(engine, reply_id, responders, worker, now)
    return reply_outcome(engine, reply_id)


def send_due(engine: Engine, responders: Sequence[Responder], worker: str | None = None,
             now: datetime | None = None, limit: int = 20) -> dict[str, int]:
    """One outbox round for `nasluch run`: free stale claims, claim due replies, send them."""
    worker = worker or worker_name()
    release_stale(engine, now)
    networks = sorted({responder.network for responder in responders})
    counts = {"sent": 0, "failed": 0, "queued": 0}
    for reply_id in claim(engine, worker, now, networks=networks, limit=limit):
        outcome = deliver(engine, reply_id, responders, worker, now)
        counts[outcome.state] = counts.get(outcome.state, 0) + 1
    return counts


def requeue(engine: Engine, reply_id: int, actor: str, now: datetime | None = None) -> bool:
    """An agent, having read a failure's reason, asks for another try (a lost flag is kept)."""
    require(engine, actor, "agent")
    now = now_utc(now)
    with engine.begin() as connection:
        moved = connection.execute(REPLY.update().where(REPLY.c.id == reply_id, REPLY.c.state == "failed")
                                   .values(state="queued", error=None)).rowcount
        if moved:
            connection.execute(DELIVERY.update().where(DELIVERY.c.reply_id == reply_id)
                               .values(attempts=0, next_attempt_at=None, error_kind=None))
            audit(connection, actor, "reply.requeued", f"reply:{reply_id}", {}, now)
    return bool(moved)
