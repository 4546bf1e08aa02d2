"""Nasłuch dashboard (Streamlit): `nasluch dashboard` or `streamlit run dashboard.py`.

Each page is a script in `views/`; adding one is one line in PAGES. A listed page whose file
does not exist yet is left out of the menu, so the navigation already holds a place for pages
other issues are building (Inbox, Response times). The global filters are drawn here, before
the page runs, so they appear on every page and keep their state across pages.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from views.common import sidebar_filters

VIEWS = Path(__file__).resolve().parent / "views"
# section, file in views/, title, icon; the first page is the landing page.
PAGES = [
    ("Trends", "overview.py", "Overview", ":material/monitoring:"),
    ("Trends", "peak_hours.py", "Peak hours", ":material/schedule:"),
    ("Trends", "themes.py", "Complaint themes", ":material/category:"),
    ("Trends", "alerts.py", "Alerts", ":material/notifications:"),
    ("Care", "inbox.py", "Inbox", ":material/inbox:"),
    ("Care", "response_times.py", "Response times", ":material/timer:"),
    ("Care", "staffing.py", "Staffing", ":material/groups:"),
    ("Setup", "sources.py", "Sources", ":material/rss_feed:"),
]


def navigation() -> st.navigation:
    sections: dict[str, list[st.Page]] = {}
    for index, (section, file, title, icon) in enumerate(PAGES):
        if (VIEWS / file).exists():
            page = st.Page(VIEWS / file, title=title, icon=icon, url_path=file.removesuffix(".py"),
                           default=index == 0)
            sections.setdefault(section, []).append(page)
    return st.navigation(sections)


st.set_page_config(page_title="Nasłuch", page_icon=":material/hearing:", layout="wide")
page = navigation()
st.session_state["filters"] = sidebar_filters()
page.run()
