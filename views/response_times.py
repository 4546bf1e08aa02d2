"""First response times: median, p90 and share within the SLA, per brand, agent, source and week.

The same numbers as `nasluch report response-times` (both call `monitor.reports.response_times.response_times`).
"""
from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from monitor.inbox.display import waiting_text
from monitor.inbox.queue import NEEDS_REPLY, OPEN, WORDS
from monitor.reports.response_times import response_times
from views.common import TTL, config, download, engine, require_role, show

GROUPS = {"by_brand": "Brand", "by_agent": "Agent", "by_source": "Source", "by_week": "Week"}


@st.cache_data(ttl=TTL)
def _report(sla_minutes: int) -> dict[str, Any]:
    return response_times(engine(), sla_minutes)


def _table(groups: dict[str, Any], label: str) -> pl.DataFrame:
    return pl.DataFrame([
        {label: key, "answered": value["count"], "median": waiting_text(value["median_s"]),
         "p90": waiting_text(value["p90_s"]),
         "within SLA": f"{value['within_sla']:.0%}" if value["within_sla"] is not None else "-",
         "need a reply": value["unanswered"], "open": value["open"]}
        for key, value in groups.items()
    ], schema={label: pl.Utf8, "answered": pl.Int64, "median": pl.Utf8, "p90": pl.Utf8, "within SLA": pl.Utf8,
               "need a reply": pl.Int64, "open": pl.Int64})


COLUMNS = {
    "answered": st.column_config.NumberColumn("Answered", help="Conversations with a first response", format="%d"),
    "median": st.column_config.TextColumn("Median first response"),
    "p90": st.column_config.TextColumn("p90 first response"),
    "within SLA": st.column_config.TextColumn("Within SLA", help="Share of the answered ones"),
    "need a reply": st.column_config.NumberColumn("Need a reply", help=f"Now: {WORDS[NEEDS_REPLY]}", format="%d"),
    "open": st.column_config.NumberColumn("Open", help=f"Now: {WORDS[OPEN]}", format="%d"),
}


def page() -> None:
    st.title("Response times")
    sla = st.number_input("SLA target (minutes)", min_value=1, value=config().settings.sla_minutes, step=5)
    report = _report(int(sla))
    columns = st.columns(6)
    columns[0].metric("Answered conversations", f"{report['count']:,}")
    columns[1].metric("Median first response", waiting_text(report["median_s"]))
    columns[2].metric("p90 first response", waiting_text(report["p90_s"]))
    within = report["within_sla"]
    columns[3].metric(f"Within {int(sla)} min", f"{within:.0%}" if within is not None else "-")
    columns[4].metric("Need a reply now", f"{report['unanswered']:,}", help=WORDS[NEEDS_REPLY])
    columns[5].metric("Open now", f"{report['open']:,}", help=WORDS[OPEN])
    st.caption("From a conversation's first customer message to the brand's first sent reply after it; "
               "the same numbers as `nasluch report response-times`. The sidebar filters do not apply here. "
               "Per agent, response times count the agent who sent the first reply; *need a reply* and *open* "
               "count the conversations assigned to them, as the Inbox does.")
    for key, label in GROUPS.items():
        st.subheader(f"By {label.lower()}")
        frame = _table(report.get(key, {}), label)
        show(frame, f"response_times_{key}", **COLUMNS)
        download(frame, f"response_times_{key}")


require_role("viewer")
page()
