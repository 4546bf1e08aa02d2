"""Staffing: agents per weekday × hour to answer within the SLA, and shifts that cover them."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import altair as alt
import polars as pl
import streamlit as st

from monitor.reports.counts import WEEKDAYS, Filters
from monitor.reports.staffing import StaffingInputs, agents_table, history_window, staffing_grid, suggest_shifts
from views.common import TTL, config, download, engine, filters, legend, no_data, require_role, show, table, tz

ASSUMPTIONS = """
**How the numbers are made** (Erlang C, the queueing model call centres plan with):
- The volume of each weekday × hour is the **average of the last whole weeks** you choose, with the
  filters on the left (brand, source, language…) applied.
- Each mention that needs a reply takes one agent the **handling time** you set, start to finish.
- Mentions arrive at random within the hour and wait in **one shared queue**; whoever is free takes
  the next one. Nobody gives up waiting, and an hour's queue does not spill into the next hour.
- The plan gives each hour the **fewest agents** for whom at least the chosen **service level** of
  mentions is answered within the **SLA**. Breaks, meetings and absence are not included: add your
  usual shrinkage (often 25–35%) on top.
- Suggested shifts are fixed-length blocks started whenever the grid needs more agents than are on
  duty; they cover every hour with the fewest agent-hours for that shift length.
"""


@st.cache_data(ttl=TTL)
def _grid(chosen: Filters, inputs: StaffingInputs) -> pl.DataFrame:
    return staffing_grid(engine(), chosen, tz(), inputs)


@st.cache_data(ttl=TTL)
def _window(chosen: Filters, weeks: int) -> str:
    window = history_window(engine(), chosen, tz(), weeks)
    if window is None:
        return ""
    first, end = (moment.astimezone(ZoneInfo(tz())) for moment in window)
    return f"History: {first:%Y-%m-%d} to {(end - timedelta(days=1)):%Y-%m-%d}, whole days ({tz()})."


def _inputs() -> tuple[StaffingInputs, int]:
    settings = config().settings
    a, b, c = st.columns(3)
    sla = a.number_input("SLA: answer within (minutes)", 1, 24 * 60, int(settings.sla_minutes), key="staff_sla")
    level = b.slider("Service level (share answered within the SLA)", 0.5, 0.99, 0.9, 0.01, key="staff_level")
    handle = c.number_input("Handling time per mention (minutes)", 0.5, 120.0, 6.0, 0.5, key="staff_handle")
    d, e, f = st.columns(3)
    weeks = d.slider("Weeks of history", 1, 12, 4, key="staff_weeks")
    share = e.slider("Share of mentions that need a reply", 0.05, 1.0, 1.0, 0.05, key="staff_share")
    shift = f.slider("Shift length (hours)", 4, 12, 8, key="staff_shift")
    return StaffingInputs(sla_minutes=sla, service_level=level, handle_minutes=handle, weeks=weeks,
                          reply_share=share), shift


def render() -> None:
    st.title("Staffing")
    if no_data():
        return
    inputs, shift_length = _inputs()
    grid = _grid(filters(), inputs)
    shifts = suggest_shifts(grid, shift_length)
    left, middle, right = st.columns(3)
    left.metric("Agent-hours per week", f"{grid['agents'].sum():,}")
    middle.metric("Most agents at once", f"{grid['agents'].max():,}")
    right.metric("Shifts per week", f"{shifts['agents'].sum():,}")
    chart = alt.Chart(grid.to_pandas(), title=f"Agents needed by weekday and hour ({tz()})")
    rects = chart.mark_rect().encode(
        x=alt.X("hour:O", axis=alt.Axis(labelAngle=0)), y=alt.Y("day:N", sort=list(WEEKDAYS), title=None),
        color=alt.Color("agents:Q", scale=alt.Scale(scheme="blues"), legend=legend("Agents")),
        tooltip=[alt.Tooltip("day"), alt.Tooltip("hour"), alt.Tooltip("mentions_per_hour:Q", format=".1f"),
                 alt.Tooltip("agents"),
                 alt.Tooltip("service_level:Q", format=".1%")])
    labels = chart.mark_text(fontSize=11).encode(x=alt.X("hour:O"), y=alt.Y("day:N", sort=list(WEEKDAYS)),
                                                  text=alt.Text("agents:Q"))
    st.altair_chart((rects + labels).properties(height=280), width="stretch")
    st.caption(_window(filters(), inputs.weeks))
    with st.expander("Agents needed, as a table"):
        show(agents_table(grid), "staffing_table")
    download(grid, "staffing_grid", "Download the grid (CSV)")
    st.subheader(f"Suggested {shift_length}-hour shifts")
    table(shifts, "staffing_shifts")
    with st.expander("Assumptions", expanded=True):
        st.markdown(ASSUMPTIONS)
    st.caption("`nasluch report staffing --json` prints the same grid.")


require_role("viewer")
render()
