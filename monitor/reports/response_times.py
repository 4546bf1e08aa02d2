"""First response times: from a conversation's first customer message to the brand's first reply
after it, overall and per brand, against the SLA."""
from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Engine

from monitor.store.frames import conversations_frame, mentions_frame, replies_frame


def first_responses(engine: Engine) -> pl.DataFrame:
    """One row per conversation: its first customer message and the brand's first reply after it."""
    mentions = mentions_frame(engine, ("conversation_id", "created_at"))
    first = mentions.group_by("conversation_id").agg(pl.col("created_at").min().alias("first_message_at"))
    conversations = conversations_frame(engine).select(
        pl.col("id").alias("conversation_id"), "brand", "source")
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


def _summary(frame: pl.DataFrame, sla_s: float) -> dict[str, Any]:
    answered = frame.filter(pl.col("response_s").is_not_null())["response_s"]
    count = answered.len()
    return {
        "count": count,
        "median_s": float(answered.median()) if count else None,
        "p90_s": float(answered.quantile(0.9, interpolation="linear")) if count else None,
        "within_sla": round(float((answered <= sla_s).mean()), 4) if count else None,
        "unanswered": frame.height - count,
    }


def _grouped(frame: pl.DataFrame, column: str, sla_s: float) -> dict[str, Any]:
    groups = {}
    for key in sorted(frame[column].drop_nulls().unique().to_list()):
        groups[str(key)] = _summary(frame.filter(pl.col(column) == key), sla_s)
    return groups


def response_times(engine: Engine, sla_minutes: int) -> dict[str, Any]:
    """First response time as DESIGN.md defines it; `within_sla` is a share of answered ones."""
    frame = first_responses(engine)
    sla_s = sla_minutes * 60.0
    weeks = frame.with_columns(pl.col("first_message_at").dt.strftime("%G-W%V").alias("week"))
    return {
        **_summary(frame, sla_s),
        "sla_minutes": sla_minutes,
        "by_brand": _grouped(frame, "brand", sla_s),
        "by_source": _grouped(frame, "source", sla_s),
        "by_agent": _grouped(frame, "agent", sla_s),
        "by_week": _grouped(weeks, "week", sla_s),
    }
