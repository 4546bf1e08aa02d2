"""Spikes are judged against the same weekday and hour of earlier weeks, not a flat mean; with
short history, against the fallback baselines, which the `baseline` column names."""
from __future__ import annotations

from datetime import datetime, timezone

import polars as pl
import pytest

from monitor.alerts.notify import describe
from monitor.alerts.settings import SpikeRule
from monitor.demo.generator import generate
from monitor.reports.spikes import DAILY, OVERALL, WEEKLY, score_hours, spikes_of

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


def scored(frame: pl.DataFrame, rule: SpikeRule = SpikeRule()) -> pl.DataFrame:
    return score_hours(frame, "UTC", rule, MONDAY, MONDAY + WEEKS * 168 - 1)


def spikes(frame: pl.DataFrame, rule: SpikeRule = SpikeRule()) -> pl.DataFrame:
    """Spikes from the fourth week on, where the weekly baseline exists (the first three weeks are
    judged against the fallbacks: `test_short_history_*`)."""
    return scored(frame, rule).filter(pl.col("spike") & (pl.col("hour") >= MONDAY + 3 * 168))


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


def test_short_history_falls_back_to_the_same_hour_then_to_all_hours() -> None:
    frame = scored(weekly_rhythm())
    baseline = dict(zip(frame["hour"], frame["baseline"]))
    assert baseline[MONDAY + 5] is None                       # the very first day: nothing earlier
    assert baseline[MONDAY + 24 + 5] == OVERALL               # day 2: a day of hours, one same hour
    assert baseline[MONDAY + 3 * 24 + 5] == DAILY             # day 4: the same hour on earlier days
    assert baseline[MONDAY + 2 * 168 + 5] == DAILY            # week 3: two earlier weeks are not enough
    assert baseline[MONDAY + 3 * 168 + 5] == WEEKLY           # week 4: the same weekday and hour
    # the first Sunday evening is a spike against the hours before it; from week 4 on it is usual
    first_sunday = MONDAY + 6 * 24 + 19
    assert frame.filter(pl.col("hour") == first_sunday)["spike"].item()
    assert not frame.filter(pl.col("hour") == first_sunday + 3 * 168)["spike"].item()


@pytest.fixture(scope="module")
def demo_hours() -> pl.DataFrame:
    """The demo generator's 8 weeks (the data `nasluch demo` loads), counted per brand and hour."""
    batch = generate(seed=7, mentions=20_000, weeks=8, end=datetime(2026, 12, 3, 18, tzinfo=timezone.utc))
    frame = pl.DataFrame({"brand": [m.brand for m in batch.mentions],
                          "hour": [int(m.created_at.timestamp() // 3600) for m in batch.mentions]})
    return frame.group_by("brand", "hour").agg(pl.len().cast(pl.Int64).alias("mentions"))


def test_the_demos_largest_outages_are_flagged_even_before_a_weekly_baseline(demo_hours) -> None:
    low, high = int(demo_hours["hour"].min()), int(demo_hours["hour"].max())
    frame = score_hours(demo_hours, "Europe/Warsaw", SpikeRule(), low, high)
    largest = frame.sort("mentions", descending=True).head(5)
    assert largest["spike"].all(), largest
    # two outages fall in the first three weeks, where only a fallback baseline exists, and say so
    early = largest.filter(pl.col("hour") < low + 3 * 168)
    assert early.select("brand").n_unique() >= 2 and set(early["baseline"]) <= {DAILY, OVERALL}
    # every brand's outage peak is flagged: the brand's busiest hour is a spike
    peaks = frame.sort("mentions", descending=True).group_by("brand", maintain_order=True).first()
    assert peaks["spike"].all(), peaks
    first = spikes_of(early)[0]
    assert first.baseline in (DAILY, OVERALL) and first.baseline in describe(first, "Europe/Warsaw")


def test_an_outage_does_not_come_back_as_usual_two_weeks_later(demo_hours) -> None:
    """With two weeks of history, a "median" of two is their mean: the outage would reappear as
    the usual level of the same weekday and hour two weeks on. Three weeks' median ignores it."""
    low, high = int(demo_hours["hour"].min()), int(demo_hours["hour"].max())
    frame = score_hours(demo_hours, "Europe/Warsaw", SpikeRule(), low, high)
    for brand, hour in frame.sort("mentions", descending=True).head(3).select("brand", "hour").iter_rows():
        for weeks in (1, 2, 3):
            echo = frame.filter((pl.col("brand") == brand) & (pl.col("hour") == hour + weeks * 168))
            assert echo["usual"].item() < 20, (brand, weeks, echo)
