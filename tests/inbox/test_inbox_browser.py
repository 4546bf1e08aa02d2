"""The inbox in a real browser: open a conversation, pick a saved reply, send it to a local
Mastodon-shaped server, see it in the thread and the SLA clock stop."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from monitor.inbox import actions
from monitor.store.engine import make_engine, upgrade
from tests.inbox.conftest import seed
from tests.inbox.mastodon_server import MastodonServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
KASIA = "https://fosstodon.org/users/kasia/statuses/112"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dashboard(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian's chromium package)")
    pytest.importorskip("playwright.sync_api")
    db = f"sqlite:///{tmp_path / 'inbox.db'}"
    engine = make_engine(db)
    upgrade(engine)
    ids = seed(engine)
    with engine.connect() as connection:  # the conversation Bob's mention opened
        ids["bob_conversation"] = connection.exec_driver_sql(
            "SELECT conversation_id FROM mention WHERE id = ?", (ids["bob"],)).scalar()
    actions.add_saved_reply(engine, "Przeprosiny", "Cześć {author}, tu {agent} z {brand}. Sprawdzamy!",
                                  brand="Acme", lang="pl")
    engine.dispose()
    with MastodonServer({KASIA: "112"}) as server:
        config = tmp_path / "config.yaml"
        config.write_text(
            "sla_minutes: 60\nagents: [{name: Ola}]\nbrands: [{name: Acme, queries: [acme]}]\nauth: {required: false}\n"
            f"responders:\n  - {{network: mastodon, base_url: '{server.url}', access_token: {{$env: MASTODON_TOKEN}}}}\n",
            encoding="utf-8")
        port = _free_port()
        env = {**os.environ, "NASLUCH_DB": db, "NASLUCH_CONFIG": str(config), "MASTODON_TOKEN": "test-token"}
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", process)
            yield f"http://127.0.0.1:{port}", server, ids, db
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("streamlit exited: " + process.stderr.read().decode()[-2000:])
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError("the dashboard did not start within 60 s")


def _idle(page) -> None:
    """Wait until Streamlit has finished its run: a rerun redraws widgets and closes open menus."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def _choose(page, label: str, option: str, last: bool = False) -> None:
    """Pick `option` in the select box `label` (`last`: the last of several with that label)."""
    for _ in range(5):
        _idle(page)
        box = page.get_by_role("combobox", name=label, exact=True)
        (box.last if last else box).click()
        try:
            page.get_by_role("option", name=option).click(timeout=3_000)
            return
        except Exception:  # noqa: BLE001  (the menu closed under a rerun: open it again)
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def test_answer_with_a_saved_reply(dashboard):
    from playwright.sync_api import expect, sync_playwright

    url, server, _, _ = dashboard
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        page.set_default_timeout(30_000)
        expect.set_options(timeout=30_000)
        page.goto(f"{url}/inbox")
        expect(page.get_by_text("3 open, 3 need a reply, 3 past the SLA")).to_be_visible()
        _choose(page, "Open conversation", "#1 · mastodon · @kasia@fosstodon.org")
        expect(page.get_by_text("Conversation #1 · mastodon")).to_be_visible()
        expect(page.get_by_text("past the target")).to_be_visible()
        expect(page.get_by_text("acme nie działa", exact=True)).to_be_visible()
        _choose(page, "Saved reply", "Przeprosiny (pl)")
        expect(page.get_by_role("textbox", name="Your reply")).to_have_value(
            "Cześć {author}, tu {agent} z {brand}. Sprawdzamy!")
        expect(page.get_by_text("characters left (of 500 on mastodon)")).to_be_visible()
        page.get_by_role("button", name="Send reply").click()
        expect(page.get_by_text("Last reply: sent")).to_be_visible()
        expect(page.get_by_text("Cześć Kasia, tu Ola z Acme. Sprawdzamy!", exact=True)).to_be_visible()
        expect(page.get_by_text("Ola (brand)", exact=False)).to_be_visible()
        expect(page.get_by_text("stopped")).to_be_visible()
        expect(page.get_by_role("textbox", name="Your reply")).to_have_value("")  # ready for the next one
        browser.close()
    assert len(server.statuses) == 1
    assert server.posts[0]["status"] == "@kasia@fosstodon.org Cześć Kasia, tu Ola z Acme. Sprawdzamy!"


def test_a_click_on_a_queue_row_opens_that_conversation(dashboard):
    """The queue is worked by clicking rows: a click on any cell of a row opens it, and a click on
    another row opens the other one (the drop-down follows)."""
    from playwright.sync_api import expect, sync_playwright

    url, _, _, _ = dashboard
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        expect.set_options(timeout=30_000)
        page.goto(f"{url}/inbox")
        expect(page.get_by_text("3 open, 3 need a reply, 3 past the SLA")).to_be_visible()
        grid = page.locator('[data-testid="stDataFrame"]').first
        box = grid.bounding_box()
        row_height, header = 35, 35
        opened = []
        for row in (0, 1):  # a cell in the "waiting" column of the first, then the second row
            page.mouse.click(box["x"] + 160, box["y"] + header + row * row_height + row_height / 2)
            heading = page.get_by_text("Conversation #", exact=False).first
            expect(heading).to_be_visible()
            if opened:
                expect(heading).not_to_have_text(opened[-1])
            opened.append(heading.inner_text())
        browser.close()
    assert len(set(opened)) == 2, opened
