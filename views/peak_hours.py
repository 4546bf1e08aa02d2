"""Peak hours: when people write (weekday × hour in the configured zone), and how that changes."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from monitor.reports.counts import Filters
from monitor.reports.overview import busiest_slots, compare_periods, weekday_hours
from views.common import TTL, engine, filters, no_data, require_role, table, tz, weekday_heatmap


@st.cache_data(ttl=TTL)
def _cells(chosen: Filters) -> pl.DataFrame:
    return weekday_hours(engine(), chosen, tz())


@st.cache_data(ttl=TTL)
def _compare(chosen: Filters, first: tuple[datetime, datetime], second: tuple[datetime, datetime],
             column: str) -> pl.DataFrame:
    return compare_periods(engine(), chosen, tz(), first, second, column)


def _period(label: str, default: tuple, key: str) -> tuple[datetime, datetime] | None:
    zone = ZoneInfo(tz())
    chosen = st.date_input(label, value=default, key=key, format="YYYY-MM-DD")
    if not isinstance(chosen, (tuple, list)) or len(chosen) != 2:
        return None
    return (datetime.combine(chosen[0], time(0), zone), datetime.combine(chosen[1] + timedelta(days=1), time(0), zone))


def _comparison(chosen: Filters, complaints: bool) -> None:
    noun = "complaints" if complaints else "mentions"
    st.subheader(f"Compare two periods ({noun})")
    if chosen.since is None or chosen.until is None:
        return
    zone = ZoneInfo(tz())
    start, end = chosen.since.astimezone(zone).date(), (chosen.until - timedelta(seconds=1)).astimezone(zone).date()
    middle = start + (end - start) / 2
    left, right = st.columns(2)
    with left:
        first = _period("First period", (start, middle), "peak_first")
    with right:
        second = _period("Second period", (middle + timedelta(days=1), end), "peak_second")
    if not first or not second:
        st.caption("Pick a start and an end date for both periods.")
        return
    both = _compare(replace(chosen, since=None, until=None), first, second, "negative" if complaints else "mentions")
    first_total, second_total = both["first_per_week"].sum(), both["second_per_week"].sum()
    change = (second_total - first_total) / first_total if first_total else None
    st.metric(f"{noun.capitalize()} per week", f"{second_total:,.0f}",
              f"{change:+.0%} against the first period" if change is not None else None)
    st.altair_chart(weekday_heatmap(both, "change", f"Change in {noun} per week (second − first)", "redblue",
                                    domain_mid=0, legend="Change per week").properties(height=260), width="stretch")
    table(both.select("day", pl.col("hour_of_day").alias("hour"), "first_per_week", "second_per_week", "change"),
          "peak_hours_comparison", first_per_week=f"First period, {noun} per week",
          second_per_week=f"Second period, {noun} per week", change=st.column_config.NumberColumn("Change", format="%+.1f"))


def render() -> None:
    st.title("Peak hours")
    if no_data():
        return
    chosen = filters()
    complaints = st.toggle("Complaints only (negative)", key="peak_negative")
    cells = _cells(chosen)
    value = "negative" if complaints else "mentions"
    title = f"{'Negative mentions' if complaints else 'Mentions'} by weekday and hour ({tz()})"
    st.altair_chart(weekday_heatmap(cells, value, title, legend="Complaints" if complaints else "Mentions")
                    .properties(height=260), width="stretch")
    st.subheader("Busiest hours for complaints" if complaints else "Busiest hours")
    lines = busiest_slots(cells, 5, value)
    st.markdown("\n".join(f"- {line}" for line in lines) if lines else "No mentions in this period.")
    if complaints and not cells["scored"].sum():
        st.info("Sentiment scoring pending: no mention in this period is scored yet.")
    table(cells.select("day", pl.col("hour_of_day").alias("hour"), "mentions", "negative", "scored"), "peak_hours",
          negative="Negative (complaints)", scored="Scored")
    _comparison(chosen, complaints)


require_role("viewer")
render()
