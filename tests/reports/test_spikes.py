"""Spikes are judged against the same weekday and hour of earlier weeks, not a flat mean."""
from __future__ import annotations

from datetime import datetime, timezone

import polars as pl

from monitor.alerts.settings import SpikeRule
from monitor.reports.spikes import score_hours

MONDAY = int(datetime(2026, 1, 5, tzinfo=timezone.utc).timestamp() // 3600)  # Monday 00:00 UTC
WEEKS = 8


def weekly_rhythm(extra: dict[int, int] | None = None) -> pl.DataFrame:
    """8 weeks for one brand: 2 mentions an hour, but 40 every Sunday 19-20h UTC."""
    rows = []
    for hour in range(MONDAY, MONDAY + WEEKS * 168):
        slot = (hour - MONDAY) % 168
        count = 40 if slot == 6 * 24 + 19 else 2
        rows.append(("Acme", hour, count + (extra or {}).get(hour, 0)))
    return pl.DataFrame(rows, schema={"brand": pl.Utf8, "hour": pl.Int64, "mentions": pl.Int64}, orient="row")


def spikes(frame: pl.DataFrame, rule: SpikeRule = SpikeRule()) -> pl.DataFrame:
    return score_hours(frame, "UTC", rule, MONDAY, MONDAY + WEEKS * 168 - 1).filter(pl.col("spike"))


def test_a_busy_sunday_evening_is_not_a_spike() -> None:
    frame = weekly_rhythm()
    assert spikes(frame).is_empty()
    flat_mean = frame["mentions"].mean()
    assert frame["mentions"].max() > 3 * flat_mean  # a flat mean would have called every Sunday a spike


def test_a_tuesday_night_burst_is_a_spike() -> None:
    burst = MONDAY + 6 * 168 + 24 + 3  # week 7, Tuesday 03:00 UTC
    found = spikes(weekly_rhythm({burst: 18}))
    assert found.select("hour", "mentions", "usual").rows() == [(burst, 20, 2.0)]


def test_threshold_and_minimum_are_the_users() -> None:
    burst = MONDAY + 6 * 168 + 24 + 3
    frame = weekly_rhythm({burst: 5})  # 7 where 2 is usual: 3.5x
    assert spikes(frame, SpikeRule(threshold=3, min_mentions=5)).height == 1
    assert spikes(frame, SpikeRule(threshold=4, min_mentions=5)).is_empty()
    assert spikes(frame, SpikeRule(threshold=3, min_mentions=10)).is_empty()


def test_one_past_incident_does_not_raise_the_bar() -> None:
    slot = 24 + 3
    frame = weekly_rhythm({MONDAY + 3 * 168 + slot: 50, MONDAY + 6 * 168 + slot: 18})
    assert spikes(frame)["hour"].to_list() == [MONDAY + 3 * 168 + slot, MONDAY + 6 * 168 + slot]


def test_quiet_hours_count_as_zero_not_as_missing() -> None:
    frame = weekly_rhythm().filter(pl.col("mentions") != 2)  # only the Sunday peaks stored
    burst = MONDAY + 6 * 168 + 24 + 3
    frame = pl.concat([frame, pl.DataFrame({"brand": ["Acme"], "hour": [burst], "mentions": [12]})])
    assert spikes(frame)["hour"].to_list() == [burst]
