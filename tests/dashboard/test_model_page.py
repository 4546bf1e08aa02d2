"""The Sentiment model page (AppTest): which model is in use, its held-out figures per language,
the corrections it has not learnt yet, and the retrained models kept beside the shipped one."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from monitor.jobs import scoring
from monitor.mention import Author, Mention
from monitor.store import ingest
from monitor.store.engine import make_engine, upgrade
from sentiment import heads
from tests.seeded import CONFIG, XSS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def setup(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    upgrade(engine)
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG + f"sentiment: {{cache_dir: '{tmp_path / 'cache'}'}}\n", encoding="utf-8")
    monkeypatch.setenv("NASLUCH_DB", url)
    monkeypatch.setenv("NASLUCH_CONFIG", str(config))
    monkeypatch.chdir(ROOT)
    yield engine, tmp_path / "cache"
    engine.dispose()


def _page() -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.run()
    app.switch_page("views/model.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_shipped_model_figures_per_language_and_no_corrections(setup) -> None:
    app = _page()
    assert _metric(app, "In use") == "shipped"
    shipped = heads.shipped_report()
    assert _metric(app, "UMSAB val mean macro-F1") == str(shipped["umsab_val_mean"])
    seven = [f1 for lang, f1 in shipped["umsab_val_macro_f1"].items() if lang != "hi"]
    assert _metric(app, "... without hi") == str(round(sum(seven) / 7, 2))
    languages = app.dataframe[0].value["language"].tolist()
    assert set(languages) == set(shipped["umsab_val_macro_f1"]) | set(shipped["care_test_negative_recall"])
    assert any("No corrections yet" in caption.value for caption in app.caption)


def test_a_retrained_model_in_use_and_a_correction_it_has_not_learnt(setup) -> None:
    engine, cache = setup
    created = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    ingest.ingest(engine, [Mention("x", "1", f"acme {XSS} paczka nie dotarła", created, Author("ola"))])
    scoring.correct_label(engine, 1, "negative", agent="Ola")
    head = heads.Head.load(heads.artifacts_dir() / heads.HEAD_FILE)
    head.meta.update({"adapter": heads.adapter_fingerprint(), "corrections": 0})
    report = {"umsab_val_mean": 61.5, "care_test_mean": 90.0, "care_test_negative_recall_min": 90.0,
              "care_test_negative_recall": {"pl": 90.0, "el": 100.0}, "umsab_val_macro_f1": {"pl": 1.0}}
    heads.promote(head, "head-20261120-120000", {"new": report}, cache)

    app = _page()
    assert _metric(app, "In use") == "head-20261120-120000"
    assert _metric(app, "UMSAB val mean macro-F1") == "61.5"
    assert _metric(app, "Worst complaint recall") == "90% (pl)"
    assert _metric(app, "Corrections not yet learnt") == "1"
    frames = [frame.value for frame in app.dataframe]
    corrections = next(frame for frame in frames if "agent" in frame.columns)
    assert corrections["text"].tolist() == [f"acme {XSS} paczka nie dotarła"]  # plain text in a grid cell
    models = next(frame for frame in frames if "in use" in frame.columns)
    assert models["name"].tolist() == ["head-20261120-120000", "shipped"]
    assert models["in use"].tolist() == [True, False]
