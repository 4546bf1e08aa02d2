"""The dashboard's sign-in gate and per-page roles, on the server side (Streamlit's AppTest):
nothing but the sign-in form without a session; each page refuses a role below its own even
when run directly, whatever the menu shows."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from monitor.store.engine import make_engine, upgrade
from monitor.trust import auth
from tests.inbox.conftest import seed

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def site(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'site.db'}"
    engine = make_engine(db)
    upgrade(engine)
    seed(engine)
    for name, role in (("vera", "viewer"), ("ola", "agent"), ("adam", "admin")):
        auth.add_user(engine, name, role, PASSWORD)
    engine.dispose()
    config = tmp_path / "config.yaml"
    config.write_text("sla_minutes: 60\nbrands: [{name: Acme, queries: [acme]}]\n", encoding="utf-8")
    monkeypatch.setenv("NASLUCH_DB", db)
    monkeypatch.setenv("NASLUCH_CONFIG", str(config))
    monkeypatch.chdir(ROOT)
    auth.THROTTLE.failures.clear()


def _page(path: str, user: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / path), default_timeout=60)
    if user:
        app.session_state["auth_user"] = user
    return app.run()


def _sign_in(app: AppTest, name: str, password: str) -> AppTest:
    app.text_input(key="sign_in_name").input(name)
    app.text_input(key="sign_in_password").input(password)
    return app.button[0].click().run()


def _no_data_shown(app: AppTest) -> None:
    """No data of any page leaks before sign-in: the only grid and metric are the hidden
    placeholders that load the components' code (`views.common.PRELOAD_DATA`)."""
    from views.common import PRELOAD_DATA, PRELOAD_LABEL

    assert [frame.value.to_dict("list") for frame in app.dataframe] == [PRELOAD_DATA]
    assert [(metric.label, metric.value) for metric in app.metric] == [(PRELOAD_LABEL, "0")]


def test_without_a_session_only_the_sign_in_form_is_shown(site):
    app = _page("dashboard.py")
    assert not app.exception
    assert [t.value for t in app.title] == ["Nasłuch: sign in"]
    _no_data_shown(app)


def test_signing_in_opens_the_pages_and_a_wrong_password_does_not(site):
    app = _page("dashboard.py")
    _sign_in(app, "ola", "wrong password!")
    assert "Wrong name or password." in [e.value for e in app.error]
    assert "auth_user" not in app.session_state
    _sign_in(app, "ola", PASSWORD)
    assert not app.exception and app.session_state["auth_user"] == "ola"
    assert [t.value for t in app.title] != ["Nasłuch: sign in"]


@pytest.mark.parametrize(("path", "allowed", "refused"), [
    ("views/inbox.py", "ola", "vera"),
    ("views/users.py", "adam", "ola"),
    ("views/erasure.py", "adam", "ola"),
    ("views/sources.py", "adam", "ola"),
    ("views/overview.py", "vera", None),
])
def test_each_page_checks_the_role_itself(site, path, allowed, refused):
    app = _page(path, allowed)
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert app.title
    if refused:
        app = _page(path, refused)
        assert any("needs the" in e.value for e in app.error)
        assert not app.title and not app.dataframe  # the page stopped before drawing anything


def test_a_page_run_without_a_session_shows_only_sign_in(site):
    app = _page("views/inbox.py")
    assert [t.value for t in app.title] == ["Nasłuch: sign in"]
    _no_data_shown(app)


def test_a_removed_user_loses_the_session_on_the_next_click(site, tmp_path):
    app = _page("views/inbox.py", "ola")
    assert [t.value for t in app.title] == ["Inbox"]
    engine = make_engine(f"sqlite:///{tmp_path / 'site.db'}")
    auth.remove_user(engine, "ola")
    engine.dispose()
    app.run()
    assert [t.value for t in app.title] == ["Nasłuch: sign in"]


def test_the_admin_privacy_page_erases_an_author(site, tmp_path):
    app = _page("views/erasure.py", "adam")
    app.text_input(key="erase_handle").input("bob")
    app.text_input(key="erase_again").input("bob")
    app.button[1].click().run()
    assert any("Erased" in s.value and "mentions: 1" in s.value for s in app.success), [e.value for e in app.error]


def test_the_sign_in_screen_computes_the_first_page_while_the_password_is_typed(site, monkeypatch):
    """The Overview's default queries are in the cache before "Sign in" is clicked (on a fresh
    server they were most of the wait for the first page)."""
    import threading

    from views import common, overview_data

    app = _page("dashboard.py")
    assert [t.value for t in app.title] == ["Nasłuch: sign in"]
    for thread in threading.enumerate():
        if thread.name == "warm-landing-page":
            thread.join(timeout=60)
    monkeypatch.setattr(overview_data, "overview", lambda *a, **k: pytest.fail("the Overview was not warmed"))
    monkeypatch.setattr(overview_data, "latest_mentions", lambda *a, **k: pytest.fail("latest mentions: not warmed"))
    chosen = common.default_filters()
    assert chosen.since is not None
    assert overview_data.overview_data(chosen, overview_data.DEFAULT_BUCKET).total > 0
    assert overview_data.latest_data(chosen).height > 0
