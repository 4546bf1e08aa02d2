"""What every page shares: the engine and config (made once per process), the global filters in
the sidebar, and small chart and CSV helpers.

Pages never open sessions, clients or models: they call `monitor.*` functions through the
cached wrappers in the page modules. Mention text and author names are untrusted: pages show
them with `st.dataframe` only, never as markdown or HTML.
"""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import altair as alt
import polars as pl
import streamlit as st

from monitor.analytics import PENDING, Filters, data_span, filter_options
from monitor.config import Config, load
from monitor.db import make_engine, upgrade
from monitor.query import QuerySyntaxError, parse

SENTIMENT_COLORS = alt.Scale(domain=["negative", "neutral", "positive", PENDING],
                             range=["#d62728", "#9e9e9e", "#2ca02c", "#cfd8dc"])
TTL = 60


def engine():
    """The database named by $NASLUCH_DB (set by `nasluch dashboard`), opened once per URL."""
    return _engine_for(os.environ.get("NASLUCH_DB", "sqlite:///nasluch.db"))


@st.cache_resource
def _engine_for(url: str):
    created = make_engine(url)
    upgrade(created)
    return created


def config() -> Config:
    return _config_for(os.environ.get("NASLUCH_CONFIG", "config.yaml"))


@st.cache_resource
def _config_for(path: str) -> Config:
    return load(path)


def tz() -> str:
    return config().settings.timezone


@st.cache_data(ttl=TTL)
def _options() -> dict[str, list[str]]:
    return filter_options(engine())


@st.cache_data(ttl=TTL)
def _span() -> tuple[datetime, datetime] | None:
    return data_span(engine())


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(ZoneInfo("UTC"))


def sidebar_filters() -> Filters:
    """The global filters (brand, query, source, language, sentiment, dates), in the sidebar of
    every page so their state survives moving between pages."""
    span, options, zone = _span(), _options(), ZoneInfo(tz())
    sidebar = st.sidebar
    sidebar.header("Filters")
    brands = sidebar.multiselect("Brand", options["brand"], key="f_brand", placeholder="All brands")
    query = sidebar.text_input("Query", key="f_query", placeholder='e.g. "nie działa" OR delivery*',
                               help="The query language of config.yaml: quotes, OR, -word, lang:pl, source:x")
    if query.strip():
        try:
            parse(query)
        except QuerySyntaxError as error:
            sidebar.error(f"Query not used: {error}")
            query = ""
    sources = sidebar.multiselect("Source", options["source"], key="f_source", placeholder="All sources")
    langs = sidebar.multiselect("Language", options["lang"], key="f_lang", placeholder="All languages")
    sentiments = sidebar.multiselect("Sentiment", options["sentiment"], key="f_sentiment",
                                     placeholder="All sentiments")
    since = until = None
    if span:
        first, last = (moment.astimezone(zone).date() for moment in span)
        default = (max(first, last - timedelta(weeks=8)), last)
        chosen = sidebar.date_input("Dates", value=default, min_value=first, max_value=last, key="f_dates",
                                    format="YYYY-MM-DD")
        if isinstance(chosen, (tuple, list)) and len(chosen) == 2:
            since, until = _local_midnight(chosen[0], zone), _local_midnight(chosen[1] + timedelta(days=1), zone)
        else:
            since, until = _local_midnight(default[0], zone), _local_midnight(default[1] + timedelta(days=1), zone)
    sidebar.caption(f"Times in {tz()}.")
    return Filters(since=since, until=until, brands=tuple(brands), sources=tuple(sources), langs=tuple(langs),
                   sentiments=tuple(sentiments), query=query.strip())


def filters() -> Filters:
    """The filters the sidebar set for this run (dashboard.py draws the sidebar before the page)."""
    return st.session_state.get("filters") or Filters()


def no_data() -> bool:
    if _span() is None:
        st.info("No mentions yet. Import history (`nasluch import`), start collecting (`nasluch run`) "
                "or load the demo (`make demo`).")
        return True
    return False


def local_naive(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Datetimes as wall-clock time of the configured zone without a zone, so the browser's own
    zone does not shift the charts."""
    return frame.with_columns(pl.col(c).dt.convert_time_zone(tz()).dt.replace_time_zone(None) for c in columns)


def download(frame: pl.DataFrame, name: str, label: str = "Download CSV") -> None:
    st.download_button(label, frame.write_csv().encode("utf-8"), file_name=f"{name}.csv", mime="text/csv",
                       key=f"csv_{name}")


def table(frame: pl.DataFrame, name: str, **column_config) -> None:
    """A plain-text table with a CSV download below it."""
    st.dataframe(frame, hide_index=True, width="stretch", column_config=column_config or None)
    download(frame, name)


def weekday_heatmap(cells: pl.DataFrame, value: str, title: str, scheme: str = "orangered",
                    domain_mid: float | None = None) -> alt.Chart:
    """Weekday × hour grid; `cells` has `day`, `hour_of_day` and `value`."""
    from monitor.analytics import WEEKDAYS

    scale = alt.Scale(scheme=scheme, domainMid=domain_mid) if domain_mid is not None else alt.Scale(scheme=scheme)
    return alt.Chart(cells.to_pandas(), title=title).mark_rect().encode(
        x=alt.X("hour_of_day:O", title="hour"), y=alt.Y("day:N", sort=list(WEEKDAYS), title=None),
        color=alt.Color(f"{value}:Q", scale=scale, title=value.replace("_", " ")),
        tooltip=["day", "hour_of_day", alt.Tooltip(f"{value}:Q", format=",.1f")])
