"""Scoring stored mentions with the real model: labels, languages, priority order, rollups,
agents' corrections, and the `classify` command's one-JSON-line-per-text contract."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from monitor import scoring, store
from monitor.values import Author, Mention

T0 = datetime(2026, 11, 5, 19, 0, tzinfo=timezone.utc)
POSTS = [
    ("angry", "Acme: paczka przyszła uszkodzona, reklamacja od dwóch tygodni i nikt nie odpowiada", 250_000),
    ("praise", "Acme, dziękuję za szybką dostawę, świetna obsługa!", 250_000),
    ("calm_el", "Acme, η παραγγελία μου δεν έφτασε ακόμα και κανείς δεν απαντά", 40),
    ("question_it", "Acme, a che ora apre il negozio domenica?", 40),
    ("small_angry", "acme app doesn't work again, still waiting for my refund", 3),
]


def _seed(engine):
    mentions = [Mention("x", key, text, T0 + timedelta(minutes=i), Author(f"user{i}", followers=followers))
                for i, (key, text, followers) in enumerate(POSTS)]
    store.ingest(engine, mentions)


def test_score_pending_labels_languages_priorities_and_rollups(engine, torch_scorer):
    _seed(engine)
    assert scoring.pending_count(engine) == len(POSTS)
    result = scoring.score_pending(engine, torch_scorer, batch=2)
    assert result.scored == len(POSTS) and scoring.pending_count(engine) == 0
    with engine.connect() as connection:
        rows = {r.external_id: r for r in connection.execute(sa.text(
            "SELECT external_id, sentiment, lang, priority FROM mention"))}
        pending_cells = connection.execute(sa.text(
            "SELECT coalesce(sum(mentions), 0) FROM mention_rollup WHERE sentiment = ''")).scalar()
        negative_cells = connection.execute(sa.text(
            "SELECT coalesce(sum(mentions), 0) FROM mention_rollup WHERE sentiment = 'negative'")).scalar()
    assert rows["angry"].sentiment == "negative" and rows["praise"].sentiment == "positive"
    assert rows["calm_el"].sentiment == "negative"  # a calm complaint is still a complaint
    assert (rows["angry"].lang, rows["calm_el"].lang, rows["question_it"].lang) == ("pl", "el", "it")
    assert rows["angry"].priority > rows["small_angry"].priority > rows["praise"].priority
    assert rows["calm_el"].priority > rows["question_it"].priority
    assert pending_cells == 0 and negative_cells == sum(r.sentiment == "negative" for r in rows.values())
    assert scoring.score_pending(engine, torch_scorer).scored == 0  # resumable: nothing left


def test_a_correction_relabels_the_mention_and_becomes_training_data(sqlite_engine, torch_scorer):
    _seed(sqlite_engine)
    scoring.score_pending(sqlite_engine, torch_scorer)
    with sqlite_engine.connect() as connection:
        question = connection.execute(sa.text("SELECT id FROM mention WHERE external_id = 'question_it'")).scalar()
    scoring.correct_label(sqlite_engine, question, "negative", agent="Ola")
    with sqlite_engine.connect() as connection:
        assert connection.execute(sa.text(f"SELECT sentiment FROM mention WHERE id = {question}")).scalar() == "negative"
        audit = connection.execute(sa.text("SELECT actor, action FROM audit_log")).all()
    assert ("Ola", "sentiment.corrected") in [tuple(row) for row in audit]
    assert scoring.corrections(sqlite_engine) == [
        {"text": POSTS[3][1], "label": "negative", "lang": "it"}]


def test_classify_prints_one_json_line_per_input_line_in_order(tmp_path, cache_dir):
    config = tmp_path / "config.yaml"
    config.write_text(f"sentiment: {{cache_dir: '{cache_dir}', onnx: false}}\n", encoding="utf-8")
    texts = ["Nie działa mi aplikacja od rana, nikt nie odpowiada", "Grazie mille, tutto perfetto!",
             "Nie działa mi aplikacja od rana, nikt nie odpowiada", "Wann öffnet die Filiale?"]
    result = subprocess.run([sys.executable, "-m", "monitor.cli", "--config", str(config), "--db",
                             f"sqlite:///{tmp_path / 'c.db'}", "classify"], input="\n".join(texts) + "\n",
                            capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4 and lines[0] == lines[2]
    assert [line["label"] for line in lines[:2]] == ["negative", "positive"]
    assert [line["lang"] for line in lines] == ["pl", "it", "pl", "de"]
    assert all(set(line) == {"label", "score", "lang"} and 0 < line["score"] <= 1 for line in lines)


def test_a_viewer_cannot_correct_a_label_below_the_ui(sqlite_engine):
    import pytest

    from monitor import auth

    _seed(sqlite_engine)
    auth.add_user(sqlite_engine, "Vera", "viewer", "a-long-password-1")
    auth.add_user(sqlite_engine, "Ola", "agent", "a-long-password-2")
    with sqlite_engine.connect() as connection:
        mention_id = connection.execute(sa.text("SELECT id FROM mention WHERE external_id = 'praise'")).scalar()
    with pytest.raises(auth.Forbidden):
        scoring.correct_label(sqlite_engine, mention_id, "negative", agent="Vera")
    assert scoring.corrections(sqlite_engine) == []
    scoring.correct_label(sqlite_engine, mention_id, "negative", agent="Ola")
    assert len(scoring.corrections(sqlite_engine)) == 1
