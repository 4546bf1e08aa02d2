"""Spikes: hours with far more mentions than usual for that brand, weekday and hour.

"Usual" is the median of the same local weekday and hour over the previous weeks, not a flat
mean: Sunday evening is always busier than Tuesday at 4 am, and one past incident should not
raise the bar for months (a median ignores it). An hour is a spike when it has at least
`min_mentions` and at least `threshold` times the usual count (a usual of 0 counts as 1).
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from monitor.alerts.settings import SpikeRule
from monitor.reports.counts import with_slot


@dataclass(frozen=True)
class Spike:
    brand: str
    hour: int           # hours since 1970 UTC, the rollup's key
    mentions: int
    usual: float

    @property
    def ratio(self) -> float:
        return self.mentions / max(self.usual, 1.0)


def complete_hours(hourly: pl.DataFrame, first: int, last: int) -> pl.DataFrame:
    """Every brand × every hour in [first, last], zeros filled in (a quiet hour is data too)."""
    brands = hourly.select(pl.col("brand").unique())
    hours = pl.DataFrame({"hour": pl.int_range(first, last + 1, eager=True, dtype=pl.Int64)})
    grid = brands.join(hours, how="cross")
    counted = hourly.group_by("brand", "hour").agg(pl.col("mentions").sum())
    return (grid.join(counted, on=["brand", "hour"], how="left")
            .with_columns(pl.col("mentions").fill_null(0).cast(pl.Int64))
            .sort("brand", "hour"))


def score_hours(hourly: pl.DataFrame, tz: str, rule: SpikeRule, first: int, last: int) -> pl.DataFrame:
    """Each brand-hour with its `usual` count and whether it is a spike.

    `hourly` has brand, hour, mentions and must reach back `rule.baseline_weeks` weeks before the
    hours you look at; hours without two earlier weeks of history get no baseline and no spike.
    """
    if hourly.is_empty():
        return pl.DataFrame(schema={"brand": pl.Utf8, "hour": pl.Int64, "mentions": pl.Int64,
                                    "usual": pl.Float64, "spike": pl.Boolean})
    frame = with_slot(complete_hours(hourly, first, last), tz)
    slot = ["brand", "weekday", "hour_of_day"]
    usual = (pl.col("mentions").cast(pl.Float64).shift(1)
             .rolling_median(window_size=rule.baseline_weeks, min_samples=2).over(slot))
    frame = frame.sort("brand", "hour").with_columns(usual.alias("usual"))
    spike = (pl.col("usual").is_not_null() & (pl.col("mentions") >= rule.min_mentions)
             & (pl.col("mentions") >= rule.threshold * pl.max_horizontal(pl.col("usual"), pl.lit(1.0))))
    return frame.with_columns(spike.alias("spike")).select(
        "brand", "hour", "time", "weekday", "hour_of_day", "mentions", "usual", "spike")


def spikes_of(scored: pl.DataFrame, since_hour: int | None = None) -> list[Spike]:
    rows = scored.filter(pl.col("spike"))
    if since_hour is not None:
        rows = rows.filter(pl.col("hour") >= since_hour)
    return [Spike(r["brand"], r["hour"], r["mentions"], r["usual"]) for r in rows.iter_rows(named=True)]
