"""What every page shares: the engine and config (made once per process), the global filters in
the sidebar, and small chart and CSV helpers.

Pages never open sessions, clients or models: they call `monitor.*` functions through the
cached wrappers in the page modules. Mention text and author names are untrusted: pages show
them with `st.dataframe` only, never as markdown or HTML.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import altair as alt
import polars as pl
import streamlit as st

from monitor.config import Config, config_path, database_url, load
from monitor.query.parser import QuerySyntaxError, parse
from monitor.reports.counts import PENDING, WEEKDAYS, Filters, data_span, filter_options
from monitor.reports.display import for_display, header, headers
from monitor.store.engine import make_engine, upgrade

SENTIMENT_COLORS = alt.Scale(domain=["negative", "neutral", "positive", PENDING],
                             range=["#d62728", "#9e9e9e", "#2ca02c", "#cfd8dc"])
TTL = 60
# One way to write a time on screen, in the configured zone (the sidebar names it): d3 formats for
# altair, moment.js formats for st.column_config.
TIME_FORMAT = "%Y-%m-%d %H:%M"
DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "YYYY-MM-DD HH:mm"


def engine():
    """The database the command line would open (`monitor.config.database_url`: $NASLUCH_DB, set
    by `nasluch dashboard`, else the config's `database.url`), opened once per URL."""
    return _engine_for(database_url(config()))


@st.cache_resource
def _engine_for(url: str):
    created = make_engine(url)
    upgrade(created)
    return created


def config() -> Config:
    return _config_for(config_path())


@st.cache_resource
def _config_for(path: str) -> Config:
    return load(path)


def tz() -> str:
    return config().settings.timezone


@st.cache_data(ttl=TTL, show_spinner=False)  # also computed off-screen (views.overview_data.warm)
def options() -> dict[str, list[str]]:
    return filter_options(engine())


@st.cache_data(ttl=TTL, show_spinner=False)
def _span() -> tuple[datetime, datetime] | None:
    return data_span(engine())


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(ZoneInfo("UTC"))


def _default_days(span: tuple[datetime, datetime], zone: ZoneInfo) -> tuple[date, date]:
    """The sidebar's default period: the last 8 weeks of whole local days up to the newest mention."""
    first, last = (moment.astimezone(zone).date() for moment in span)
    return max(first, last - timedelta(weeks=8)), last


def default_filters() -> Filters:
    """What the sidebar's filters are before anyone touches them."""
    span, zone = _span(), ZoneInfo(tz())
    if not span:
        return Filters()
    start, end = _default_days(span, zone)
    return Filters(since=_local_midnight(start, zone), until=_local_midnight(end + timedelta(days=1), zone))


def sidebar_filters() -> Filters:
    """The global filters (brand, query, source, language, sentiment, dates), in the sidebar of
    every page so their state survives moving between pages."""
    span, choices, zone = _span(), options(), ZoneInfo(tz())
    sidebar = st.sidebar
    sidebar.header("Filters")
    brands = sidebar.multiselect("Brand", choices["brand"], key="f_brand", placeholder="All brands")
    query = sidebar.text_input("Query", key="f_query", placeholder='e.g. "nie działa" OR delivery*',
                               help="The query language of config.yaml: quotes, OR, -word, lang:pl, source:x")
    if query.strip():
        try:
            parse(query)
        except QuerySyntaxError as error:
            sidebar.error(f"Query not used: {error}")
            query = ""
    sources = sidebar.multiselect("Source", choices["source"], key="f_source", placeholder="All sources")
    langs = sidebar.multiselect("Language", choices["lang"], key="f_lang", placeholder="All languages")
    sentiments = sidebar.multiselect("Sentiment", choices["sentiment"], key="f_sentiment",
                                     placeholder="All sentiments")
    since = until = None
    if span:
        first, last = (moment.astimezone(zone).date() for moment in span)
        default = _default_days(span, zone)
        chosen = sidebar.date_input("Dates", value=default, min_value=first, max_value=last, key="f_dates",
                                    format="YYYY-MM-DD")
        days = chosen if isinstance(chosen, (tuple, list)) and len(chosen) == 2 else default
        since, until = _local_midnight(days[0], zone), _local_midnight(days[1] + timedelta(days=1), zone)
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


def show(frame: pl.DataFrame, key: str | None = None, **column_config) -> None:
    """A plain-text table as every page shows one (`monitor.reports.display`): times in the
    configured zone with the zone in the header, human headers, "—" for no value, floats to one
    decimal. `column_config` (by column name) overrides a column's header or format."""
    labels = headers(frame, tz())
    shown = for_display(frame, tz())
    config: dict = {}
    for name, dtype in shown.schema.items():
        if dtype.is_float():
            config[name] = st.column_config.NumberColumn(labels[name], format="%.1f")
        else:
            config[name] = labels[name]
    for name, given in column_config.items():
        if isinstance(given, dict) and given.get("label") is None:
            given = {**given, "label": labels.get(name, name)}  # a format alone keeps the human header
        config[name] = given
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, key=key)


def table(frame: pl.DataFrame, name: str, **column_config) -> None:
    """A plain-text table (`show`) with a CSV download of the stored values below it."""
    show(frame, f"table_{name}", **column_config)
    download(frame, name)


def weekday_heatmap(cells: pl.DataFrame, value: str, title: str, scheme: str = "orangered",
                    domain_mid: float | None = None, legend: str | None = None) -> alt.Chart:
    """Weekday × hour grid; `cells` has `day`, `hour_of_day` and `value`."""
    scale = alt.Scale(scheme=scheme, domainMid=domain_mid) if domain_mid is not None else alt.Scale(scheme=scheme)
    label = legend or header(value)
    return alt.Chart(cells.to_pandas(), title=title).mark_rect().encode(
        x=alt.X("hour_of_day:O", title="hour", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day:N", sort=list(WEEKDAYS), title=None, axis=alt.Axis(labelLimit=120)),
        color=alt.Color(f"{value}:Q", scale=scale, title=label, legend=alt.Legend(titleLimit=0, labelLimit=0)),
        tooltip=[alt.Tooltip("day"), alt.Tooltip("hour_of_day:O", title="hour"),
                 alt.Tooltip(f"{value}:Q", format=",.1f", title=label)])


def time_x(field: str = "time", title: str | None = None) -> alt.X:
    """The time axis of every chart: one date format, labels that never overlap."""
    return alt.X(f"{field}:T", title=title, axis=alt.Axis(format=DATE_FORMAT, labelOverlap=True, labelAngle=0,
                                                          labelSeparation=8))


def time_tooltip(field: str = "time", title: str | None = None) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:T", format=TIME_FORMAT, title=title or f"{header(field)} ({tz()})")


def legend(title: str) -> alt.Legend:
    """A legend whose title and labels are never cut off."""
    return alt.Legend(title=title, titleLimit=0, labelLimit=0)


def precompile(pages_manager, files) -> None:
    """Streamlit compiles a page on its first visit and keeps the bytecode for the process; this
    does it now for every file, in the calling thread."""
    for file in files:
        pages_manager.get_page_script_byte_code(str(file))


# --- sign-in and roles (issue 7) ---------------------------------------------------------------
# The session holds the signed-in user's name; every run reads the role from the database again,
# so a demotion or a disabled account takes effect on the next click. Pages call `require_role`
# themselves: the menu hides pages, the check refuses them.

def _auth_settings():
    return config().settings.auth


def current_user():
    """The signed-in user (or the local admin when sign-in is switched off), else None."""
    from monitor.trust import auth

    if not _auth_settings().required:
        return auth.LOCAL_ADMIN
    _sync_users()
    provider = _auth_settings().oidc_provider
    if provider and getattr(st.user, "is_logged_in", False):
        return auth.find_user(engine(), email=str(st.user.get("email") or ""))
    name = st.session_state.get("auth_user")
    return auth.find_user(engine(), name) if name else None


@st.cache_resource
def _synced(url: str, path: str) -> bool:
    from monitor.trust.auth import sync_config_users

    sync_config_users(engine(), config().settings.agents)
    return True


def _sync_users() -> None:
    _synced(database_url(config()), config_path())


def _password_form() -> None:
    with st.form("sign_in"):
        st.text_input("Name", key="sign_in_name")
        st.text_input("Password", type="password", key="sign_in_password")
        # a callback signs in before the script runs, so the run the click starts draws the first
        # page; checked in the script, a sign-in needed a second run (st.rerun) to show anything
        st.form_submit_button("Sign in", type="primary", on_click=_sign_in)
    if error := st.session_state.pop("sign_in_error", None):
        st.error(error)


def _sign_in() -> None:
    from monitor.trust import auth

    name = st.session_state.get("sign_in_name", "")
    # Read, and dropped only once checked: a double click's second run cuts this callback short
    # (fast reruns) and runs it again, which found the password gone and said "Wrong name or password".
    password = st.session_state.get("sign_in_password", "")
    if auth.THROTTLE.paused(name):
        st.session_state.pop("sign_in_password", None)
        st.session_state["sign_in_error"] = "Too many wrong passwords for this name: wait a minute and try again."
        return
    user = auth.authenticate(engine(), name, password)
    st.session_state.pop("sign_in_password", None)  # not kept in the session
    if user is None:
        st.session_state["sign_in_error"] = "Wrong name or password."
        return
    st.session_state["auth_user"] = user.name


def sign_in_screen() -> None:
    """The only thing a visitor who has not signed in sees."""
    from monitor.trust import auth

    st.title("Nasłuch: sign in")
    provider = _auth_settings().oidc_provider
    if provider and getattr(st.user, "is_logged_in", False):
        st.error("Your identity provider account is not a user here: ask an admin to add your e-mail.")
        st.button("Sign out", on_click=st.logout)
        return
    if provider:
        st.button(f"Sign in with {provider}", on_click=st.login, args=(provider,), type="primary")
    if not auth.any_users(engine()):
        st.info("No users yet. Create the first admin on the server: `nasluch user add NAME --role admin`.")
        return
    _password_form()
    _preload_components()


PRELOAD_DATA = {"a": [0]}  # all the hidden components hold: no data of the installation
PRELOAD_LABEL = "preload"


def _preload_components() -> None:
    """Mount, out of sight, the components the first page after sign-in draws (a Vega-Lite chart, a
    data grid, a metric, a segmented control), so the browser fetches and evaluates their code while
    the person types, not after "Sign in". No data of the installation is in them."""
    st.html("<style>.st-key-preload { display: none; }</style>")
    with st.container(key="preload"):
        st.vega_lite_chart(PRELOAD_DATA, {"mark": "point", "encoding": {"x": {"field": "a", "type": "quantitative"}}},
                           height=10)
        st.dataframe(PRELOAD_DATA)
        st.metric(PRELOAD_LABEL, 0)
        st.segmented_control(PRELOAD_LABEL, ["a"], key="preload_choice", label_visibility="collapsed")


def sign_out() -> None:
    st.session_state.pop("auth_user", None)
    if _auth_settings().oidc_provider and getattr(st.user, "is_logged_in", False):
        st.logout()


def require_role(role: str):
    """Stop the page unless the visitor is signed in with `role` or above; return the user."""
    user = current_user()
    if user is None:
        sign_in_screen()
        st.stop()
    if not user.can(role):
        st.error(f"This page needs the {role} role; you are signed in as {user.name} ({user.role}).")
        st.stop()
    return user
