"""The inbox's read side: the queue, a conversation's thread and history, and the SLA clock.

A conversation *needs a reply* when the customer spoke last: a message of theirs has no sent reply
after it. The queue shows those first, most urgent first (`monitor.inbox.urgency`: waiting time in
bands, then priority), with the ones where the customer only thanked us (`closing`) at the bottom;
conversations *waiting on the customer* (our reply is the last word) come after, or on their own.

The inbox page calls these and `monitor.inbox.actions` (what agents do); it never opens a
session itself (STYLE.md). The SLA clock of a conversation runs from its oldest customer
message not yet followed by a sent brand reply; a sent reply stops it, a new customer message
after that starts it again. Queued or failed replies do not stop it: the customer saw nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.inbox.closing import is_closing
from monitor.inbox.urgency import UrgencyWeights, urgency
from monitor.mention import now_utc
from monitor.reports.counts import PENDING
from monitor.store import schema
from monitor.store.frames import read_frame

MENTION = schema.MentionRow.__table__
REPLY = schema.ReplyRow.__table__
CONVERSATION = schema.ConversationRow.__table__
NOTE = schema.NoteRow.__table__
TAG = schema.TagRow.__table__
MENTION_TAG = schema.MentionTagRow.__table__
STATUSES = ("open", "pending", "closed")
VIEWS = ("needs-reply", "waiting-on-customer", "all")
UTC_TIME = pl.Datetime("us", "UTC")
_MENTION_SCHEMA = {"id": pl.Int64, "conversation_id": pl.Int64, "created_at": UTC_TIME, "author_name": pl.Utf8,
                   "lang": pl.Utf8, "sentiment": pl.Utf8, "priority": pl.Float64, "url": pl.Utf8,
                   "author_followers": pl.Int64, "text": pl.Utf8}
_REPLY_SCHEMA = {"id": pl.Int64, "conversation_id": pl.Int64, "created_at": UTC_TIME, "url": pl.Utf8,
                 "error": pl.Utf8}


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters; empty or None means "any". `assignee` takes a name or "unassigned".
    Brands, sources, languages and sentiments are tuples, like the dashboard's global filters."""

    status: tuple[str, ...] = ("open", "pending")
    brands: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    tag: str | None = None
    assignee: str | None = None


def _mentions(engine: Engine, conversation_ids: list[int] | None = None) -> pl.DataFrame:
    columns = ("id", "conversation_id", "created_at", "author_handle", "author_name", "text", "lang",
               "sentiment", "priority", "url", "source", "author_followers")
    statement = sa.select(*(MENTION.c[name] for name in columns))
    if conversation_ids is not None:
        statement = statement.where(MENTION.c.conversation_id.in_(conversation_ids))
    return read_frame(engine, statement, _MENTION_SCHEMA)


def _sent_replies(engine: Engine, conversation_ids: list[int] | None = None) -> pl.DataFrame:
    statement = sa.select(REPLY.c.conversation_id, REPLY.c.created_at).where(REPLY.c.state == "sent")
    if conversation_ids is not None:
        statement = statement.where(REPLY.c.conversation_id.in_(conversation_ids))
    return read_frame(engine, statement, _REPLY_SCHEMA)


def sla_frame(mentions: pl.DataFrame, replies: pl.DataFrame, sla_minutes: int, now: datetime) -> pl.DataFrame:
    """Per conversation: when the customer started waiting (null: answered), the SLA due time,
    seconds left (negative: breached) and the last sent reply."""
    last_reply = replies.group_by("conversation_id").agg(pl.col("created_at").max().alias("last_reply_at"))
    waiting = (
        mentions.select("conversation_id", "created_at")
        .join(last_reply, on="conversation_id", how="left")
        .filter(pl.col("last_reply_at").is_null() | (pl.col("created_at") > pl.col("last_reply_at")))
        .group_by("conversation_id").agg(pl.col("created_at").min().alias("waiting_since"))
    )
    ids = mentions.select("conversation_id").unique()
    return (
        ids.join(waiting, on="conversation_id", how="left").join(last_reply, on="conversation_id", how="left")
        .with_columns((pl.col("waiting_since") + pl.duration(minutes=sla_minutes)).alias("sla_due"))
        .with_columns(
            ((pl.col("sla_due") - pl.lit(now, UTC_TIME)).dt.total_seconds()).alias("sla_left_s"),
            ((pl.lit(now, UTC_TIME) - pl.col("waiting_since")).dt.total_seconds()).alias("waiting_s"))
        .with_columns((pl.col("sla_left_s") < 0).fill_null(False).alias("breached"))
    )


def _conversations(engine: Engine, filters: QueueFilter) -> pl.DataFrame:
    statement = sa.select(CONVERSATION.c.id.label("conversation_id"), CONVERSATION.c.brand, CONVERSATION.c.source,
                          CONVERSATION.c.status, CONVERSATION.c.assignee, CONVERSATION.c.started_at)
    if filters.status:
        statement = statement.where(CONVERSATION.c.status.in_(filters.status))
    if filters.brands:
        statement = statement.where(CONVERSATION.c.brand.in_(filters.brands))
    if filters.sources:
        statement = statement.where(CONVERSATION.c.source.in_(filters.sources))
    if filters.assignee == "unassigned":
        statement = statement.where(CONVERSATION.c.assignee.is_(None))
    elif filters.assignee:
        statement = statement.where(CONVERSATION.c.assignee == filters.assignee)
    if filters.tag:
        tagged = (sa.select(MENTION.c.conversation_id).join(MENTION_TAG, MENTION_TAG.c.mention_id == MENTION.c.id)
                  .join(TAG, TAG.c.id == MENTION_TAG.c.tag_id).where(TAG.c.name == filters.tag))
        statement = statement.where(CONVERSATION.c.id.in_(tagged))
    return read_frame(engine, statement, {"started_at": UTC_TIME, "brand": pl.Utf8, "assignee": pl.Utf8,
                                          "conversation_id": pl.Int64})


def _summaries(mentions: pl.DataFrame) -> pl.DataFrame:
    """One row per conversation: who, what (the newest words), its language, mood and priority."""
    return mentions.sort("created_at").group_by("conversation_id").agg(
        pl.col("author_name").first().alias("author_name"), pl.col("author_handle").first().alias("author"),
        pl.col("text").last().str.slice(0, 160).alias("preview"), pl.col("lang").drop_nulls().first().alias("lang"),
        pl.col("sentiment").drop_nulls().last().alias("sentiment"),
        pl.col("priority").max().fill_null(0.0).alias("priority"), pl.col("id").last().alias("last_mention_id"),
        pl.len().alias("messages"), pl.col("created_at").max().alias("last_message_at"),
        pl.col("author_followers").max().alias("followers"))


def _unanswered(mentions: pl.DataFrame, sla: pl.DataFrame) -> pl.DataFrame:
    """Per conversation that needs a reply: the top priority of the customer's unanswered
    messages, and whether they only thank us after our reply (`closing`)."""
    rows = (mentions.join(sla.select("conversation_id", "last_reply_at"), on="conversation_id", how="left")
            .filter(pl.col("last_reply_at").is_null() | (pl.col("created_at") > pl.col("last_reply_at"))))
    thanks = rows.filter(pl.col("last_reply_at").is_not_null()).select(
        "id", pl.col("text").map_elements(is_closing, return_dtype=pl.Boolean).alias("thanks"))
    return (rows.join(thanks, on="id", how="left").group_by("conversation_id").agg(
        pl.col("priority").max().alias("unanswered_priority"),
        pl.col("thanks").fill_null(False).all().alias("closing")))


def queue(engine: Engine, sla_minutes: int, filters: QueueFilter = QueueFilter(), now: datetime | None = None,
          view: str = "needs-reply", weights: UrgencyWeights | None = None) -> pl.DataFrame:
    """Conversations to work, in the order to work them. `view`: "needs-reply" (the customer
    spoke last; most urgent first, thank-yous last), "waiting-on-customer" (our reply is the last
    word; the longest since our reply first) or "all" (the first, then the second)."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    now = now_utc(now)
    conversations = _conversations(engine, filters)
    ids = conversations["conversation_id"].to_list()
    mentions = _mentions(engine, ids)
    summary = _summaries(mentions)
    if filters.langs:
        summary = summary.filter(pl.col("lang").is_in(filters.langs))
    if filters.sentiments:  # the dashboard's "scoring pending" label means not scored yet
        wanted = pl.col("sentiment").is_in(filters.sentiments)
        summary = summary.filter(wanted | pl.col("sentiment").is_null() if PENDING in filters.sentiments else wanted)
    sla = sla_frame(mentions, _sent_replies(engine, ids), sla_minutes, now)
    frame = (
        conversations.join(summary, on="conversation_id", how="inner").join(sla, on="conversation_id", how="left")
        .join(_unanswered(mentions, sla), on="conversation_id", how="left")
        .with_columns(pl.col("waiting_since").is_not_null().alias("needs_reply"),
                      pl.col("closing").fill_null(False),
                      pl.coalesce("unanswered_priority", "priority").fill_null(0.0).alias("priority"))
        .with_columns(urgency(sla_minutes, weights))
    )
    if view != "all":
        frame = frame.filter(pl.col("needs_reply") == (view == "needs-reply"))
    return frame.sort(["needs_reply", "urgency", "waiting_s", "last_reply_at", "conversation_id"],
                      descending=[True, True, True, False, False], nulls_last=True)


# The two words every page uses the same way (Inbox, Response times, `nasluch inbox`):
NEEDS_REPLY = "needs a reply"   # not closed, and the customer spoke last (no sent reply after their message)
OPEN = "open"                   # the conversation's status is open (not pending, not closed)
WORDS = {NEEDS_REPLY: "not closed, and the customer spoke last: a message of theirs has no sent reply after "
                      "it (queued or failed replies do not count: the customer saw nothing)",
         OPEN: "the conversation's status is open: nobody set it to pending or closed"}


def conversation_states(engine: Engine, now: datetime | None = None) -> pl.DataFrame:
    """Every conversation with its status, assignee, `needs_reply` (the queue's definition, from
    `sla_frame`: the customer spoke last), `unanswered` (needs a reply and is not closed: what the
    Inbox lists) and `open`, for reports that count conversations the way the Inbox does."""
    conversations = _conversations(engine, QueueFilter(status=()))
    mentions = read_frame(engine, sa.select(MENTION.c.conversation_id, MENTION.c.created_at), _MENTION_SCHEMA)
    sla = sla_frame(mentions, _sent_replies(engine), 60, now_utc(now))
    return conversations.join(sla.select("conversation_id", pl.col("waiting_since").is_not_null().alias("needs_reply")),
                              on="conversation_id", how="left").with_columns(
        pl.col("needs_reply").fill_null(False), (pl.col("status") == "open").alias("open")).with_columns(
        (pl.col("needs_reply") & (pl.col("status") != "closed")).alias("unanswered"))


def counters(frame: pl.DataFrame) -> dict[str, int]:
    """The numbers over the queue: "12 open, 9 need a reply, 3 past the SLA"."""
    open_ = frame.filter(pl.col("status") == "open")
    return {"open": open_.height, "pending": frame.filter(pl.col("status") == "pending").height,
            "needs_reply": frame.filter(pl.col("needs_reply")).height,
            "past_sla": frame.filter(pl.col("breached") & (pl.col("status") != "closed")).height}


def sla_breaches(engine: Engine, sla_minutes: int, now: datetime | None = None) -> pl.DataFrame:
    """Open conversations past their SLA, for the alert channels."""
    return queue(engine, sla_minutes, QueueFilter(status=("open",)), now, view="all").filter(pl.col("breached"))


def sla_status(engine: Engine, conversation_id: int, sla_minutes: int, now: datetime | None = None) -> dict[str, Any]:
    """The clock of one conversation: running (with time left) or stopped by a sent reply."""
    now = now_utc(now)
    frame = sla_frame(_mentions(engine, [conversation_id]), _sent_replies(engine, [conversation_id]),
                      sla_minutes, now)
    if frame.is_empty():
        return {"running": False, "waiting_since": None, "due": None, "left_s": None, "breached": False,
                "answered_at": None}
    row = frame.row(0, named=True)
    return {"running": row["waiting_since"] is not None, "waiting_since": row["waiting_since"],
            "due": row["sla_due"], "left_s": row["sla_left_s"], "breached": bool(row["breached"]),
            "answered_at": row["last_reply_at"]}


def conversation(engine: Engine, conversation_id: int) -> dict[str, Any] | None:
    with engine.connect() as connection:
        row = connection.execute(sa.select(CONVERSATION).where(CONVERSATION.c.id == conversation_id)).first()
    return dict(row._mapping) if row else None


def thread(engine: Engine, conversation_id: int) -> pl.DataFrame:
    """Customer posts and brand replies (any state) of one conversation, oldest first."""
    mentions = _mentions(engine, [conversation_id]).select(
        pl.lit("customer").alias("kind"), "id", "created_at",
        pl.coalesce("author_name", "author_handle").alias("author"), "author_handle", "text", "url",
        pl.lit(None, pl.Utf8).alias("state"), pl.lit(None, pl.Utf8).alias("error"), "sentiment")
    statement = sa.select(REPLY.c.id, REPLY.c.created_at, REPLY.c.agent, REPLY.c.text, REPLY.c.url, REPLY.c.state,
                          REPLY.c.error).where(REPLY.c.conversation_id == conversation_id)
    replies = read_frame(engine, statement, _REPLY_SCHEMA).select(
        pl.lit("brand").alias("kind"), "id", "created_at", pl.col("agent").alias("author"),
        pl.col("agent").alias("author_handle"), "text", "url", "state", "error",
        pl.lit(None, pl.Utf8).alias("sentiment"))
    return pl.concat([mentions, replies], how="vertical_relaxed").sort("created_at", "kind")


def earlier_conversations(engine: Engine, conversation_id: int, limit: int = 20) -> pl.DataFrame:
    """The same authors' other conversations with the same brand, newest first."""
    current = conversation(engine, conversation_id)
    if current is None:
        return pl.DataFrame()
    authors = sa.select(MENTION.c.source, MENTION.c.author_handle).where(
        MENTION.c.conversation_id == conversation_id).distinct().subquery()
    statement = (
        sa.select(CONVERSATION.c.id, CONVERSATION.c.started_at, CONVERSATION.c.status,
                  sa.func.count(MENTION.c.id).label("messages"), sa.func.min(MENTION.c.text).label("sample"))
        .join(MENTION, MENTION.c.conversation_id == CONVERSATION.c.id)
        .join(authors, sa.and_(authors.c.source == MENTION.c.source, authors.c.author_handle == MENTION.c.author_handle))
        .where(CONVERSATION.c.id != conversation_id)
        .group_by(CONVERSATION.c.id, CONVERSATION.c.started_at, CONVERSATION.c.status)
        .order_by(CONVERSATION.c.started_at.desc()).limit(limit))
    if current["brand"]:
        statement = statement.where(CONVERSATION.c.brand == current["brand"])
    return read_frame(engine, statement, {"id": pl.Int64, "started_at": UTC_TIME, "messages": pl.Int64})


def notes(engine: Engine, conversation_id: int) -> pl.DataFrame:
    statement = (sa.select(NOTE.c.id, NOTE.c.agent, NOTE.c.text, NOTE.c.created_at)
                 .where(NOTE.c.conversation_id == conversation_id).order_by(NOTE.c.created_at, NOTE.c.id))
    return read_frame(engine, statement, {"id": pl.Int64, "created_at": UTC_TIME})


def conversation_tags(engine: Engine, conversation_id: int) -> list[str]:
    statement = (sa.select(TAG.c.name).join(MENTION_TAG, MENTION_TAG.c.tag_id == TAG.c.id)
                 .join(MENTION, MENTION.c.id == MENTION_TAG.c.mention_id)
                 .where(MENTION.c.conversation_id == conversation_id).distinct().order_by(TAG.c.name))
    with engine.connect() as connection:
        return list(connection.execute(statement).scalars())


def all_tags(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(TAG.c.name).order_by(TAG.c.name)).scalars())


def filter_choices(engine: Engine) -> dict[str, list[str]]:
    """Values the queue's filters can take, from what is stored."""
    with engine.connect() as connection:
        def distinct(column: sa.Column) -> list[str]:
            return sorted(v for v in connection.execute(sa.select(column).distinct()).scalars() if v)
        return {"brand": distinct(CONVERSATION.c.brand), "source": distinct(CONVERSATION.c.source),
                "lang": distinct(MENTION.c.lang), "sentiment": distinct(MENTION.c.sentiment),
                "assignee": distinct(CONVERSATION.c.assignee), "tag": distinct(TAG.c.name)}
