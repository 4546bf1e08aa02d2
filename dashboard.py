"""Nasłuch dashboard (Streamlit). Pages only lay out widgets; numbers come from `monitor.queries`
and `monitor.reports`. Mention text is shown as plain text only, never as HTML or markdown."""
from __future__ import annotations

import os

import altair as alt
import polars as pl
import streamlit as st

from monitor.config import load
from monitor.db import make_engine, upgrade
from monitor.queries import mentions_frame
from monitor.reports import WEEKDAYS, weekday_hour_counts


@st.cache_resource
def engine():
    created = make_engine(os.environ.get("NASLUCH_DB", "sqlite:///nasluch.db"))
    upgrade(created)
    return created


@st.cache_resource
def settings():
    return load(os.environ.get("NASLUCH_CONFIG", "config.yaml")).settings


@st.cache_data(ttl=60)
def mentions() -> pl.DataFrame:
    return mentions_frame(engine(), ("id", "source", "author_handle", "text", "lang", "created_at", "brand",
                                     "sentiment"))


def overview() -> None:
    st.title("Overview")
    frame = mentions()
    if frame.is_empty():
        st.info("No mentions yet. Import history (`nasluch import`) or start collecting (`nasluch run`).")
        return
    brands = sorted(b for b in frame["brand"].unique().to_list() if b)
    chosen = st.multiselect("Brand", brands, default=brands)
    frame = frame.filter(pl.col("brand").is_in(chosen))
    left, middle, right = st.columns(3)
    left.metric("Mentions", f"{frame.height:,}")
    middle.metric("Sources", frame["source"].n_unique())
    right.metric("Languages", frame["lang"].n_unique())
    daily = (frame.group_by(pl.col("created_at").dt.truncate("1d").alias("day"), "brand").len("mentions")
             .sort("day"))
    st.altair_chart(alt.Chart(daily.to_pandas()).mark_line(point=True).encode(
        x="day:T", y="mentions:Q", color="brand:N"), use_container_width=True)
    tz = settings().timezone
    cells = weekday_hour_counts(frame["created_at"], tz).with_columns(
        pl.col("weekday").map_elements(lambda d: WEEKDAYS[d], return_dtype=pl.Utf8).alias("day"))
    st.subheader(f"Peak hours ({tz})")
    st.altair_chart(alt.Chart(cells.to_pandas()).mark_rect().encode(
        x="hour:O", y=alt.Y("day:N", sort=list(WEEKDAYS)), color="count:Q",
        tooltip=["day", "hour", "count"]), use_container_width=True)
    st.subheader("Latest mentions")
    latest = frame.sort("created_at", descending=True).head(200).select(
        "created_at", "source", "brand", "lang", "author_handle", "text")
    st.dataframe(latest.to_pandas(), hide_index=True, use_container_width=True)


st.set_page_config(page_title="Nasłuch", layout="wide")
page = st.navigation([st.Page(overview, title="Overview", icon="📈", default=True)])
page.run()
