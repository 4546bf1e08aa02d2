"""What the browser tests share: a `streamlit run` of the dashboard on 127.0.0.1, Debian's Chromium
driven by Playwright, and waits for conditions on the page (never for time).

Every wait has a deadline, and a failure says what the page showed instead, so a run that fails on a
busy machine tells you whether the page was still running, showed an exception or something else.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
START_S = 90          # a cold `streamlit run` imports polars, pandas, altair: slow on a busy machine
RUN_MS = 120_000      # one script run, first visits included
STATUS_WIDGET = '[data-testid="stStatusWidget"]'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def streamlit(db_url: str, config: Path, root: Path = ROOT, **env: str) -> Iterator[str]:
    """A fresh `streamlit run dashboard.py` (the one in `root`, a checkout) on `db_url` and
    `config`; yields its base URL once its health check answers, and stops it on the way out."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(root / "dashboard.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    environment = {**os.environ, "NASLUCH_DB": db_url, "NASLUCH_CONFIG": str(config), **env}
    if root != ROOT:  # another checkout's code, not ours
        environment["PYTHONPATH"] = str(root)
    process = subprocess.Popen(command, cwd=root, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/_stcore/health", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_healthy(url: str, process: subprocess.Popen, deadline_s: float = START_S) -> None:
    """Until `url` answers 200. Between tries we wait on the process itself, so a server that dies
    is reported at once with its last words, not after the deadline."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        try:
            process.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"streamlit exited ({process.returncode}): "
                           + process.stderr.read().decode(errors="replace")[-2000:])
    process.kill()
    raise TimeoutError(f"{url} did not answer within {deadline_s:.0f} s: "
                       + process.stderr.read().decode(errors="replace")[-2000:])


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium (Playwright's own download is not available here: Debian's package)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_tab(browser, timeout_ms: int = 60_000, height: int = 1000):
    """A tab in a context of its own (its own Streamlit session), with JavaScript dialogs recorded."""
    from playwright.sync_api import expect

    tab = browser.new_context(viewport={"width": 1400, "height": height}).new_page()
    tab.set_default_timeout(timeout_ms)
    expect.set_options(timeout=timeout_ms)
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    return tab


def seen(tab, limit: int = 1500) -> str:
    """What the page shows, for a failure message: exceptions first, then the main area's text."""
    try:
        errors = tab.locator('[data-testid="stException"]').all_inner_texts()
        text = tab.locator('[data-testid="stMain"]').first.inner_text(timeout=2_000)
    except Exception as error:  # noqa: BLE001  (the page itself may be gone)
        return f"(could not read the page: {error})"
    running = tab.locator(STATUS_WIDGET).count() > 0
    return (("EXCEPTION: " + " | ".join(errors)[:limit] + "\n") if errors else "") + \
        f"(script {'still running' if running else 'idle'}) " + " ".join(text.split())[:limit]


def idle(tab, timeout_ms: int = RUN_MS) -> None:
    """Until Streamlit has finished the run in progress (its status widget is gone). A rerun redraws
    widgets and closes menus, so act on a page only once it is idle."""
    try:
        tab.locator(STATUS_WIDGET).wait_for(state="detached", timeout=timeout_ms)
        tab.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=timeout_ms)
    except Exception as error:
        raise AssertionError(f"the page was still running after {timeout_ms / 1000:.0f} s; it showed: "
                             f"{seen(tab)}") from error


def enter_text(tab, box, text: str) -> None:
    """Fill a text box and wait until Streamlit has drawn it as edited (its "Press Enter to ..."
    hint), so the next blur, Enter or click hands the words on. The widget's blur and key handlers
    are the ones of its last drawing: right after fill() on a busy machine that drawing may not have
    happened, and the words were then never submitted (a note lost in 1 of 4 runs under load).
    A person's typing has long been drawn by the time they click."""
    box.fill(text)
    widget = box.locator("xpath=ancestor::*[@data-testid='stTextInput' or @data-testid='stTextArea'][1]")
    shows(tab, widget.locator('[data-testid="InputInstructions"]'), "Press")


def shows(tab, locator, text: str | None = None, timeout_ms: int = RUN_MS, exact: bool = False) -> None:
    """Until `locator` is visible (with `text`, when given); else fail with what the page showed."""
    from playwright.sync_api import expect

    try:
        if text is None:
            expect(locator).to_be_visible(timeout=timeout_ms)
        elif exact:
            expect(locator).to_have_text(text, timeout=timeout_ms)
        else:
            expect(locator).to_contain_text(text, timeout=timeout_ms)
    except AssertionError as error:
        wanted = f"{locator} with {text!r}" if text else str(locator)
        raise AssertionError(f"waited {timeout_ms / 1000:.0f} s for {wanted}; the page showed: {seen(tab)}") \
            from error


def no_exception(tab, name: str) -> None:
    errors = tab.locator('[data-testid="stException"]')
    assert errors.count() == 0, f"{name}: " + errors.first.inner_text()[:1000]
