"""First response times: from a conversation's first customer message to the brand's first reply
after it, overall and per brand, against the SLA.

Next to them, two counts in the Inbox's words (`monitor.inbox.queue.WORDS`): conversations that
*need a reply* now (not closed, and the customer spoke last) and *open* ones (status open). Per agent, the
response times belong to who sent the first reply and the two counts to the conversation's
assignee: an unanswered conversation has no replying agent, only an owner."""
from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Engine

from monitor.inbox.queue import conversation_states
from monitor.store.frames import mentions_frame, replies_frame

UNASSIGNED = "(unassigned)"


def first_responses(engine: Engine) -> pl.DataFrame:
    """One row per conversation: its first customer message and the brand's first reply after it."""
    mentions = mentions_frame(engine, ("conversation_id", "created_at"))
    first = mentions.group_by("conversation_id").agg(pl.col("created_at").min().alias("first_message_at"))
    conversations = conversation_states(engine).select(
        "conversation_id", "brand", "source", "assignee", "status", "unanswered", "open")
    replies = replies_frame(engine).select("conversation_id", "created_at", "agent")
    answered = (
        first.join(replies, on="conversation_id")
        .filter(pl.col("created_at") >= pl.col("first_message_at"))
        .sort("created_at")
        .group_by("conversation_id")
        .agg(pl.col("created_at").first().alias("first_response_at"), pl.col("agent").first())
    )
    return (
        first.join(conversations, on="conversation_id", how="left")
        .join(answered, on="conversation_id", how="left")
        .with_columns(
            ((pl.col("first_response_at") - pl.col("first_message_at")).dt.total_microseconds() / 1e6).alias("response_s"))
    )


def _summary(frame: pl.DataFrame, sla_s: float, owned: pl.DataFrame | None = None) -> dict[str, Any]:
    """`owned`: the conversations the two counts are about (default: `frame`'s)."""
    owned = frame if owned is None else owned
    answered = frame.filter(pl.col("response_s").is_not_null())["response_s"]
    count = answered.len()
    return {
        "count": count,
        "median_s": float(answered.median()) if count else None,
        "p90_s": float(answered.quantile(0.9, interpolation="linear")) if count else None,
        "within_sla": round(float((answered <= sla_s).mean()), 4) if count else None,
        "unanswered": int(owned["unanswered"].fill_null(False).sum()),
        "open": int(owned["open"].fill_null(False).sum()),
    }


def _grouped(frame: pl.DataFrame, column: str, sla_s: float, owner: str | None = None) -> dict[str, Any]:
    owner = owner or column
    keys = set(frame[column].drop_nulls().to_list()) | set(frame[owner].drop_nulls().to_list())
    return {str(key): _summary(frame.filter(pl.col(column) == key), sla_s, frame.filter(pl.col(owner) == key))
            for key in sorted(keys)}


def response_times(engine: Engine, sla_minutes: int) -> dict[str, Any]:
    """First response time as DESIGN.md defines it; `within_sla` is a share of answered ones.
    `unanswered`: conversations that need a reply now; `open`: conversations with status open."""
    frame = first_responses(engine)
    sla_s = sla_minutes * 60.0
    weeks = frame.with_columns(pl.col("first_message_at").dt.strftime("%G-W%V").alias("week"))
    return {
        **_summary(frame, sla_s),
        "sla_minutes": sla_minutes,
        "by_brand": _grouped(frame, "brand", sla_s),
        "by_source": _grouped(frame, "source", sla_s),
        "by_agent": _grouped(frame.with_columns(pl.col("assignee").fill_null(UNASSIGNED)), "agent", sla_s,
                             owner="assignee"),
        "by_week": _grouped(weeks, "week", sla_s),
    }
