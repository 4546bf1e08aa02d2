"""The queue's order as a community manager sees it in the browser, on a seeded day: unanswered
complaints waiting longest first, thank-yous below every one of them, conversations where our reply
was the last word only in the "Waiting on the customer" view."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.store.engine import make_engine, upgrade
from tests.browser_kit import idle, new_tab, seen, shows, streamlit
from tests.inbox.test_queue_order import seed_day

pytestmark = [pytest.mark.browser, pytest.mark.slow]
GRID = '[data-testid="stDataFrame"]'
WIDE = 2600  # every column of the queue grid in view, so its accessible table lists the author's too

# The grid's accessible table: the header row names the columns, each body row is a queue row.
COLUMN = """([grid, name]) => {
    const table = document.querySelector(grid + ' table');
    if (!table) return false;
    const headers = [...table.querySelectorAll('thead th, thead [role=columnheader]')]
        .map(cell => cell.textContent.trim());
    const at = headers.indexOf(name);
    if (at < 0) return false;
    const rows = [...table.querySelectorAll('tbody tr')].map(row => row.querySelectorAll('td, th')[at]);
    return rows.length > 0 && rows.every(cell => cell) ? rows.map(cell => cell.textContent.trim()) : false;
}"""


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory, browser):
    """One server on `seed_day`, seeded against the real clock (the dashboard reads the queue
    with it): anna waits six days, jan five, famous two hours, ola ten minutes, kuba thanked us
    after our reply, ewa got our answer last. SLA one hour, sign-in off."""
    folder = tmp_path_factory.mktemp("queue-order-browser")
    db = f"sqlite:///{folder / 'day.db'}"
    engine = make_engine(db)
    upgrade(engine)
    seed_day(engine, now=datetime.now(UTC))
    engine.dispose()
    config = folder / "config.yaml"
    config.write_text("sla_minutes: 60\nagents: [{name: Ola}]\nbrands: [{name: Acme, queries: [acme]}]\n"
                      "auth: {required: false}\n", encoding="utf-8")
    with streamlit(db, config) as url:
        yield url, browser


def _column(tab, name: str, wanted: str) -> list[str]:
    """The queue grid's `name` column, top to bottom, once the grid lists `wanted` in it."""
    condition = f"""args => {{ const cells = ({COLUMN})(args);
        return cells && cells.includes({wanted!r}) ? cells : false; }}"""
    try:
        return tab.wait_for_function(condition, arg=[GRID, name], timeout=60_000).json_value()
    except Exception as error:
        raise AssertionError(f"the queue grid's {name!r} column did not list {wanted!r} within 60 s; "
                             f"the page showed: {seen(tab)}") from error


def test_the_queue_shows_the_longest_waiting_complaints_first_and_thanks_last(dashboard):
    url, browser = dashboard
    tab = new_tab(browser)
    tab.set_viewport_size({"width": WIDE, "height": 1400})
    try:
        tab.goto(f"{url}/inbox")
        shows(tab, tab.get_by_text("need a reply", exact=False).first, "5 need a reply")
        idle(tab)
        authors = _column(tab, "author", "kuba")
        assert authors == ["anna", "jan", "famous", "ola", "kuba"], \
            f"the default view's order is {authors}; the page showed: {seen(tab)}"
        states = _column(tab, "state", "thanks: close?")
        assert states == ["needs reply"] * 4 + ["thanks: close?"], states

        # our reply was ewa's last word: she waits on the customer, never in the default view
        tab.get_by_role("radio", name="Waiting on the customer").or_(
            tab.get_by_role("button", name="Waiting on the customer")).first.click()
        idle(tab)
        assert _column(tab, "author", "ewa") == ["ewa"], seen(tab)
        assert _column(tab, "state", "waiting on customer") == ["waiting on customer"]
    finally:
        tab.context.close()
