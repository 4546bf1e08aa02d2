"""Numbers as a care team reads them: "6 d 2 h", "overdue 5 d", "32 min left", "488 k", "73".

Pure functions, shared by the dashboard's queue, the `nasluch inbox` table and the alerts, so
every place says a wait the same way.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl


def waiting_text(seconds: float | None) -> str:
    """"12 min", "3 h 05 min", "2 d 4 h": how the queue says a wait or a time left."""
    if seconds is None:
        return "-"
    value = timedelta(seconds=abs(int(seconds)))
    days, hours, minutes = value.days, value.seconds // 3600, value.seconds % 3600 // 60
    text = f"{days} d {hours} h" if days else f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    return f"-{text}" if seconds < 0 else text


def _largest_unit(seconds: float) -> str:
    seconds = abs(int(seconds))
    if seconds >= 86400:
        return f"{seconds // 86400} d"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


def sla_text(left_s: float | None) -> str:
    """"overdue 5 d", "overdue 3 h", "32 min left"; "-" when no clock runs (we spoke last)."""
    if left_s is None:
        return "-"
    if left_s < 0:
        return f"overdue {_largest_unit(left_s)}"
    return f"{waiting_text(left_s)} left"


def priority_text(priority: float | None) -> str:
    """The 0..100 priority as a whole number; "-" before scoring."""
    return "-" if priority is None else str(priority_number(priority))


def priority_number(priority: float | None) -> int | None:
    return None if priority is None else int(max(0.0, min(100.0, round(priority))))


def followers_text(followers: int | None) -> str:
    """"950", "488 k", "1.2 M"; "-" when the network does not say."""
    if followers is None:
        return "-"
    if followers < 1000:
        return str(followers)
    if followers < 1_000_000:
        return f"{round(followers / 1000)} k" if followers < 999_500 else "1 M"
    millions = followers / 1_000_000
    return f"{millions:.1f} M".replace(".0 M", " M") if millions < 10 else f"{round(millions)} M"


def queue_table(frame: pl.DataFrame, limit: int | None = None) -> pl.DataFrame:
    """The queue as people read it (dashboard and `nasluch inbox`): whole-number priority, waits
    in days and hours, the SLA as "overdue 5 d" or "32 min left", followers as "488 k"."""
    rows = frame if limit is None else frame.head(limit)

    def text(column: str, function: Any) -> pl.Expr:
        return pl.col(column).map_elements(function, return_dtype=pl.Utf8, skip_nulls=False)

    return rows.select(
        pl.col("conversation_id").alias("#"), text("priority", priority_text).alias("priority"),
        # no wait: our reply is the conversation's last word (it stays open until closed)
        pl.when(pl.col("waiting_s").is_null()).then(pl.lit("answered"))
        .otherwise(text("waiting_s", waiting_text)).alias("waiting"),
        text("sla_left_s", sla_text).alias("SLA"),
        pl.when(pl.col("closing")).then(pl.lit("thanks: close?")).when(pl.col("needs_reply"))
        .then(pl.lit("needs reply")).otherwise(pl.lit("waiting on customer")).alias("state"),
        "status", "source", "brand", "lang", pl.col("sentiment").fill_null("scoring pending"), "author", text("followers", followers_text).alias("followers"),
        "preview", "assignee")
