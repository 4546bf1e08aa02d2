"""The inbox in a real browser, worked as in a shift: open conversations by clicking their rows, claim,
note, answer with a saved reply sent to a local Mastodon-shaped server, record a reply posted by
hand, reload, close; every write double clicked, and stored exactly once."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from monitor.inbox import actions
from monitor.store import schema
from monitor.store.engine import make_engine, upgrade
from tests.browser_kit import enter_text, idle, new_tab, seen, shows, streamlit
from tests.inbox.conftest import seed
from tests.inbox.mastodon_server import MastodonServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
KASIA = "https://fosstodon.org/users/kasia/statuses/112"
GRID = '[data-testid="stDataFrame"]'
ROW_PX, HEADER_PX = 35, 35
TALL = 2400  # the queue grid (51 rows) fits in the window, so a click on a row needs no scrolling


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory, browser):
    """One server for the module, on the inbox seed (Kasia on Mastodon, Bob on X, Ewa on Reddit),
    answering to a local Mastodon-shaped server; sign-in off, the agent is Ola."""
    folder = tmp_path_factory.mktemp("inbox-browser")
    db = f"sqlite:///{folder / 'inbox.db'}"
    engine = make_engine(db)
    upgrade(engine)
    ids = seed(engine)
    with engine.connect() as connection:
        for name in ("kasia", "bob", "ewa"):
            ids[f"{name}_conversation"] = connection.exec_driver_sql(
                "SELECT conversation_id FROM mention WHERE id = ?", (ids[name],)).scalar()
    actions.add_saved_reply(engine, "Przeprosiny", "Cześć {author}, tu {agent} z {brand}. Sprawdzamy!",
                            brand="Acme", lang="pl")
    with MastodonServer({KASIA: "112"}) as mastodon:
        config = folder / "config.yaml"
        config.write_text(
            "sla_minutes: 60\nagents: [{name: Ola}]\nbrands: [{name: Acme, queries: [acme]}]\nauth: {required: false}\n"
            f"responders:\n  - {{network: mastodon, base_url: '{mastodon.url}', access_token: {{$env: MASTODON_TOKEN}}}}\n",
            encoding="utf-8")
        with streamlit(db, config, MASTODON_TOKEN="test-token") as url:
            yield url, mastodon, ids, engine, browser
    engine.dispose()


def _count(engine, table, *where) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


GRID_IDS = """grid => [...document.querySelectorAll(grid + ' tbody tr')].map(row =>
    [...row.querySelectorAll('td')].map(cell => cell.textContent.trim()).find(text => text !== '') || '')"""


def _grid_ids(tab, wanted: int | None = None) -> list[int]:
    """The conversation numbers in the queue grid, top to bottom, once the grid is drawn (and lists
    `wanted`, when given). Read from the grid's accessible table, whose first column is "#"."""
    condition = f"""grid => {{ const ids = ({GRID_IDS})(grid);
        return ids.length > 0 && ({'true' if wanted is None else f"ids.includes('{wanted}')"}) ? ids : false; }}"""
    try:
        texts = tab.wait_for_function(condition, arg=GRID, timeout=60_000).json_value()
    except Exception as error:
        what = "no queue grid was drawn" if wanted is None else f"#{wanted} is not in the queue grid"
        raise AssertionError(f"{what} within 60 s; the page showed: {seen(tab)}") from error
    return [int(text) for text in texts if text.isdigit()]


def _open_by_click(tab, conversation_id: int, column_px: int = 120) -> int:
    """Click a cell of `conversation_id`'s row in the queue; returns the row clicked. Waits for the
    grid to list the conversation first, and for the conversation to open after."""
    idle(tab)
    row = _grid_ids(tab, conversation_id).index(conversation_id)
    # a click on the layer over the grid's canvas that takes the pointer: Playwright waits for it to
    # stand still and to be what the point hits
    surface = tab.locator(f"{GRID} .dvn-scroller").first
    surface.click(position={"x": column_px, "y": HEADER_PX + row * ROW_PX + ROW_PX / 2})
    shows(tab, tab.get_by_text("Conversation #", exact=False).first, f"Conversation #{conversation_id} ")
    idle(tab)
    return row


def _choose(tab, label: str, option: str) -> None:
    """Pick `option` in the select box `label`; a rerun closes an open menu, so open it again then."""
    for _ in range(5):
        idle(tab)
        tab.get_by_role("combobox", name=label, exact=True).click()
        try:
            tab.get_by_role("option", name=option).click(timeout=5_000)
            return
        except Exception:  # noqa: BLE001  (the menu closed under a rerun: open it again)
            tab.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option!r} in {label!r}; the page showed: {seen(tab)}")


def _heading(tab):
    return tab.get_by_text("Brand: ", exact=False).first


def test_a_click_on_a_queue_row_opens_that_conversation(dashboard):
    """A click on any cell of a row opens it, and a click on another row opens the other one."""
    url, _, ids, _, browser = dashboard
    tab = new_tab(browser, height=TALL)
    try:
        tab.goto(f"{url}/inbox")
        shows(tab, tab.get_by_text("need a reply", exact=False).first)
        rows = _grid_ids(tab)
        assert len(rows) >= 2, f"fewer than two rows in the queue; the page showed: {seen(tab)}"
        _open_by_click(tab, rows[0], column_px=160)   # the "waiting" column
        _open_by_click(tab, rows[1], column_px=400)   # further right
    finally:
        tab.context.close()


def test_a_shift_end_to_end(dashboard):
    url, mastodon, ids, engine, browser = dashboard
    kasia, bob = ids["kasia_conversation"], ids["bob_conversation"]
    reply, note, audit = schema.ReplyRow.__table__, schema.NoteRow.__table__, schema.AuditEntryRow.__table__
    conversation = schema.ConversationRow.__table__
    tab = new_tab(browser, height=TALL)
    try:
        tab.goto(f"{url}/inbox")
        shows(tab, tab.get_by_text("need a reply", exact=False).first)
        counters = tab.get_by_text("need a reply", exact=False).first
        needing = int(re.search(r"(\d+) need a reply", counters.inner_text()).group(1))

        # open Kasia's conversation by its row, claim it
        kasia_row = _open_by_click(tab, kasia)
        shows(tab, tab.get_by_text("past the target").first)
        shows(tab, tab.get_by_text("acme nie działa", exact=True).first)
        tab.get_by_role("button", name="Claim").dblclick()
        shows(tab, _heading(tab), "assignee Ola")
        idle(tab)
        assert _count(engine, audit, audit.c.action == "assigned") == 1

        # an internal note, double clicked: one note
        words = "Kurier zgubił paczkę — dzwoniłam. Ο πελάτης περιμένει."
        box = tab.get_by_role("textbox", name="Add a note")
        enter_text(tab, box, words)
        box.blur()
        idle(tab)
        tab.get_by_role("button", name="Save note").dblclick()
        shows(tab, tab.locator('[data-testid="stText"]').filter(has_text=words).first)  # in the notes, not the box
        idle(tab)
        assert _count(engine, note) == 1 and _count(engine, audit, audit.c.action == "note.added") == 1

        # a saved reply: greets the author by name and signs with the agent's
        _choose(tab, "Saved reply", "Przeprosiny (pl)")
        shows(tab, tab.get_by_role("textbox", name="Your reply"))
        from playwright.sync_api import expect

        expect(tab.get_by_role("textbox", name="Your reply")).to_have_value(
            "Cześć {author}, tu {agent} z {brand}. Sprawdzamy!")
        final = "Cześć Kasia, tu Ola z Acme. Sprawdzamy!"
        shows(tab, tab.get_by_text(f"@kasia@fosstodon.org {final}", exact=True).first)  # "Will be posted as:"
        shows(tab, tab.get_by_text("characters left (of 500 on mastodon)").first)

        # Send, double clicked: one status on the network, one reply stored
        tab.get_by_role("button", name="Send reply").dblclick()
        shows(tab, tab.get_by_text("Last reply: sent").first)
        shows(tab, tab.get_by_text(final, exact=True).first)  # in the thread
        shows(tab, tab.get_by_text("Ola (brand)", exact=False).first)
        shows(tab, tab.get_by_text("stopped").first)
        expect(tab.get_by_role("textbox", name="Your reply")).to_have_value("")  # ready for the next one
        idle(tab)
        assert len(mastodon.statuses) == 1, mastodon.posts
        assert mastodon.statuses and mastodon.posts[0]["status"] == f"@kasia@fosstodon.org {final}"
        assert _count(engine, reply, reply.c.conversation_id == kasia) == 1

        # answered: Kasia leaves the needs-reply view
        shows(tab, tab.get_by_text("need a reply", exact=False).first, f"{needing - 1} need a reply")
        idle(tab)
        assert kasia not in _grid_ids(tab), f"#{kasia} is still listed as needing a reply: {_grid_ids(tab)}"

        # the next conversation, by a click on the same place in the grid when it moved up into it
        bob_row = _open_by_click(tab, bob)
        # the queue moved up: the same cell clicked again, which used to open nothing until clicked twice
        assert bob_row == kasia_row == 0, (kasia_row, bob_row)
        shows(tab, tab.get_by_text("No responder is configured", exact=False).first)
        draft = tab.get_by_role("textbox", name="Your reply")
        enter_text(tab, draft, "Sorry {author}, it is fixed now. {agent}")
        draft.press("Tab")  # a text area commits its value on blur
        button = tab.get_by_role("button", name="I posted it by hand")
        expect(button).to_be_enabled(timeout=60_000)
        button.dblclick()
        shows(tab, tab.get_by_text("Ola (brand)", exact=False).first)
        shows(tab, tab.get_by_text("Sorry bob, it is fixed now. Ola", exact=True).first)
        idle(tab)
        assert _count(engine, reply, reply.c.conversation_id == bob) == 1
        assert _count(engine, audit, audit.c.action == "reply.manual") == 1

        # a reload is a new session on the same conversation: nothing is written again
        tab.reload()
        shows(tab, tab.get_by_text("Conversation #", exact=False).first, f"Conversation #{bob} ")
        idle(tab)
        assert _count(engine, reply) == 2 and _count(engine, note) == 1

        # Close, double clicked: closed once, audited once
        tab.get_by_role("button", name="Close conversation").dblclick()
        shows(tab, _heading(tab), "status closed")
        idle(tab)
        with engine.connect() as connection:
            assert connection.execute(sa.select(conversation.c.status).where(conversation.c.id == bob)).scalar() \
                == "closed"
        assert _count(engine, audit, audit.c.action == "status.changed") == 1
        assert len(mastodon.posts) == 1 and _count(engine, reply) == 2 and _count(engine, note) == 1
        assert tab.dialogs == []
    finally:
        tab.context.close()
