"""The dashboard in a real browser: Playwright drives Debian's Chromium against `streamlit run`
over the seeded database. Every page opens without a Streamlit exception, a filter changes a
chart, and the XSS mention renders as text.

Set NASLUCH_SCREENSHOTS=docs/screenshots to also save a PNG of each page (for the README).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser_kit import enter_text, idle, new_tab, no_exception, seen, shows, streamlit
from tests.seeded import XSS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PAGES = {"overview": "", "peak_hours": "peak_hours", "themes": "themes", "alerts": "alerts",
         "staffing": "staffing", "sources": "sources", "model": "model"}  # the landing page lives at "/"
CHART = '[data-testid="stVegaLiteChart"]'


@pytest.fixture(scope="session")
def server(seeded, cache_dir):
    """One `streamlit run` on the seeded database for the whole session (sign-in off); its
    Complaint themes page loads the model from the session's converted cache."""
    url, config = seeded
    with streamlit(url, config) as base:
        yield base


@pytest.fixture(scope="module")
def page(server, browser):
    tab = new_tab(browser, timeout_ms=120_000)
    yield tab
    tab.context.close()


PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def signed_server(seeded, tmp_path_factory):
    """A server with sign-in required, on a copy of the seeded database with one admin."""
    from monitor.store.engine import make_engine
    from monitor.trust import auth

    folder = tmp_path_factory.mktemp("signed")
    copy = folder / "signed.db"
    shutil.copy(seeded[0].removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    auth.add_user(engine, "ada", "admin", PASSWORD)
    engine.dispose()
    config = folder / "config.yaml"
    config.write_text(seeded[1].read_text(encoding="utf-8").replace("auth: {required: false}", "auth: {required: true}")
                      + "sentiment: {model: '/no/such/model'}\n", encoding="utf-8")
    with streamlit(url, config) as base:
        yield base


def _opened(tab, url: str) -> None:
    """Go to `url` and wait until its script has run: a heading drawn, then Streamlit idle."""
    tab.goto(url)
    shows(tab, tab.locator("h1").first)
    idle(tab)


def _chart_drawn(tab, before: str | None = None) -> str:
    """Until the first chart is drawn (and differs from `before`, when given); returns what it drew
    (the canvas as a data URL, or the SVG), to compare with the next drawing."""
    shows(tab, tab.locator(CHART).first)
    drawn = """([selector, before]) => {
        const chart = document.querySelector(selector);
        const canvas = chart && chart.querySelector('canvas');
        const now = canvas ? (canvas.width > 0 ? canvas.toDataURL() : null) : (chart && chart.querySelector('svg')
            ? chart.innerHTML : null);
        return now && now !== before ? now : false;
    }"""
    try:
        return tab.wait_for_function(drawn, arg=[CHART, before], timeout=60_000).json_value()
    except Exception as error:
        raise AssertionError(("the chart did not change" if before else "no chart was drawn")
                             + f" within 60 s; the page showed: {seen(tab)}") from error


def test_every_page_opens_without_exception(server, page) -> None:
    shots = os.environ.get("NASLUCH_SCREENSHOTS")
    for name, path in PAGES.items():
        _opened(page, f"{server}/{path}")
        no_exception(page, name)
        assert page.locator("h1").first.inner_text().strip(), name
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


def test_a_filter_changes_the_chart(server, page) -> None:
    _opened(page, f"{server}/")
    before = _chart_drawn(page)
    brand = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    brand.click()
    page.get_by_role("option", name="Volta").click()
    page.keyboard.press("Escape")
    _chart_drawn(page, before)
    idle(page)
    no_exception(page, "overview, brand Volta")


def test_untrusted_text_renders_as_characters(server, page) -> None:
    _opened(page, f"{server}/")
    cell = page.locator('[data-testid="stDataFrame"] [role="gridcell"]').filter(has_text=XSS).first
    try:
        cell.wait_for(state="attached", timeout=60_000)
    except Exception as error:
        raise AssertionError(f"the XSS string is not shown as text in a table; the page showed: {seen(page)}") \
            from error
    assert page.locator("img[src=x]").count() == 0
    assert page.dialogs == []


def test_a_text_query_narrows_the_overview(server, page) -> None:
    """Typing a query in the sidebar (the full-text index's path) redraws the chart, without error."""
    _opened(page, f"{server}/")
    before = _chart_drawn(page)
    box = page.locator('[data-testid="stSidebar"]').get_by_label("Query", exact=True)
    enter_text(page, box, '"nie dziala" OR delivery*')
    box.press("Enter")
    _chart_drawn(page, before)
    idle(page)
    no_exception(page, "overview, text query")


def test_sign_in_screen_preloads_the_chart_code_out_of_sight(signed_server, browser) -> None:
    """The sign-in screen mounts a chart and a grid, hidden, so their code is loaded while the person
    types (the first page after "Sign in" then draws ~0.5 s sooner); the person sees only the form."""
    from playwright.sync_api import expect

    tab = new_tab(browser)
    try:
        tab.goto(signed_server)
        shows(tab, tab.locator("h1").first, "sign in")
        preload = tab.locator(".st-key-preload")
        expect(preload.locator('[data-testid="stVegaLiteChart"]')).to_have_count(1)
        expect(preload.locator('[data-testid="stDataFrame"]')).to_have_count(1)
        expect(preload).to_be_hidden()
        visible = [name for name in ("stVegaLiteChart", "stDataFrame", "stMetric")
                   if tab.locator(f'[data-testid="{name}"]').filter(visible=True).count()]
        assert not visible, f"the sign-in screen shows {visible}: {seen(tab)}"
    finally:
        tab.context.close()


def test_a_link_to_a_page_asks_to_sign_in_then_opens_that_page(signed_server, browser) -> None:
    """A reload or a shared link (/inbox) without a session shows the sign-in form, not "Page not
    found", and signing in opens the page the link named, also when "Sign in" is double clicked
    (the second click's run cut the first one's check short, and found the password gone)."""
    tab = new_tab(browser)
    try:
        tab.goto(f"{signed_server}/inbox")
        shows(tab, tab.locator("h1").first, "sign in")
        idle(tab)
        assert tab.get_by_text("Page not found").count() == 0, seen(tab)
        enter_text(tab, tab.get_by_role("textbox", name="Name"), "ada")
        enter_text(tab, tab.get_by_role("textbox", name="Password"), PASSWORD)
        tab.get_by_role("button", name="Sign in").dblclick()
        shows(tab, tab.locator("h1").first, "Inbox")
        idle(tab)
        no_exception(tab, "the inbox after signing in from its link")
    finally:
        tab.context.close()


# the menu titles, in the order of a quick look around after signing in
QUICK_TOUR = ["Peak hours", "Complaint themes", "Alerts", "Inbox", "Response times", "Staffing", "Overview",
              "Sources", "Sentiment model", "Users", "Privacy"]


def test_clicking_through_pages_right_after_sign_in(signed_server, browser) -> None:
    """A fresh server, a sign-in, then Peak hours at once and every other page without waiting for
    the one before to finish: no page may fail (a lazy import once raced between the sign-in's rerun
    and the page: "partially initialized module 'pandas'")."""
    from playwright.sync_api import expect

    tab = new_tab(browser)  # a context of its own: no session yet
    try:
        tab.goto(signed_server)
        enter_text(tab, tab.get_by_role("textbox", name="Name"), "ada")
        enter_text(tab, tab.get_by_role("textbox", name="Password"), PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        menu = tab.locator('[data-testid="stSidebarNav"]')
        for title in QUICK_TOUR:
            menu.get_by_role("link", name=title).click()
            shows(tab, tab.locator("h1").first, title)
            expect(tab.locator('[data-testid="stException"]')).to_have_count(0)
        idle(tab)
        no_exception(tab, "the last page of the tour")
        menu.get_by_role("link", name="Peak hours").click()
        shows(tab, tab.locator("h1").first, "Peak hours")
        idle(tab)
        no_exception(tab, "Peak hours, again")
        _chart_drawn(tab)
    finally:
        tab.context.close()
