"""Every page runs on the seeded data without an exception, and the global filters reach the
pages (Streamlit's AppTest: in-process, no browser)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.seeded import CONFIG

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["views/overview.py", "views/peak_hours.py", "views/staffing.py", "views/sources.py", "views/alerts.py",
         "views/themes.py", "views/model.py"]


@pytest.fixture
def app(seeded, tmp_path, monkeypatch) -> AppTest:
    url, _ = seeded
    config = tmp_path / "config.yaml"  # a sentiment model that is not there: Themes must say so
    config.write_text(CONFIG + f"sentiment: {{model: '{tmp_path / 'no-such-model'}'}}\n", encoding="utf-8")
    monkeypatch.setenv("NASLUCH_DB", url)
    monkeypatch.setenv("NASLUCH_CONFIG", str(config))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(app: AppTest, page: str) -> None:
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value


def _metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_sidebar_filters_reach_the_page(app: AppTest) -> None:
    app.run()
    everything = _metric(app, "Mentions")
    app.multiselect(key="f_brand").set_value(["Kawka"]).run()
    assert not app.exception
    kawka = _metric(app, "Mentions")
    assert int(kawka.replace(",", "")) < int(everything.replace(",", ""))
    app.switch_page("views/peak_hours.py").run()
    assert app.multiselect(key="f_brand").value == ["Kawka"]  # the filter survives a page change


def test_a_bad_query_is_explained_not_used(app: AppTest) -> None:
    app.run()
    app.text_input(key="f_query").set_value("acme OR (").run()
    assert not app.exception
    assert any("Query not used" in e.value for e in app.sidebar.error)


def test_themes_say_when_the_model_is_missing(app: AppTest) -> None:
    app.run()
    app.switch_page("views/themes.py").run()
    assert any("sentiment model" in w.value and "no-such-model" in w.value for w in app.warning), \
        [w.value for w in app.warning]


@pytest.mark.slow
def test_themes_group_complaints_with_the_configured_model(seeded, tmp_path, monkeypatch, cache_dir) -> None:
    """With the built-in model available the page groups the negative mentions (no warning)."""
    url, _ = seeded
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG + f"sentiment: {{cache_dir: '{cache_dir}', onnx: false}}\n", encoding="utf-8")
    monkeypatch.setenv("NASLUCH_DB", url)
    monkeypatch.setenv("NASLUCH_CONFIG", str(config))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(ROOT)
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
    app.run()
    app.switch_page("views/themes.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.warning, [w.value for w in app.warning]
    assert app.dataframe, "no themes table"


def test_staffing_explains_its_assumptions(app: AppTest) -> None:
    app.run()
    app.switch_page("views/staffing.py").run()
    text = " ".join(m.value for m in app.markdown)
    assert "Erlang C" in text and "handling time" in text
    assert int(_metric(app, "Agent-hours per week").replace(",", "")) > 0


def test_staffing_page_and_cli_agree_cell_by_cell(app: AppTest, seeded, capsys) -> None:
    """The page (sidebar's default period: whole local days up to the newest) and `report staffing`
    (no period: up to the newest hour) plan from the same whole weeks, so every cell agrees."""
    import json

    from monitor.cli.main import main

    app.run()
    app.switch_page("views/staffing.py").run()
    assert not app.exception, [e.value for e in app.exception]
    page = app.dataframe[0].value
    assert main(["--config", str(seeded[1]), "--db", seeded[0], "report", "staffing", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert list(page["Day"]) == days
    for cell in cli["cells"]:
        assert page.loc[cell["weekday"], f"{cell['hour']:02d}"] == cell["agents"], cell
    assert cli["agent_hours_per_week"] == int(_metric(app, "Agent-hours per week").replace(",", ""))
    assert sum(c["agents"] for c in cli["cells"]) > 0


def test_a_precompiled_page_is_not_parsed_again_when_a_session_opens_it(monkeypatch):
    """The dashboard compiles every page at start-up (Python 3.11's AST constructor is not safe to
    run in two threads at once); after that, opening a page must not parse anything."""
    import ast

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    from views.common import precompile

    pages = sorted(p for p in (ROOT / "views").glob("*.py") if p.stem not in {"__init__", "common", "overview_data"})
    manager = PagesManager(str(ROOT / "dashboard.py"), ScriptCache())
    precompile(manager, pages)

    def no_parsing(*args, **kwargs):
        raise AssertionError("a page was parsed again")

    monkeypatch.setattr(ast, "parse", no_parsing)
    for page in pages:
        assert manager.get_page_script_byte_code(str(page)) is not None
