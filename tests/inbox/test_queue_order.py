"""The queue's order in daily use: unanswered complaints waiting longest first, conversations
where our reply was the last word out of the default view, thank-yous below every complaint."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from monitor.cli.main import main
from monitor.inbox import actions, queue
from monitor.inbox.urgency import UrgencyWeights
from monitor.mention import Author, Mention
from monitor.store import schema
from monitor.store.engine import make_engine, upgrade
from monitor.store.ingest import ingest
from tests.inbox.conftest import T0

MENTION = schema.MentionRow.__table__
NOW = T0 + timedelta(days=7)


def seed_day(engine, now: datetime = NOW) -> dict[str, int]:
    """Six conversations, their times counted back from `now` (the browser test passes the real
    clock's, which the dashboard reads the queue with); returns each one's first mention id by name."""

    def _post(key: str, text: str, ago: timedelta, author: str, priority: float, n: int = 0) -> tuple[Mention, float]:
        return Mention("x", f"{key}-{n}", text, now - ago, Author(author), brand="Acme", lang="pl",
                       conversation_key=key), priority

    posts = [
        _post("six-days", "acme nie działa od tygodnia", timedelta(days=6), "anna", 55),
        _post("five-days", "zwrot pieniędzy nadal nie przyszedł", timedelta(days=5), "jan", 50),
        _post("two-hours", "app crashes on login", timedelta(hours=2), "famous", 90),
        _post("ten-minutes", "jak zmienić adres?", timedelta(minutes=10), "ola", 20),
        _post("thanks", "zamówienie nie doszło", timedelta(days=1), "kuba", 95),
        _post("thanks", "Super, dzięki za pomoc", timedelta(hours=8), "kuba", 60, 1),
        _post("answered", "nie mogę się zalogować", timedelta(days=2), "ewa", 99),
    ]
    ids = ingest(engine, [mention for mention, _ in posts]).inserted_ids
    with engine.begin() as connection:
        for mention_id, (_, priority) in zip(ids, posts):
            connection.execute(MENTION.update().where(MENTION.c.id == mention_id).values(priority=priority))
    names = ["six-days", "five-days", "two-hours", "ten-minutes", "thanks", "thanks-2", "answered"]
    named = dict(zip(names, ids))
    actions.record_manual_reply(engine, named["thanks"], "Wysłaliśmy ponownie", "Ola", now=now - timedelta(hours=20))
    actions.record_manual_reply(engine, named["answered"], "Proszę spróbować teraz", "Ola",
                                now=now - timedelta(days=1))
    return named


@pytest.fixture
def day(sqlite_engine):
    return sqlite_engine, seed_day(sqlite_engine)


def _keys(frame) -> list[str]:
    return frame["author"].to_list()


def test_needs_reply_puts_the_longest_waiting_complaints_first_and_thanks_last(day):
    engine, _ = day
    frame = queue.queue(engine, 60, now=NOW)
    assert _keys(frame) == ["anna", "jan", "famous", "ola", "kuba"]
    assert frame["needs_reply"].all() and frame["closing"].to_list() == [False] * 4 + [True]
    assert frame["priority"].to_list()[-1] == 60  # the thank-you's own priority, not the answered complaint's


def test_our_reply_last_is_waiting_on_the_customer(day):
    engine, _ = day
    waiting = queue.queue(engine, 60, now=NOW, view="waiting-on-customer")
    assert _keys(waiting) == ["ewa"] and not waiting["needs_reply"].any()
    everything = queue.queue(engine, 60, now=NOW, view="all")
    assert _keys(everything) == ["anna", "jan", "famous", "ola", "kuba", "ewa"]
    with pytest.raises(ValueError, match="view must be one of"):
        queue.queue(engine, 60, now=NOW, view="mine")


def test_a_complaint_six_days_old_outranks_a_fresh_high_priority_one_whatever_the_weights(day):
    engine, _ = day
    heavy = UrgencyWeights(priority_weight=5.0, waiting_weight=0.0)
    assert _keys(queue.queue(engine, 60, now=NOW, weights=heavy))[:3] == ["anna", "jan", "famous"]
    hourly = UrgencyWeights(band_hours=1.0)  # every overdue hour is its own band
    assert _keys(queue.queue(engine, 60, now=NOW, weights=hourly))[-1] == "kuba"


def test_a_new_question_after_thanks_needs_a_reply_again(day):
    engine, _ = day
    ingest(engine, [Mention("x", "thanks-2b", "dzięki, ale dalej nie działa?", NOW - timedelta(hours=1),
                            Author("kuba"), brand="Acme", conversation_key="thanks")])
    frame = queue.queue(engine, 60, now=NOW)
    kuba = frame.filter(frame["author"] == "kuba")
    assert not kuba["closing"].item()
    assert _keys(frame).index("kuba") < _keys(frame).index("ola")  # overdue by hours beats within the SLA


def test_inbox_command_prints_the_queue_in_the_dashboards_order(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(db)
    upgrade(engine)
    seed_day(engine)
    base = ["--config", str(tmp_path / "none.yaml"), "--db", db]
    assert main([*base, "inbox", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["count"] == 5 and out["conversations"][0]["author"] == "anna"
    first = out["conversations"][0]
    assert set(first) >= {"id", "brand", "source", "status", "needs_reply", "priority", "waiting_s", "sla_left_s",
                          "sentiment", "author", "preview"}
    assert first["needs_reply"] is True and first["priority"] == 55 and isinstance(first["waiting_s"], int)
    assert first["waiting_s"] >= 6 * 86400 and first["sla_left_s"] < 0
    assert out["conversations"][-1]["preview"] == "Super, dzięki za pomoc"
    assert main([*base, "inbox", "--view", "waiting-on-customer", "--json"]) == 0
    assert [c["author"] for c in json.loads(capsys.readouterr().out)["conversations"]] == ["ewa"]
    assert main([*base, "inbox", "--view", "all", "--limit", "2"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["#", "priority", "waiting", "SLA"]
    assert "anna" in table[1] and "overdue " in table[1] and " 55 " in table[1]  # the clock is the real one
    assert table[-1] == "2 of 6 conversations"
    with engine.connect() as connection:  # reading the queue changes nothing
        assert connection.execute(sa.select(sa.func.count()).select_from(schema.ReplyRow.__table__)).scalar() == 2


def test_on_the_demo_data_no_answered_thread_or_thank_you_sits_above_an_unanswered_complaint(tmp_path, capsys,
                                                                                             monkeypatch):
    """The order a community manager sees, checked on generated demo data against the database
    itself: needs-reply first, every one of them with the customer's word last, thank-yous below
    every real question, and a conversation overdue by more days never below one overdue by fewer."""
    monkeypatch.delenv("NASLUCH_DB", raising=False)
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    base = ["--config", "config.yaml", "--db", db]
    assert main([*base, "demo", "--no-dashboard", "--no-score", "--mentions", "3000"]) == 0
    capsys.readouterr()
    assert main([*base, "inbox", "--view", "all", "--limit", "100000", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["conversations"]
    assert main([*base, "inbox", "--limit", "100000", "--json"]) == 0
    default = json.loads(capsys.readouterr().out)["conversations"]

    flags = [row["needs_reply"] for row in rows]
    assert any(flags) and not all(flags) and flags == sorted(flags, reverse=True)  # needs-reply first
    needing = [row for row in rows if row["needs_reply"]]
    assert [row["id"] for row in default] == [row["id"] for row in needing]  # the default view is that part
    closing = [row["closing"] for row in needing]
    assert closing == sorted(closing)  # thank-yous after every real question
    day = 86400
    bands = [0 if row["sla_left_s"] >= 0 else 1 + (-row["sla_left_s"]) // day for row in needing if not row["closing"]]
    assert bands == sorted(bands, reverse=True) and bands[0] >= 2  # the demo has conversations days overdue

    engine = make_engine(db)
    with engine.connect() as connection:
        last_customer = dict(connection.execute(sa.text(
            "SELECT conversation_id, max(created_at) FROM mention GROUP BY conversation_id")).all())
        last_ours = dict(connection.execute(sa.text(
            "SELECT conversation_id, max(created_at) FROM reply WHERE state = 'sent' GROUP BY conversation_id")).all())
    engine.dispose()
    answered = [row["id"] for row in needing if row["id"] in last_ours and last_ours[row["id"]] > last_customer[row["id"]]]
    assert answered == []  # our reply is never the last word of a conversation said to need one
    waiting = [row for row in rows if not row["needs_reply"] and row["id"] in last_ours]
    assert waiting and all(last_ours[row["id"]] >= last_customer[row["id"]] for row in waiting)
