"""The Overview's cached queries, in a module (pages are scripts) so that the sign-in screen can
compute them while the person types their password (`warm_landing_page`): the
first page after "Sign in" is then drawn from the cache instead of waiting for cold queries."""
from __future__ import annotations

import logging
import threading

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from monitor.reports.counts import Filters
from monitor.reports.overview import Overview, latest_mentions, overview, top_authors
from views.common import TTL, config, default_filters, engine, options, tz

log = logging.getLogger(__name__)

DEFAULT_BUCKET = "day"


@st.cache_data(ttl=TTL, show_spinner=False)
def overview_data(chosen: Filters, bucket: str) -> Overview:
    return overview(engine(), chosen, tz(), bucket, config().settings.alerts.rule)


@st.cache_data(ttl=TTL, show_spinner=False)
def top_authors_data(chosen: Filters) -> pl.DataFrame:
    return top_authors(engine(), chosen)


@st.cache_data(ttl=TTL, show_spinner=False)
def latest_data(chosen: Filters) -> pl.DataFrame:
    return latest_mentions(engine(), chosen)


def warm() -> None:
    """The sidebar's choices and the Overview's default queries, as the first page will ask."""
    options()
    chosen = default_filters()
    overview_data(chosen, DEFAULT_BUCKET)
    top_authors_data(chosen)
    latest_data(chosen)


_WARMING = threading.Lock()


def warm_landing_page() -> None:
    """While a visitor types their password, compute in the background what the first page after
    sign-in reads (the sidebar's choices and the Overview's default queries, all cached for `TTL`),
    so that "Sign in" is answered from the cache: on a fresh server these cold queries were most of
    the wait. One warm-up at a time; a warm cache makes it cheap."""
    if not _WARMING.acquire(blocking=False):
        return

    def work() -> None:
        try:
            warm()
        except Exception:  # noqa: BLE001  (the page computes it again, and shows any error there)
            log.warning("warming the first page failed", exc_info=True)
        finally:
            _WARMING.release()

    thread = threading.Thread(target=work, name="warm-landing-page", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx())  # st.cache_data needs the session's context
    thread.start()
