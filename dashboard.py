"""Nasłuch dashboard (Streamlit): `nasluch dashboard` or `streamlit run dashboard.py`.

Each page is a script in `views/`; adding one is one line in PAGES. A listed page whose file
does not exist yet is left out of the menu, so the navigation already holds a place for pages
other issues are building (Inbox, Response times). The global filters are drawn here, before
the page runs, so they appear on every page and keep their state across pages.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

# Everything the pages' charts and tables need is imported here, before any page runs. Streamlit
# runs each session's script in its own thread: left to the first `to_pandas()` or chart, a lazy
# import could race between two sessions ("partially initialized module 'pandas' has no attribute
# 'Timestamp'", seen opening Peak hours right after signing in).
import altair as alt
import pandas as pd
import polars as pl
import pyarrow  # noqa: F401  (polars converts to pandas through it)
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from monitor.trust.auth import LOCAL_ADMIN
from views.common import current_user, precompile, sidebar_filters, sign_in_screen, sign_out
from views.overview_data import warm_landing_page

VIEWS = Path(__file__).resolve().parent / "views"
# section, file in views/, title, icon, the least role that sees it; the first page is the landing page.
PAGES = [
    ("Trends", "overview.py", "Overview", ":material/monitoring:", "viewer"),
    ("Trends", "peak_hours.py", "Peak hours", ":material/schedule:", "viewer"),
    ("Trends", "themes.py", "Complaint themes", ":material/category:", "viewer"),
    ("Trends", "alerts.py", "Alerts", ":material/notifications:", "viewer"),
    ("Care", "inbox.py", "Inbox", ":material/inbox:", "agent"),
    ("Care", "response_times.py", "Response times", ":material/timer:", "viewer"),
    ("Care", "staffing.py", "Staffing", ":material/groups:", "viewer"),
    ("Setup", "sources.py", "Sources", ":material/rss_feed:", "admin"),
    ("Setup", "model.py", "Sentiment model", ":material/psychology:", "admin"),
    ("Setup", "users.py", "Users", ":material/group:", "admin"),
    ("Setup", "erasure.py", "Privacy", ":material/shield_person:", "admin"),
]


def page_files() -> list[Path]:
    return [VIEWS / file for _, file, *_ in PAGES if (VIEWS / file).exists()]


@st.cache_resource
def _warm_up() -> bool:
    """Once per process: run the conversions the pages use, so their lazy imports happen now, in
    one thread, and not in two sessions at once. And compile every page into Streamlit's script
    cache now: Python 3.11's AST constructor keeps one recursion counter for all threads, so a page
    compiled on its first visit while another session parsed code failed with "SystemError: AST
    constructor recursion depth mismatch" (seen clicking through pages right after sign-in)."""
    frame = pl.DataFrame({"time": [datetime(2026, 1, 1, tzinfo=UTC)], "mentions": [1]}).to_pandas()
    assert isinstance(frame["time"].iloc[0], pd.Timestamp)
    alt.Chart(frame).mark_line().encode(x=alt.X("time:T"), y=alt.Y("mentions:Q")).to_dict()
    precompile(get_script_run_ctx().pages_manager, page_files())
    return True


def signed_out_navigation() -> st.navigation:
    """The sign-in form at every page's address, not only at its own: a reload or a shared link to
    /inbox shows the form (no "Page not found"), and the run that signs in opens the page asked for."""
    paths = ["sign-in"] + [file.removesuffix(".py") for _, file, *_ in PAGES]
    return st.navigation([st.Page(sign_in_screen, title="Sign in", url_path=path, default=path == "sign-in")
                          for path in paths], position="hidden")


def navigation(user) -> st.navigation:
    """Only the pages the user's role allows are in the menu (each page checks again itself)."""
    sections: dict[str, list[st.Page]] = {}
    for index, (section, file, title, icon, role) in enumerate(PAGES):
        if (VIEWS / file).exists() and user.can(role):
            page = st.Page(VIEWS / file, title=title, icon=icon, url_path=file.removesuffix(".py"),
                           default=index == 0)
            sections.setdefault(section, []).append(page)
    return st.navigation(sections)


st.set_page_config(page_title="Nasłuch", page_icon=":material/hearing:", layout="wide")
_warm_up()
user = current_user()
if user is None:
    signed_out_navigation().run()
    warm_landing_page()  # while the visitor types: the first page after "Sign in" comes from the cache
    st.stop()
page = navigation(user)
if user is not LOCAL_ADMIN:
    st.sidebar.caption(f"Signed in as {user.name} ({user.role})")
    st.sidebar.button("Sign out", on_click=sign_out)
st.session_state["filters"] = sidebar_filters()
page.run()
