"""The dashboard in a real browser: Playwright drives Debian's Chromium against `streamlit run`
over the seeded database. Every page opens without a Streamlit exception, a filter changes a
chart, and the XSS mention renders as text.

Set NASLUCH_SCREENSHOTS=docs/screenshots to also save a PNG of each page (for the README).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.seeded import XSS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PAGES = {"overview": "", "peak_hours": "peak_hours", "themes": "themes", "alerts": "alerts",
         "staffing": "staffing", "sources": "sources", "model": "model"}  # the landing page lives at "/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(seeded):
    url, config = seeded
    yield from _serve(url, config)


def _serve(url: str, config: Path):
    """A fresh `streamlit run` process (nothing imported yet), stopped when the fixture ends."""
    port = _free_port()
    env = {**os.environ, "NASLUCH_DB": url, "NASLUCH_CONFIG": str(config)}
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/_stcore/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("streamlit did not start: " + process.stderr.read().decode(errors="replace")[-2000:])
    yield base
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def page(server):
    yield from _tab()


def _tab():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        dialogs: list[str] = []
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        tab.dialogs = dialogs
        yield tab
        browser.close()


PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
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
    yield from _serve(url, config)


def _ran(tab, timeout_ms: int = 120_000) -> None:
    """Streamlit has finished running the page's script (no sleeping: wait for the condition)."""
    tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)


def _settle(tab, timeout: float = 120) -> None:
    """Wait until Streamlit has finished running the page's script, then for charts to draw."""
    time.sleep(0.5)
    tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout * 1000)
    time.sleep(1.0)


def _no_exception(tab, name: str) -> None:
    errors = tab.locator('[data-testid="stException"]')
    assert errors.count() == 0, f"{name}: " + errors.first.inner_text()[:1000]


def _chart_png(tab) -> bytes:
    chart = tab.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=30_000)
    return chart.screenshot()


def test_every_page_opens_without_exception(server, page) -> None:
    shots = os.environ.get("NASLUCH_SCREENSHOTS")
    for name, path in PAGES.items():
        page.goto(f"{server}/{path}")
        _settle(page)
        _no_exception(page, name)
        assert page.locator("h1").first.inner_text().strip(), name
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


def test_a_filter_changes_the_chart(server, page) -> None:
    page.goto(f"{server}/")
    _settle(page)
    before = _chart_png(page)
    brand = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    brand.click()
    page.get_by_role("option", name="Volta").click()
    page.keyboard.press("Escape")
    _settle(page)
    _no_exception(page, "overview, brand Volta")
    assert _chart_png(page) != before


def test_untrusted_text_renders_as_characters(server, page) -> None:
    page.goto(f"{server}/")
    _settle(page)
    assert page.locator("img[src=x]").count() == 0
    grid_text = page.locator('[data-testid="stDataFrame"]').all_inner_texts()
    cells = page.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_inner_texts()
    assert any(XSS in text for text in grid_text + cells), "the XSS string is not shown as text"
    assert page.dialogs == []


def test_a_text_query_narrows_the_overview(server, page) -> None:
    """Typing a query in the sidebar (the full-text index's path) redraws the chart, without error."""
    page.goto(f"{server}/")
    _settle(page)
    before = _chart_png(page)
    box = page.locator('[data-testid="stSidebar"]').get_by_label("Query", exact=True)
    box.fill('"nie dziala" OR delivery*')
    box.press("Enter")
    _settle(page)
    _no_exception(page, "overview, text query")
    assert _chart_png(page) != before


# the menu titles, in the order of a quick look around after signing in
QUICK_TOUR = ["Peak hours", "Complaint themes", "Alerts", "Inbox", "Response times", "Staffing", "Overview",
              "Sources", "Sentiment model", "Users", "Privacy"]


def test_clicking_through_pages_right_after_sign_in(signed_server, page) -> None:
    """A fresh server, a sign-in, then Peak hours at once and every other page without waiting for
    the one before to finish: no page may fail (a lazy import once raced between the sign-in's rerun
    and the page: "partially initialized module 'pandas'")."""
    from playwright.sync_api import expect

    context = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})  # no session yet
    tab = context.new_page()
    try:
        tab.goto(signed_server)
        tab.get_by_role("textbox", name="Name").fill("ada")
        tab.get_by_role("textbox", name="Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        menu = tab.locator('[data-testid="stSidebarNav"]')
        for title in QUICK_TOUR:
            menu.get_by_role("link", name=title).click()
            expect(tab.locator("h1").first).to_contain_text(title, timeout=60_000)
            expect(tab.locator('[data-testid="stException"]')).to_have_count(0)
        _ran(tab)
        expect(tab.locator('[data-testid="stException"]')).to_have_count(0)
        menu.get_by_role("link", name="Peak hours").click()
        expect(tab.locator("h1").first).to_contain_text("Peak hours")
        _ran(tab)
        expect(tab.locator('[data-testid="stException"]')).to_have_count(0)
        expect(tab.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    finally:
        context.close()
