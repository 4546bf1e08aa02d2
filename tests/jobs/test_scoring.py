"""Scoring stored mentions with the real model: labels, languages, priority order, rollups,
agents' corrections, and the `classify` command's one-JSON-line-per-text contract."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from monitor.jobs import scoring
from monitor.mention import Author, Mention
from monitor.store import ingest
from sentiment.priority import priority

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
    ingest.ingest(engine, mentions)


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
    with sqlite_engine.connect() as connection:
        before = connection.execute(sa.text(f"SELECT priority FROM mention WHERE id = {question}")).scalar()
    scoring.correct_label(sqlite_engine, question, "negative", agent="Ola")
    with sqlite_engine.connect() as connection:
        row = connection.execute(sa.text(f"SELECT sentiment, sentiment_score, priority FROM mention WHERE id = {question}")).one()
        audit = connection.execute(sa.text("SELECT actor, action FROM audit_log")).all()
    # the agent is sure: P(negative) = 1 in the priority, so the complaint moves up the inbox at once
    assert row.sentiment == "negative" and row.sentiment_score == 1.0
    assert row.priority == priority(1.0, followers=40, network="x") > before
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

    from monitor.trust import auth

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


class Everything:
    """A scorer that calls every text positive (with its real language unknown): it makes which
    rows a rescoring wrote visible."""

    def __init__(self, label: str = "positive"):
        self.label, self.seen = label, []

    def classify(self, texts, langs=None):
        from sentiment.model import Sentiment

        self.seen.extend(texts)
        probs = {"negative": 0.05, "neutral": 0.05, "positive": 0.9}
        return [Sentiment(self.label, 0.9, probs, None) for _ in texts]


def test_rescore_open_rewrites_open_conversations_but_not_closed_or_corrected(sqlite_engine, torch_scorer):
    _seed(sqlite_engine)
    scoring.score_pending(sqlite_engine, torch_scorer)
    with sqlite_engine.begin() as connection:
        ids = dict(connection.execute(sa.text("SELECT external_id, id FROM mention")).all())
        connection.execute(sa.text("UPDATE conversation SET status = 'closed' WHERE id = "
                                   f"(SELECT conversation_id FROM mention WHERE id = {ids['small_angry']})"))
    scoring.correct_label(sqlite_engine, ids["calm_el"], "negative", agent="Ola")
    assert scoring.rescorable_count(sqlite_engine) == 3  # angry, praise, question_it

    fake = Everything()
    result = scoring.rescore_open(sqlite_engine, fake, batch=2)
    assert result.scored == 3 and sorted(fake.seen) == sorted([POSTS[0][1], POSTS[1][1], POSTS[3][1]])
    with sqlite_engine.connect() as connection:
        rows = {r.external_id: r for r in connection.execute(sa.text(
            "SELECT external_id, sentiment, lang, priority FROM mention"))}
        by_rollup = dict(connection.execute(sa.text(
            "SELECT sentiment, sum(mentions) FROM mention_rollup GROUP BY sentiment HAVING sum(mentions) > 0")).all())
        by_rows = dict(connection.execute(sa.text("SELECT sentiment, count(*) FROM mention GROUP BY sentiment")).all())
    assert rows["angry"].sentiment == rows["question_it"].sentiment == "positive"
    assert rows["angry"].lang == "pl"  # a detected language is kept when the scorer is unsure
    assert rows["calm_el"].sentiment == "negative"      # the agent's label stays
    assert rows["small_angry"].sentiment == "negative"  # a closed conversation keeps its label
    assert by_rollup == by_rows  # the charts' counts moved with the labels
    assert scoring.rescore_open(sqlite_engine, Everything()).scored == 3  # open rows are always rescorable


def test_the_scoring_job_reloads_the_model_when_model_train_replaced_it(tmp_path, monkeypatch):
    from monitor.cli.app import App
    from monitor.cli.main import build_parser
    from monitor.jobs import background
    from sentiment import heads

    config = tmp_path / "config.yaml"
    config.write_text(f"sentiment: {{cache_dir: '{tmp_path / 'cache'}'}}\n", encoding="utf-8")
    app = App(build_parser().parse_args(["--config", str(config), "--db", f"sqlite:///{tmp_path / 'j.db'}", "run"]))
    loads = []
    monkeypatch.setattr(background, "load_scorer_for", lambda settings: loads.append(heads.model_in_use(
        settings.sentiment)) or Everything())
    _, _, run = background.scoring_job(app.engine, app.config)
    run()
    run()
    assert loads == [str(heads.artifacts_dir() / heads.HEAD_FILE)]  # loaded once, kept
    shipped = heads.Head.load(heads.artifacts_dir() / heads.HEAD_FILE)
    shipped.meta["adapter"] = heads.adapter_fingerprint()
    path = heads.promote(shipped, "head-new", {}, tmp_path / "cache")
    run()
    run()
    assert loads == [str(heads.artifacts_dir() / heads.HEAD_FILE), str(path)]


def test_a_stopping_worker_loads_no_model_and_scores_nothing_after_the_load(tmp_path, monkeypatch):
    """SIGTERM before the scoring job's first run: no model load starts. SIGTERM during the load
    (a minute on a busy machine): the job waits for it, then scores nothing and returns."""
    import threading

    from monitor.cli.app import App
    from monitor.cli.main import build_parser
    from monitor.jobs import background

    config = tmp_path / "config.yaml"
    config.write_text(f"sentiment: {{cache_dir: '{tmp_path / 'cache'}'}}\n", encoding="utf-8")
    app = App(build_parser().parse_args(["--config", str(config), "--db", f"sqlite:///{tmp_path / 'j.db'}", "run"]))
    stop, loads, scored = threading.Event(), [], []

    def load_while_told_to_stop(settings):
        loads.append(1)
        stop.set()  # SIGTERM arrives mid-load
        return Everything()

    monkeypatch.setattr(background, "load_scorer_for", load_while_told_to_stop)
    real_score_pending = background.score_pending
    monkeypatch.setattr(background, "score_pending",
                        lambda *a, **k: scored.append(real_score_pending(*a, **k).scored) or scoring.ScoreResult())
    _seed(app.engine)
    _, _, run = background.scoring_job(app.engine, app.config, stop)
    run()
    assert loads == [1] and scored == [0]  # loaded, then asked to stop before the first batch
    assert scoring.pending_count(app.engine) == len(POSTS)  # left for the next worker
    _, _, run_stopped = background.scoring_job(app.engine, app.config, stop)
    run_stopped()
    assert loads == [1]  # a worker already stopping does not load the model


def test_cli_rescore_open_and_model_train_rescoring_after_a_promotion(tmp_path, cache_dir, shared_data, capsys,
                                                                      monkeypatch):
    import sentiment
    from monitor.cli.main import main
    from sentiment.train import TrainResult

    config = tmp_path / "config.yaml"
    config.write_text(f"sentiment: {{cache_dir: '{cache_dir}', onnx: false}}\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'r.db'}"

    def cli(*argv: str) -> dict:
        assert main(["--config", str(config), "--db", db, *argv, "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    cli("import", str(shared_data / "twcs_sample.csv"), "--format", "twcs")
    assert cli("score")["scored"] == 49  # the customers' posts
    engine = sa.create_engine(db)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE conversation SET status = 'closed' WHERE id IN "
                                   "(SELECT id FROM conversation ORDER BY id LIMIT 5)"))
        still_open = connection.execute(sa.text(
            "SELECT count(*) FROM mention m JOIN conversation c ON c.id = m.conversation_id "
            "WHERE c.status != 'closed'")).scalar()
    engine.dispose()
    assert 0 < still_open < 49
    rescored = cli("score", "--rescore-open")
    assert set(rescored) == {"scored", "seconds"} and rescored["scored"] == still_open

    promoted = TrainResult(tmp_path / "head.safetensors", True, {"new": {}, "current": {}})
    monkeypatch.setattr(sentiment, "train_head", lambda examples, settings: promoted, raising=False)
    out = cli("model", "train")
    assert out["promoted"] is True and out["rescored"] == still_open
    out = cli("model", "train", "--no-rescore")
    assert out["promoted"] is True and out["rescored"] is None


def test_a_correction_keeps_reach_and_complaint_phrases_in_the_priority(sqlite_engine):
    """Unscored mentions are corrected too; the brand's own complaint query counts as at scoring."""
    _seed(sqlite_engine)
    with sqlite_engine.connect() as connection:
        ids = dict(connection.execute(sa.text("SELECT external_id, id FROM mention")).all())
    scoring.correct_label(sqlite_engine, ids["angry"], "positive", agent="Ola")  # e.g. sarcasm read wrongly
    scoring.correct_label(sqlite_engine, ids["praise"], "negative", agent="Ola",
                          complaint_queries=['"szybką dostawę"'])
    with sqlite_engine.connect() as connection:
        got = dict(connection.execute(sa.text("SELECT external_id, priority FROM mention")).all())
    assert got["angry"] == priority(0.0, followers=250_000, complaint_match=True, network="x")  # "nikt nie odpowiada"
    assert got["praise"] == priority(1.0, followers=250_000, complaint_match=True, network="x")


def test_a_stop_asked_between_batches_ends_the_run_after_the_batch_in_hand(sqlite_engine, torch_scorer):
    """`nasluch run` on SIGTERM: the scoring job ends after its current batch (saved), not after
    the 5,000 mentions it set out to score; the next run continues from there."""
    _seed(sqlite_engine)
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1  # SIGTERM arrives while the first batch is being scored

    result = scoring.score_pending(sqlite_engine, torch_scorer, batch=2, stop=stop)
    assert result.scored == 2 and scoring.pending_count(sqlite_engine) == len(POSTS) - 2
    assert scoring.score_pending(sqlite_engine, torch_scorer, batch=2).scored == len(POSTS) - 2
