"""Sources: is every network still delivering? Last success, last error in plain words, volume."""
from __future__ import annotations

from datetime import UTC, datetime

import altair as alt
import polars as pl
import streamlit as st

from monitor.jobs.collect import health
from monitor.reports.counts import Filters
from monitor.reports.overview import source_volume
from views.common import (
    TTL,
    config,
    engine,
    filters,
    legend,
    local_naive,
    require_role,
    table,
    time_tooltip,
    time_x,
    tz,
)

STATUS_ORDER = ("failing", "needs new credentials", "not configured", "paused (rate limited)",
                "waiting for first run", "ok")


@st.cache_data(ttl=30)
def _health() -> pl.DataFrame:
    report = health(engine(), config(), datetime.now(UTC))
    rows = [{"source": name, **values} for name, values in report.items()]
    schema = {"source": pl.Utf8, "type": pl.Utf8, "status": pl.Utf8, "last_success": pl.Utf8, "last_error": pl.Utf8,
              "last_error_at": pl.Utf8, "volume_24h": pl.Int64, "next_run": pl.Utf8}
    return pl.DataFrame(rows, schema=schema)


@st.cache_data(ttl=TTL)
def _volume(chosen: Filters) -> pl.DataFrame:
    return source_volume(engine(), chosen, tz())


def render() -> None:
    st.title("Sources")
    states = _health()
    if states.is_empty():
        st.info("No sources configured: add them under `sources:` in config.yaml.")
    else:
        bad = states.filter(pl.col("status") != "ok")
        left, right = st.columns(2)
        left.metric("Sources", states.height)
        right.metric("Need attention", bad.height)
        ordered = states.with_columns(pl.col("status").replace_strict(
            {s: i for i, s in enumerate(STATUS_ORDER)}, default=len(STATUS_ORDER)).alias("_order"))
        table(ordered.sort("_order", "source").drop("_order"), "sources",
              volume_24h=st.column_config.NumberColumn("posted in 24 h"))
        st.caption("Volume counts mentions posted and collected in the last 24 hours; imported history is not counted.")
    st.subheader("Mentions per source per day (filtered period)")
    volume = _volume(filters())
    if volume.is_empty():
        st.caption("No mentions in this period.")
        return
    chart = alt.Chart(local_naive(volume, "time").to_pandas()).mark_bar().encode(
        x=time_x(), y=alt.Y("mentions:Q"), color=alt.Color("source:N", legend=legend("Source")),
        tooltip=[time_tooltip(title=f"Day ({tz()})"), alt.Tooltip("source"), alt.Tooltip("mentions")])
    st.altair_chart(chart.properties(height=280), width="stretch")


require_role("admin")
render()
