"""Alerts: hours far above the usual level for that brand, weekday and hour, and who is told."""
from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from monitor.alerts.notify import history
from monitor.alerts.settings import SpikeRule
from monitor.reports.counts import Filters
from monitor.reports.overview import spike_table
from views.common import (
    TTL,
    config,
    engine,
    filters,
    local_naive,
    no_data,
    require_role,
    table,
    time_tooltip,
    time_x,
    tz,
)


@st.cache_data(ttl=TTL)
def _scored(chosen: Filters, rule: SpikeRule) -> pl.DataFrame:
    return spike_table(engine(), chosen, tz(), rule)


@st.cache_data(ttl=TTL)
def _history() -> pl.DataFrame:
    return history(engine(), tz())


def _rule() -> SpikeRule:
    configured = config().settings.alerts
    a, b, c = st.columns(3)
    threshold = a.slider("Threshold: times the usual level", 1.5, 10.0, float(configured.threshold), 0.5,
                         key="alert_threshold")
    minimum = b.number_input("At least this many mentions in the hour", 1, 10_000, configured.min_mentions,
                             key="alert_min")
    weeks = c.slider("Weeks behind the usual level", 2, 12, configured.baseline_weeks, key="alert_weeks")
    return SpikeRule(threshold=threshold, min_mentions=minimum, baseline_weeks=weeks)


def _chart(scored: pl.DataFrame) -> None:
    frame = local_naive(scored, "time").to_pandas()
    base = alt.Chart(frame).encode(x=time_x())
    volume = base.mark_line(strokeWidth=1, color="#4c78a8").encode(y=alt.Y("mentions:Q"))
    usual = base.mark_line(strokeWidth=1, strokeDash=[3, 2], color="#999").encode(y=alt.Y("usual:Q"))
    marks = base.transform_filter("datum.spike").mark_point(color="#d62728", filled=True, size=60).encode(
        y=alt.Y("mentions:Q"), tooltip=[time_tooltip(title=f"Hour ({tz()})"), alt.Tooltip("brand"),
                                        alt.Tooltip("mentions"), alt.Tooltip("usual:Q", format=".1f"),
                                        alt.Tooltip("baseline")])
    layered = alt.layer(volume, usual, marks).properties(height=140, width=900)
    st.altair_chart(layered.facet(row=alt.Row("brand:N", title=None)), width="stretch")


def render() -> None:
    st.title("Alerts")
    if no_data():
        return
    st.caption("An hour is a spike when it has far more mentions than usual for that brand, weekday and hour "
               "(the median of the same hour on the same weekday in previous weeks), so a busy Sunday evening "
               "is compared with other Sunday evenings. With less than two weeks of history, an hour is "
               "compared with the same hour on earlier days, or else with all earlier hours: the **Baseline** "
               "column says which.")
    rule = _rule()
    scored = _scored(filters(), rule)
    spikes = scored.filter(pl.col("spike"))
    st.metric("Spike hours in the period", f"{spikes.height:,}")
    if not scored.is_empty():
        _chart(scored)
    table(local_naive(spikes, "time").select("time", "brand", "mentions", "usual",
                                            (pl.col("mentions") / pl.max_horizontal("usual", 1.0)).alias("times_usual"),
                                            "baseline"),
          "spikes", time=f"Hour ({tz()})",
          brand=st.column_config.TextColumn("Brand"), mentions=st.column_config.NumberColumn("Mentions"),
          usual=st.column_config.NumberColumn("Usual", format="%.1f"),
          times_usual=st.column_config.NumberColumn("× usual", format="%.1f"),
          baseline=st.column_config.TextColumn("Baseline", help="What 'usual' was measured against"))
    st.subheader("Notifications")
    channels = config().settings.alerts.channels
    if channels:
        st.write(f"New spikes are sent to: {', '.join(channels)} (checked every 5 minutes by `nasluch run`; "
                 "`nasluch alerts --check` runs one check).")
    else:
        st.info("No notification channel configured: add `webhook_url` (Slack-compatible) and/or `email` "
                "under `alerts:` in config.yaml.")
    sent = _history()
    if not sent.is_empty():
        table(sent.select("hour_start", "brand", "mentions", "usual", "delivered", "error", "sent_at"), "alerts_sent",
              hour_start=f"Spike hour ({tz()})", sent_at=f"Sent ({tz()})")


require_role("viewer")
render()
