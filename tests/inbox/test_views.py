"""The inbox and response-times pages render on a seeded database (Streamlit's AppTest, no browser)."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from monitor.inbox import outbox
from monitor.store.engine import make_engine, upgrade
from tests.inbox.conftest import SENT, T0, ScriptedResponder, seed

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'views.db'}"
    engine = make_engine(db)
    upgrade(engine)
    ids = seed(engine)
    reply_id = outbox.queue_reply(engine, ids["kasia"], "Cześć", "Ola", now=T0 + timedelta(minutes=10))
    outbox.send_now(engine, reply_id, [ScriptedResponder([SENT])], "w", now=T0 + timedelta(minutes=12))
    engine.dispose()
    config = tmp_path / "config.yaml"
    config.write_text("sla_minutes: 60\nagents: [{name: Ola}]\nauth: {required: false}\n", encoding="utf-8")
    monkeypatch.setenv("NASLUCH_DB", db)
    monkeypatch.setenv("NASLUCH_CONFIG", str(config))
    monkeypatch.chdir(ROOT)
    return ids


def test_response_times_page_shows_the_reports_numbers(app_env):
    app = AppTest.from_file(str(ROOT / "views" / "response_times.py"), default_timeout=60).run()
    assert not app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Answered conversations"] == "1" and metrics["Median first response"] == "12 min"
    assert metrics["Within 60 min"] == "100%"


def test_inbox_page_lists_the_queue_and_opens_a_conversation(app_env):
    app = AppTest.from_file(str(ROOT / "views" / "inbox.py"), default_timeout=60)
    app.query_params["conversation"] = "2"
    app.run()
    assert not app.exception
    # Kasia was answered: not in the default view (needs a reply)
    assert "2 open, 2 need a reply, 2 past the SLA" in [header.value for header in app.subheader]
    queue = app.dataframe[0].value.set_index("author")
    assert "kasia@fosstodon.org" not in queue.index and queue.loc["bob", "SLA"].startswith("overdue ")
    assert queue["waiting"].notna().all() and (queue["waiting"] != "None").all()
    texts = [element.value for element in app.text]
    assert "acme app broke" in texts  # Bob's post, as plain text
    assert any(metric.label == "SLA" for metric in app.metric)
    app.segmented_control(key="queue_view").set_value("all").run()
    everything = app.dataframe[0].value
    assert everything["author"].tolist()[-1] == "kasia@fosstodon.org"  # our reply was last: after the rest
    kasia = everything.set_index("author").loc["kasia@fosstodon.org"]
    assert [kasia["waiting"], kasia["SLA"], kasia["state"]] == ["answered", "-", "waiting on customer"]


def test_correcting_a_label_in_the_inbox_stores_it_and_raises_the_priority(app_env):
    """Bob's post ("acme app broke") is unscored; the agent calls it negative. That stores a
    correction for `model train` and sets the priority with P(negative) = 1 (no complaint phrase:
    the built-in list has "broken", not "broke")."""
    import sqlalchemy as sa

    from sentiment.priority import priority

    app = AppTest.from_file(str(ROOT / "views" / "inbox.py"), default_timeout=60)
    app.query_params["conversation"] = "2"
    app.run()
    app.selectbox(key=f"sentiment_{app_env['bob']}").set_value("negative").run()
    assert not app.exception
    engine = make_engine(os.environ["NASLUCH_DB"])
    with engine.connect() as connection:
        row = connection.execute(sa.text(f"SELECT sentiment, priority FROM mention WHERE id = {app_env['bob']}")).one()
        stored = connection.execute(sa.text("SELECT agent, label, previous FROM label_correction")).all()
    engine.dispose()
    assert row.sentiment == "negative" and row.priority == priority(1.0, network="x")
    assert [tuple(r) for r in stored] == [("Ola", "negative", None)]


def test_a_note_submitted_again_with_the_same_words_is_stored_once_and_new_words_are_a_new_note(app_env):
    """A double click's second submission still carries the words (the box is cleared by the
    server once the note is stored, not by the browser at the click): the same words are stored
    once (their token is made of them), the box is then empty, and different words are a second
    note."""
    import sqlalchemy as sa

    def notes() -> list[str]:
        engine = make_engine(os.environ["NASLUCH_DB"])
        with engine.connect() as connection:
            texts = connection.execute(sa.text("SELECT text FROM note ORDER BY id")).scalars().all()
        engine.dispose()
        return texts

    app = AppTest.from_file(str(ROOT / "views" / "inbox.py"), default_timeout=60)
    app.query_params["conversation"] = "2"
    app.run()
    box = app.text_area(key="note_text_2")
    words = "Kurier zgubił paczkę — dzwoniłam."
    box.set_value(words)
    app.button[[b.label for b in app.button].index("Save note")].click().run()
    assert not app.exception and notes() == [words]
    assert app.text_area(key="note_text_2").value == ""  # cleared once stored
    assert any(words in element.value for element in app.text)  # and shown

    # the second submission of a double click, carrying the same words
    app.text_area(key="note_text_2").set_value(words)
    app.button[[b.label for b in app.button].index("Save note")].click().run()
    assert notes() == [words]

    app.text_area(key="note_text_2").set_value("Oddzwonić jutro")
    app.button[[b.label for b in app.button].index("Save note")].click().run()
    assert notes() == [words, "Oddzwonić jutro"]
