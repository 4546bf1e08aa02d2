"""Complaint themes: negative mentions grouped by meaning, so one customer's problem is seen as
what it usually is, a problem many customers have."""
from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from monitor.reports.counts import Filters
from monitor.reports.themes import Themes, examples, negative_sample, stored_themes
from views.common import (
    DATE_FORMAT,
    TTL,
    config,
    engine,
    filters,
    legend,
    local_naive,
    no_data,
    require_role,
    show,
    table,
    time_x,
)


@st.cache_resource(show_spinner="Loading the sentiment model…")
def scorer():
    """The sentiment model's scorer, or the reason it cannot be loaded (shown on the page)."""
    try:
        from sentiment.model import load_scorer

        return load_scorer(config().settings.sentiment)  # typed settings, validated at load
    except Exception as error:  # noqa: BLE001  (any failure means: no themes, say why)
        return f"{type(error).__name__}: {error}"


@st.cache_data(ttl=TTL)
def _sample(chosen: Filters, size: int) -> pl.DataFrame:
    return negative_sample(engine(), chosen, size)


@st.cache_data(ttl=15 * 60, show_spinner="Grouping complaints by meaning…")
def _stored(chosen: Filters, size: int) -> Themes:
    """From the vectors stored at scoring time: no model is loaded."""
    return stored_themes(engine(), chosen, size)


@st.cache_data(ttl=15 * 60, show_spinner="Grouping complaints by meaning (computing missing vectors)…")
def _themes(chosen: Filters, size: int, _model) -> Themes:
    return stored_themes(engine(), chosen, size, _model.embed)


def _enough(result: Themes) -> bool:
    """Stored vectors for nearly the whole sample: no need to load the model for the rest."""
    total = result.mentions.height + result.unembedded
    return result.mentions.height >= 30 and result.unembedded <= 0.1 * total


def _overview(result: Themes) -> None:
    summary = result.themes.with_columns((pl.col("this_week") - pl.col("last_week")).alias("change"))
    show(summary.select("theme", "name", "mentions", "this_week", "last_week", "change", "words_by_lang"),
         "themes_summary",
         this_week=st.column_config.NumberColumn("Share this week", format="percent"),
         last_week=st.column_config.NumberColumn("Share last week", format="percent"),
         change=st.column_config.NumberColumn("Change", format="percent"),
         words_by_lang=st.column_config.TextColumn("Words by language"))
    weekly = local_naive(result.weekly, "week").with_columns(
        (pl.col("theme").cast(pl.Utf8) + ": " + pl.col("name")).alias("label"))
    chart = alt.Chart(weekly.to_pandas()).mark_bar().encode(
        x=time_x("week", "week starting"), y=alt.Y("mentions:Q"), color=alt.Color("label:N", legend=legend("Theme")),
        tooltip=[alt.Tooltip("week:T", format=DATE_FORMAT, title="week starting"), alt.Tooltip("label"),
                 alt.Tooltip("mentions")])
    st.altair_chart(chart.properties(height=260), width="stretch")


def render() -> None:
    st.title("Complaint themes")
    if no_data():
        return
    size = st.slider("Negative mentions to group (the newest, half from the last 7 days, half from the 7 before)",
                     100, 2000, 400, 100, key="themes_size")
    chosen = filters()
    sample = _sample(chosen, size)
    if sample.is_empty():
        st.info("No negative mentions in this period, or sentiment scoring is still pending "
                "(`nasluch score` scores them).")
        return
    result = _stored(chosen, size)
    if result.unembedded and not _enough(result):
        model = scorer()  # mentions scored before vectors were stored: the model makes theirs, slowly
        if isinstance(model, str):
            st.warning(f"Complaint themes need the sentiment model, which is not available here: {model}. "
                       "Run `nasluch model install`.")
            return
        result = _themes(chosen, size, model)
    elif result.unembedded:
        st.caption(f"{result.unembedded:,} of the sampled mentions have no stored vector yet and are left out "
                   "(`nasluch run` and `nasluch score` store them).")
    st.caption(f"{sample.height:,} negative mentions grouped by meaning. Shares compare each theme's part of "
               "the complaints in the last 7 days of the period with the 7 days before.")
    _overview(result)
    st.subheader("What each theme says")
    for row in result.themes.iter_rows(named=True):
        with st.expander(f"Theme {row['theme']}: {row['name']} ({row['mentions']} mentions)"):
            show(examples(result, row["theme"]), f"theme_examples_{row['theme']}")
    table(result.mentions.drop("distance"), "complaint_themes")


require_role("viewer")
render()
