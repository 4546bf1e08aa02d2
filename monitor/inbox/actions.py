"""What agents do in the inbox: status, assignment, tags, notes, presence, saved replies, replies.

Every change of status or assignment, and every note and tag change, is written to the audit
log in the same transaction as the change. Presence is a heartbeat per agent and conversation
(the page beats while it is open), so "Ola is viewing / drafting" fades by itself when a tab
closes, without any cleanup job.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite

from monitor.inbox.outbox import Outcome, audit, insert_once, reply_outcome, send_now, store_reply, stored_with_key
from monitor.inbox.queue import CONVERSATION, MENTION, MENTION_TAG, NOTE, REPLY, STATUSES, TAG
from monitor.mention import now_utc
from monitor.store import schema
from monitor.trust.auth import require
from responders import ReplyTarget, Responder, responder_for

PRESENCE = schema.PresenceRow.__table__
SAVED = schema.SavedReplyRow.__table__
AUDIT = schema.AuditEntryRow.__table__
PRESENCE_TTL = timedelta(seconds=90)
PLACEHOLDERS = ("{author}", "{agent}", "{brand}")


class CapReached(Exception):
    """The agent already holds as many open conversations as the cap allows."""


def set_status(engine: Engine, conversation_id: int, status: str, actor: str, now: datetime | None = None) -> bool:
    """Change the status; False when it already was `status` (a double click on Close). The
    update is conditional on the old status, so of two racing clicks one changes and audits."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    require(engine, actor, "agent")
    with engine.begin() as connection:
        before = connection.execute(sa.select(CONVERSATION.c.status).where(CONVERSATION.c.id == conversation_id)).scalar()
        if before == status:
            return False
        changed = connection.execute(CONVERSATION.update().where(CONVERSATION.c.id == conversation_id,
                                                                 CONVERSATION.c.status == before)
                                     .values(status=status)).rowcount
        if not changed:
            return False
        connection.execute(MENTION.update().where(MENTION.c.conversation_id == conversation_id).values(status=status))
        audit(connection, actor, "status.changed", f"conversation:{conversation_id}",
              {"from": before, "to": status}, now)
    return True


def open_count(connection: sa.Connection, agent: str, except_id: int | None = None) -> int:
    statement = (sa.select(sa.func.count()).select_from(CONVERSATION)
                 .where(CONVERSATION.c.assignee == agent, CONVERSATION.c.status != "closed"))
    if except_id is not None:
        statement = statement.where(CONVERSATION.c.id != except_id)
    return int(connection.execute(statement).scalar() or 0)


def assign(engine: Engine, conversation_id: int, assignee: str | None, actor: str, *, cap: int | None = None,
           teams: Sequence[str] = (), now: datetime | None = None) -> None:
    """Assign to an agent (held to `cap` open conversations) or a team (no cap); None unassigns."""
    require(engine, actor, "agent")
    with engine.begin() as connection:
        before = connection.execute(sa.select(CONVERSATION.c.assignee).where(CONVERSATION.c.id == conversation_id)).scalar()
        if before == assignee:
            return
        if assignee and assignee not in teams and cap is not None and open_count(connection, assignee, conversation_id) >= cap:
            raise CapReached(f"{assignee} already has {cap} open conversations (the cap); close some or assign to someone else")
        connection.execute(CONVERSATION.update().where(CONVERSATION.c.id == conversation_id).values(assignee=assignee))
        connection.execute(MENTION.update().where(MENTION.c.conversation_id == conversation_id).values(assignee=assignee))
        audit(connection, actor, "assigned", f"conversation:{conversation_id}", {"from": before, "to": assignee}, now)


def claim_conversation(engine: Engine, conversation_id: int, agent: str, cap: int | None = None,
                       now: datetime | None = None) -> None:
    assign(engine, conversation_id, agent, agent, cap=cap, now=now)


def add_note(engine: Engine, conversation_id: int, agent: str, text: str, now: datetime | None = None,
             token: str | None = None) -> int:
    """An internal note: stored and shown to agents, never sent anywhere. `token` (one per form
    submission) makes a repeated submission return the note already stored."""
    require(engine, agent, "agent")
    now = now_utc(now)
    values = {"conversation_id": conversation_id, "agent": agent, "text": text, "created_at": now,
              "idempotency_key": token}
    with engine.begin() as connection:
        if token is None:
            note_id = connection.execute(NOTE.insert().values(values)).inserted_primary_key[0]
        elif (note_id := insert_once(connection, NOTE, values)) is None:
            return stored_with_key(connection, NOTE, token)
        audit(connection, agent, "note.added", f"conversation:{conversation_id}", {"note_id": note_id}, now)
    return int(note_id)


def _insert_ignoring(connection: sa.Connection, table: sa.Table, keys: Sequence[str]) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=list(keys))


def set_tags(engine: Engine, conversation_id: int, wanted: Sequence[str], actor: str,
             now: datetime | None = None) -> None:
    """Make the conversation's tags exactly `wanted` (tags live on each of its mentions)."""
    require(engine, actor, "agent")
    wanted = sorted({tag.strip() for tag in wanted if tag.strip()})
    with engine.begin() as connection:
        mention_ids = list(connection.execute(sa.select(MENTION.c.id).where(
            MENTION.c.conversation_id == conversation_id)).scalars())
        if wanted:
            connection.execute(_insert_ignoring(connection, TAG, ["name"]), [{"name": name} for name in wanted])
        tag_ids = dict(connection.execute(sa.select(TAG.c.name, TAG.c.id).where(TAG.c.name.in_(wanted))).all())
        current = set(connection.execute(sa.select(TAG.c.name).join(MENTION_TAG, MENTION_TAG.c.tag_id == TAG.c.id)
                                         .where(MENTION_TAG.c.mention_id.in_(mention_ids))).scalars())
        removed = current - set(wanted)
        connection.execute(MENTION_TAG.delete().where(MENTION_TAG.c.mention_id.in_(mention_ids), MENTION_TAG.c.tag_id.in_(
            sa.select(TAG.c.id).where(TAG.c.name.in_(removed)))))
        rows = [{"mention_id": m, "tag_id": tag_ids[name]} for m in mention_ids for name in wanted]
        if rows:
            connection.execute(_insert_ignoring(connection, MENTION_TAG, ["mention_id", "tag_id"]), rows)
        if removed or set(wanted) - current:
            audit(connection, actor, "tags.changed", f"conversation:{conversation_id}",
                  {"added": sorted(set(wanted) - current), "removed": sorted(removed)}, now)


# --- presence and collisions ----------------------------------------------------------------

def heartbeat(engine: Engine, conversation_id: int, agent: str, drafting: bool = False,
              now: datetime | None = None) -> None:
    """Say "I have this conversation open (and am writing a reply)"; repeated while it is open."""
    require(engine, agent, "agent")
    values = {"conversation_id": conversation_id, "agent": agent, "seen_at": now_utc(now), "drafting": drafting}
    with engine.begin() as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(PRESENCE).values(values)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["conversation_id", "agent"], set_={"seen_at": values["seen_at"], "drafting": drafting}))


def leave(engine: Engine, conversation_id: int, agent: str) -> None:
    with engine.begin() as connection:
        connection.execute(PRESENCE.delete().where(PRESENCE.c.conversation_id == conversation_id,
                                                   PRESENCE.c.agent == agent))


def others_present(engine: Engine, conversation_id: int, agent: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """Other agents seen on this conversation within the heartbeat window."""
    since = now_utc(now) - PRESENCE_TTL
    statement = (sa.select(PRESENCE.c.agent, PRESENCE.c.drafting, PRESENCE.c.seen_at)
                 .where(PRESENCE.c.conversation_id == conversation_id, PRESENCE.c.agent != agent,
                        PRESENCE.c.seen_at >= since).order_by(PRESENCE.c.agent))
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(statement)]


def collision_warnings(engine: Engine, conversation_id: int, agent: str, opened_at: datetime,
                       now: datetime | None = None) -> list[str]:
    """Reasons to stop before sending: someone else is drafting, or a reply went out (or was
    queued) since this agent opened the conversation. Empty: no second reply in sight."""
    warnings = [f"{p['agent']} is writing a reply to this conversation right now"
                for p in others_present(engine, conversation_id, agent, now) if p["drafting"]]
    statement = (sa.select(REPLY.c.agent, REPLY.c.state, REPLY.c.created_at)
                 .where(REPLY.c.conversation_id == conversation_id, REPLY.c.created_at >= opened_at,
                        REPLY.c.state != "failed").order_by(REPLY.c.created_at))
    with engine.connect() as connection:
        for row in connection.execute(statement):
            who = "you" if row.agent == agent else row.agent
            warnings.append(f"a reply by {who} was {row.state} at {row.created_at:%H:%M} UTC since you opened this")
    return warnings


# --- saved replies and placeholders ---------------------------------------------------------

def saved_replies(engine: Engine, brand: str | None, lang: str | None) -> list[dict[str, Any]]:
    """Templates for this brand and language, the most specific first (brand+lang, brand, any)."""
    statement = sa.select(SAVED).where(sa.or_(SAVED.c.brand.is_(None), SAVED.c.brand == brand),
                                       sa.or_(SAVED.c.lang.is_(None), SAVED.c.lang == lang))
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(statement)]
    return sorted(rows, key=lambda r: (r["brand"] is None, r["lang"] is None, r["title"].lower()))


def add_saved_reply(engine: Engine, title: str, text: str, *, brand: str | None = None, lang: str | None = None,
                    actor: str = "admin", now: datetime | None = None) -> int:
    require(engine, actor, "agent")
    with engine.begin() as connection:
        saved_id = connection.execute(SAVED.insert().values(title=title, text=text, brand=brand, lang=lang,
                                                            created_by=actor, created_at=now_utc(now))).inserted_primary_key[0]
        audit(connection, actor, "saved_reply.added", f"saved_reply:{saved_id}", {"brand": brand, "lang": lang}, now)
    return int(saved_id)


def fill_placeholders(text: str, *, author_name: str | None, author_handle: str, agent: str,
                      brand: str | None) -> str:
    """{author} (display name, else handle), {agent}, {brand}. Plain replacement, not
    `str.format`: a customer-facing text may hold other braces, and must never run code."""
    values = {"{author}": author_name or author_handle.lstrip("@"), "{agent}": agent, "{brand}": brand or ""}
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def target_with(engine: Engine, mention_id: int, *extra: sa.Column) -> tuple[ReplyTarget, tuple]:
    """The stored post a reply or a moderation action acts on, and the `extra` columns' values."""
    query = (sa.select(MENTION.c.source, MENTION.c.external_id, MENTION.c.author_handle, MENTION.c.author_name,
                       MENTION.c.url, MENTION.c.lang, CONVERSATION.c.root_key, *extra)
             .join(CONVERSATION, CONVERSATION.c.id == MENTION.c.conversation_id, isouter=True)
             .where(MENTION.c.id == mention_id))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        raise LookupError(f"no mention with id {mention_id}")
    return ReplyTarget(row.source, row.external_id, row.author_handle, row.url, row.author_name, row.root_key,
                       row.lang), tuple(row[7:])


def reply_target(engine: Engine, mention_id: int) -> tuple[ReplyTarget, str | None]:
    """The stored post a reply would answer, and its brand."""
    target, (brand,) = target_with(engine, mention_id, MENTION.c.brand)
    return target, brand


def compose(engine: Engine, mention_id: int, text: str, agent: str) -> str:
    target, brand = reply_target(engine, mention_id)
    return fill_placeholders(text, author_name=target.author_name, author_handle=target.author_handle,
                             agent=agent, brand=brand)


def send_reply(engine: Engine, mention_id: int, text: str, agent: str, responders: Sequence[Responder],
               now: datetime | None = None, token: str | None = None) -> Outcome:
    """Fill placeholders, store the reply in the outbox, and send it at once when the network
    has a configured responder; otherwise it stays queued for `nasluch run`. The same `token`
    again (a double click) sends nothing more: it returns the first reply's state."""
    require(engine, agent, "agent")
    target, _ = reply_target(engine, mention_id)
    reply_id, new = store_reply(engine, mention_id, compose(engine, mention_id, text, agent), agent, now, token)
    if not new or responder_for(responders, target) is None:
        return reply_outcome(engine, reply_id)
    return send_now(engine, reply_id, responders, now=now)


def manual_key(mention_id: int, agent: str, text: str) -> str:
    """Without a form token, the same agent recording the same text on the same post is a repeat."""
    return "manual-" + hashlib.sha256(f"{mention_id}\x00{agent}\x00{text.strip()}".encode()).hexdigest()[:48]


def record_manual_reply(engine: Engine, mention_id: int, text: str, agent: str, now: datetime | None = None,
                        token: str | None = None) -> int:
    """An agent posted by hand ("copy and open"): keep it, as sent, so the SLA clock stops.
    Recording it again (a double click, a reload) returns the stored reply and keeps its time."""
    require(engine, agent, "agent")
    now = now_utc(now)
    key = token or manual_key(mention_id, agent, text)
    with engine.begin() as connection:
        mention = connection.execute(sa.select(MENTION.c.source, MENTION.c.external_id, MENTION.c.conversation_id)
                                     .where(MENTION.c.id == mention_id)).one()
        reply_id = insert_once(connection, REPLY, {
            "source": mention.source, "conversation_id": mention.conversation_id, "mention_id": mention_id,
            "in_reply_to": mention.external_id, "agent": agent, "text": text, "created_at": now, "state": "sent",
            "idempotency_key": key})
        if reply_id is None:
            return stored_with_key(connection, REPLY, key)
        audit(connection, agent, "reply.manual", f"reply:{reply_id}", {"mention_id": mention_id}, now)
    return int(reply_id)


# --- SLA breach alerts ----------------------------------------------------------------------

def alert_sla_breaches(engine: Engine, alerts: Any, sla_minutes: int, *, client: Any = None,
                       now: datetime | None = None) -> list[int]:
    """Tell the alert channels (`alerts:` webhook / e-mail) about conversations that just went
    past the SLA. Each wait is announced once (an audit entry keyed by when it started), and only
    breaches from the last `lookback_hours`: history imported yesterday must not page anyone.
    The message names the conversation, never the customer's words."""
    import httpx

    from monitor.alerts import notify as channels
    from monitor.inbox.display import waiting_text
    from monitor.inbox.queue import sla_breaches

    now = now_utc(now)
    fresh = sla_breaches(engine, sla_minutes, now).filter(
        pl.col("sla_due") >= now - timedelta(hours=alerts.lookback_hours))
    with engine.connect() as connection:
        done = {(row.target, (row.detail or {}).get("waiting_since")) for row in connection.execute(
            sa.select(AUDIT.c.target, AUDIT.c.detail).where(AUDIT.c.action == "sla.alerted"))}
    announced: list[int] = []
    client = client or httpx.Client(timeout=10.0)
    for row in fresh.iter_rows(named=True):
        key = (f"conversation:{row['conversation_id']}", row["waiting_since"].isoformat())
        if key in done:
            continue
        text = (f"Nasłuch: conversation #{row['conversation_id']} ({row['source']}, {row['brand'] or 'no brand'}) "
                f"is past the {sla_minutes}-minute SLA: waiting {waiting_text(row['waiting_s'])}, "
                f"assignee {row['assignee'] or 'nobody'}.")
        errors = _announce(channels, alerts, client, text)
        with engine.begin() as connection:
            audit(connection, "alerts", "sla.alerted", key[0], {"waiting_since": key[1], "errors": errors}, now)
        announced.append(row["conversation_id"])
    return announced


def _announce(channels: Any, alerts: Any, client: Any, text: str) -> list[str]:
    import smtplib

    import httpx

    errors = []
    if alerts.webhook_url:
        try:
            channels.send_webhook(client, alerts.webhook_url, text)
        except httpx.HTTPError as error:
            errors.append(f"webhook: {error}")
    if alerts.email:
        try:
            channels.send_email(alerts.email, "Nasłuch: a conversation is past the SLA", text)
        except (smtplib.SMTPException, OSError) as error:
            errors.append(f"e-mail: {error}")
    return errors
