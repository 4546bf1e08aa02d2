"""Spikes: hours with far more mentions than usual for that brand, weekday and hour.

"Usual" is the median of the same local weekday and hour over the previous weeks, not a flat
mean: Sunday evening is always busier than Tuesday at 4 am, and one past incident should not
raise the bar for months (a median ignores it). An hour is a spike when it has at least
`min_mentions` and at least `threshold` times the usual count (a usual of 0 counts as 1).

With short history (under three weeks: a new brand, a fresh install, the first weeks of the demo) that median does
not exist yet, and the largest outages would go unflagged. Then "usual" falls back, in order, to
the median of the same hour on earlier days, and to the mean of all earlier hours; the `baseline`
column says which one an hour was judged against. Only earlier hours ever count.
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from monitor.alerts.settings import SpikeRule
from monitor.reports.counts import with_slot

WEEKLY = "same weekday and hour"
DAILY = "same hour, earlier days"
OVERALL = "all earlier hours"
BASELINES = (WEEKLY, DAILY, OVERALL)
DAILY_WINDOW = 14       # days behind the same-hour fallback
MIN_WEEKS, MIN_DAYS, MIN_HOURS = 3, 2, 24   # the least history each baseline needs (a median of 3
# ignores one outage; a "median" of 2 is a mean, and would draw last outage's echo as usual)


@dataclass(frozen=True)
class Spike:
    brand: str
    hour: int           # hours since 1970 UTC, the rollup's key
    mentions: int
    usual: float
    baseline: str | None = None     # which of BASELINES `usual` comes from, when known

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


def _baselines(rule: SpikeRule) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The three "usual" levels of an hour, each from earlier hours only (null: too little history)."""
    counted = pl.col("mentions").cast(pl.Float64)
    weekly = counted.shift(1).rolling_median(window_size=rule.baseline_weeks,
                                                     min_samples=min(MIN_WEEKS, rule.baseline_weeks))
    daily = counted.shift(1).rolling_median(window_size=DAILY_WINDOW, min_samples=MIN_DAYS)
    earlier = pl.col("mentions").cum_count().over("brand") - 1
    mean = (counted.cum_sum().over("brand") - counted) / earlier
    return (weekly.over("brand", "weekday", "hour_of_day"), daily.over("brand", "hour_of_day"),
            pl.when(earlier >= MIN_HOURS).then(mean))


def score_hours(hourly: pl.DataFrame, tz: str, rule: SpikeRule, first: int, last: int) -> pl.DataFrame:
    """Each brand-hour with its `usual` count, the `baseline` that count comes from, and whether
    it is a spike.

    `hourly` has brand, hour, mentions and should reach back `rule.baseline_weeks` weeks before the
    hours you look at; an hour with less history is judged against a fallback baseline (module
    docstring), and only the first day of all gets none and no spike.
    """
    if hourly.is_empty():
        return pl.DataFrame(schema={"brand": pl.Utf8, "hour": pl.Int64, "mentions": pl.Int64,
                                    "usual": pl.Float64, "baseline": pl.Utf8, "spike": pl.Boolean})
    frame = with_slot(complete_hours(hourly, first, last), tz).sort("brand", "hour")
    weekly, daily, overall = _baselines(rule)
    frame = frame.with_columns(weekly.alias("_weekly"), daily.alias("_daily"), overall.alias("_overall"))
    frame = frame.with_columns(
        pl.coalesce("_weekly", "_daily", "_overall").alias("usual"),
        pl.when(pl.col("_weekly").is_not_null()).then(pl.lit(WEEKLY))
        .when(pl.col("_daily").is_not_null()).then(pl.lit(DAILY))
        .when(pl.col("_overall").is_not_null()).then(pl.lit(OVERALL)).alias("baseline"))
    spike = (pl.col("usual").is_not_null() & (pl.col("mentions") >= rule.min_mentions)
             & (pl.col("mentions") >= rule.threshold * pl.max_horizontal(pl.col("usual"), pl.lit(1.0))))
    return frame.with_columns(spike.alias("spike")).select(
        "brand", "hour", "time", "weekday", "hour_of_day", "mentions", "usual", "baseline", "spike")


def spikes_of(scored: pl.DataFrame, since_hour: int | None = None) -> list[Spike]:
    rows = scored.filter(pl.col("spike"))
    if since_hour is not None:
        rows = rows.filter(pl.col("hour") >= since_hour)
    return [Spike(r["brand"], r["hour"], r["mentions"], r["usual"], r["baseline"]) for r in rows.iter_rows(named=True)]
