"""How many agents each weekday × hour needs to answer within the SLA: the Erlang C model.

Erlang C is the queueing model call centres plan with (M/M/N: random arrivals, random handling
times, nobody gives up waiting). We keep our own small function rather than `pyworkforce`: that
package pulls in OR-Tools and pandas for what is twenty lines, and has had no release in years.

Assumptions (shown on the Staffing page too): the volume of each slot is the average of the last
few whole weeks; every mention in the slot needs one handling of `handle_minutes` by one agent;
arrivals within the hour are random (Poisson); mentions wait in one queue served by whoever is
free; a slot's queue does not spill over into the next hour.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine

from monitor.reports.counts import WEEKDAYS, Filters, Grouping, counts, with_slot

MAX_AGENTS = 1_000


def erlang_c(agents: int, load: float) -> float:
    """Probability that a mention has to wait, with `agents` agents and `load` Erlangs of work
    (arrivals per hour × hours per mention). Computed through the stable Erlang B recursion."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return agents * blocking / (agents - load * (1 - blocking))


def service_level(agents: int, per_hour: float, handle_minutes: float, target_minutes: float) -> float:
    """Share of mentions answered within `target_minutes` (P(wait ≤ target) under Erlang C)."""
    if per_hour <= 0:
        return 1.0
    load = per_hour * handle_minutes / 60.0
    if agents <= load:
        return 0.0
    waiting = erlang_c(agents, load)
    return 1.0 - waiting * math.exp(-(agents - load) * target_minutes / handle_minutes)


def agents_needed(per_hour: float, handle_minutes: float, target_minutes: float, goal: float) -> int:
    """The fewest agents that answer `goal` (e.g. 0.9) of the mentions within the target time."""
    if per_hour <= 0:
        return 0
    load = per_hour * handle_minutes / 60.0
    agents = max(1, math.floor(load) + 1)
    while service_level(agents, per_hour, handle_minutes, target_minutes) < goal and agents < MAX_AGENTS:
        agents += 1
    return agents


@dataclass(frozen=True)
class StaffingInputs:
    sla_minutes: float = 60.0
    service_level: float = 0.9
    handle_minutes: float = 6.0
    weeks: int = 4
    reply_share: float = 1.0        # share of mentions that need an answer

    def validate(self) -> None:
        if not (0 < self.service_level < 1):
            raise ValueError(f"service level must be between 0 and 1, got {self.service_level}")
        if self.sla_minutes <= 0 or self.handle_minutes <= 0 or self.weeks < 1 or not (0 < self.reply_share <= 1):
            raise ValueError(f"staffing inputs out of range: {self}")


def history_window(engine: Engine, filters: Filters, tz: str, weeks: int) -> tuple[datetime, datetime] | None:
    """The `weeks` whole weeks of history the plan averages: they end at the local midnight that
    starts the last day holding data (or the filtered period's end, if earlier), so a day still
    in progress is never counted as a whole one. The page and `report staffing` both call this:
    the end of their filtered periods may differ (the page's ends at midnight after the newest
    day, the CLI's at the newest hour), the window may not."""
    from monitor.reports.counts import data_span

    span = data_span(engine)
    if span is None:
        return None
    end = min(filters.until, span[1]) if filters.until else span[1]
    zone = ZoneInfo(tz)
    local = end.astimezone(zone)
    midnight = datetime.combine(local.date(), time(0), zone).astimezone(UTC)
    return midnight - timedelta(weeks=weeks), midnight


def weekly_volume(engine: Engine, filters: Filters, tz: str, weeks: int) -> pl.DataFrame:
    """Average mentions per week in each local weekday × hour, over `history_window`."""
    window = history_window(engine, filters, tz, weeks)
    if window is None:
        hourly = pl.DataFrame(schema={"hour": pl.Int64, "mentions": pl.Int64})
    else:
        hourly = counts(engine, replace(filters, since=window[0], until=window[1]), {"h": Grouping(("hour",))})["h"]
    slots = with_slot(hourly, tz).group_by("weekday", "hour_of_day").agg(pl.col("mentions").sum())
    grid = pl.DataFrame({"weekday": [d for d in range(7) for _ in range(24)],
                         "hour_of_day": [h for _ in range(7) for h in range(24)]},
                        schema={"weekday": pl.Int8, "hour_of_day": pl.Int8})
    return (grid.join(slots, on=["weekday", "hour_of_day"], how="left")
            .select("weekday", "hour_of_day", (pl.col("mentions").fill_null(0) / weeks).alias("per_week"))
            .sort("weekday", "hour_of_day"))


def plan(volume: pl.DataFrame, inputs: StaffingInputs) -> pl.DataFrame:
    """Agents per slot, and the service level that many agents reach."""
    inputs.validate()
    rows = []
    for weekday, hour, per_week in volume.iter_rows():
        per_hour = per_week * inputs.reply_share
        agents = agents_needed(per_hour, inputs.handle_minutes, inputs.sla_minutes, inputs.service_level)
        reached = service_level(agents, per_hour, inputs.handle_minutes, inputs.sla_minutes)
        rows.append((weekday, hour, WEEKDAYS[weekday], round(per_week, 2), agents, round(reached, 4)))
    return pl.DataFrame(rows, orient="row", schema={
        "weekday": pl.Int8, "hour": pl.Int8, "day": pl.Utf8, "mentions_per_hour": pl.Float64,
        "agents": pl.Int64, "service_level": pl.Float64})


def suggest_shifts(grid: pl.DataFrame, length: int = 8) -> pl.DataFrame:
    """Fixed-length shifts that cover every slot's need, fewest agent-hours first.

    Walking the week hour by hour and starting just enough shifts at the first hour still short
    of agents is optimal for fixed-length shifts on a line (any cover must start a shift at or
    before that hour, and starting it exactly there covers the most of what follows). A shift
    may run past midnight into the next day.
    """
    need = [0] * 168
    for weekday, hour, agents in grid.select("weekday", "hour", "agents").iter_rows():
        need[weekday * 24 + hour] = agents
    on_duty = [0] * (168 + length)
    shifts = []
    for slot in range(168):
        short = need[slot] - on_duty[slot]
        if short > 0:
            for covered in range(slot, slot + length):
                on_duty[covered] += short
            end = slot + length
            shifts.append((WEEKDAYS[slot // 24], f"{slot % 24:02d}:00", f"{end % 24:02d}:00"
                           + ("" if end // 24 == slot // 24 else " (next day)"), short))
    return pl.DataFrame(shifts, orient="row", schema={"day": pl.Utf8, "start": pl.Utf8, "end": pl.Utf8,
                                                      "agents": pl.Int64})


def staffing_grid(engine: Engine, filters: Filters, tz: str, inputs: StaffingInputs) -> pl.DataFrame:
    """The plan the Staffing page draws and `report staffing` prints: one function, one window."""
    return plan(weekly_volume(engine, filters, tz, inputs.weeks), inputs)


def agents_table(grid: pl.DataFrame) -> pl.DataFrame:
    """The grid as people read it: one row per weekday, one column per hour ("00" … "23")."""
    return (grid.select("weekday", "day", pl.col("hour").cast(pl.Utf8).str.zfill(2).alias("hour"), "agents")
            .pivot(on="hour", index=["weekday", "day"], values="agents", sort_columns=True)
            .sort("weekday").drop("weekday").rename({"day": "Day"}))


def staffing_report(engine: Engine, filters: Filters, tz: str, inputs: StaffingInputs) -> dict:
    """`report staffing --json`: the same numbers as the Staffing page."""
    grid = staffing_grid(engine, filters, tz, inputs)
    window = history_window(engine, filters, tz, inputs.weeks)
    return {
        "tz": tz, "history": [moment.isoformat() for moment in window] if window else None, "sla_minutes": inputs.sla_minutes, "service_level": inputs.service_level,
        "handle_minutes": inputs.handle_minutes, "weeks": inputs.weeks, "reply_share": inputs.reply_share,
        "agent_hours_per_week": int(grid["agents"].sum()),
        "cells": grid.select("weekday", "hour", "mentions_per_hour", "agents", "service_level").to_dicts(),
    }
