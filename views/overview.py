"""Overview: how much people talk about the brands, in what mood, where, and who with reach."""
from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from monitor.reports.display import header
from monitor.reports.overview import Overview
from views.common import (
    SENTIMENT_COLORS,
    download,
    filters,
    legend,
    local_naive,
    no_data,
    require_role,
    table,
    time_tooltip,
    time_x,
    tz,
)
from views.overview_data import DEFAULT_BUCKET, latest_data, overview_data, top_authors_data

BAR_SIZE = 18


def _metrics(data: Overview) -> None:
    scored = data.by_brand.filter(pl.col("sentiment") != "scoring pending")
    negative = scored.filter(pl.col("sentiment") == "negative")["mentions"].sum()
    left, middle, right, last = st.columns(4)
    left.metric("Mentions", f"{data.total:,}")
    middle.metric("Negative (of scored)", f"{negative / scored['mentions'].sum():.0%}" if scored.height else "–")
    right.metric("Scoring pending", f"{data.pending:,}")
    last.metric("Spikes", f"{data.spikes.height:,}")
    if data.pending:
        st.caption(f"{data.pending:,} mentions are not scored yet: their sentiment shows as “scoring pending”.")


def _timeline(data: Overview) -> None:
    lines = local_naive(data.timeline, "time").to_pandas()
    base = alt.Chart(lines).mark_line(point=False).encode(
        x=time_x(), y=alt.Y("mentions:Q", title="mentions"), color=alt.Color("brand:N", legend=legend("Brand")),
        tooltip=[time_tooltip(), alt.Tooltip("brand"), alt.Tooltip("mentions")])
    chart = base
    if data.spikes.height:
        spikes = local_naive(data.spikes, "time").to_pandas()
        chart = base + alt.Chart(spikes).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(
            x=alt.X("time:T"), tooltip=[time_tooltip(title=f"Spike hour ({tz()})"), alt.Tooltip("brand"),
                                        alt.Tooltip("mentions"), alt.Tooltip("usual:Q", format=".1f"),
                                        alt.Tooltip("baseline")])
    st.altair_chart(chart.properties(height=300), width="stretch")
    st.caption("Red dashed lines: spike hours (far above the usual level for that brand, weekday and hour).")


def _sentiment(data: Overview) -> None:
    shares = local_naive(data.sentiment, "time").to_pandas()
    chart = alt.Chart(shares).mark_area().encode(
        x=time_x(), y=alt.Y("mentions:Q", stack="normalize", title="share", axis=alt.Axis(format="%")),
        color=alt.Color("sentiment:N", scale=SENTIMENT_COLORS, legend=legend("Sentiment")),
        tooltip=[time_tooltip(), alt.Tooltip("sentiment"), alt.Tooltip("mentions"),
                 alt.Tooltip("share:Q", format=".0%")])
    st.altair_chart(chart.properties(height=220), width="stretch")


def _breakdown(frame: pl.DataFrame, column: str, title: str) -> None:
    """Horizontal stacked bars, one per value, biggest first: a fixed bar size (not the height
    divided by the number of values) and every label shown, cut at a readable length."""
    order = (frame.group_by(column).agg(pl.col("mentions").sum()).sort("mentions", column, descending=[True, False])
             [column].to_list())
    chart = alt.Chart(frame.to_pandas(), title=title).mark_bar(size=BAR_SIZE).encode(
        y=alt.Y(f"{column}:N", sort=order, title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=120, labelPadding=4)),
        x=alt.X("mentions:Q", stack="zero", title="mentions", axis=alt.Axis(labelOverlap=True, tickCount=4)),
        color=alt.Color("sentiment:N", scale=SENTIMENT_COLORS, legend=None),
        tooltip=[alt.Tooltip(f"{column}:N", title=header(column)), alt.Tooltip("sentiment"),
                 alt.Tooltip("mentions:Q", format=",")])
    st.altair_chart(chart.properties(height=alt.Step(BAR_SIZE + 8)), width="stretch")


def render() -> None:
    st.title("Overview")
    if no_data():
        return
    chosen = filters()
    bucket = st.segmented_control("Bucket", ["hour", "day", "week"], default=DEFAULT_BUCKET,
                                  key="overview_bucket") or DEFAULT_BUCKET
    data = overview_data(chosen, bucket)
    _metrics(data)
    st.subheader("Mentions over time")
    _timeline(data)
    st.subheader("Sentiment share over time")
    _sentiment(data)
    columns = st.columns(3)
    for column, (name, frame, title) in zip(columns, (("brand", data.by_brand, "By brand"),
                                                      ("source", data.by_source, "By source"),
                                                      ("lang", data.by_lang, "By language"))):
        with column:
            _breakdown(frame, name, title)
    download(data.timeline, "mentions_over_time", "Download mentions over time (CSV)")
    st.subheader("Most-reached authors")
    table(top_authors_data(chosen), "top_authors", author_followers=st.column_config.NumberColumn("Followers", format="%,d"))
    st.subheader("Latest mentions")
    table(latest_data(chosen), "latest_mentions")


require_role("viewer")
render()
