""""Need a reply" and "open" mean the same on the Response times page and in the Inbox."""
from __future__ import annotations

from datetime import timedelta

from monitor.inbox import outbox
from monitor.inbox.queue import QueueFilter, conversation_states, counters, queue
from monitor.reports.response_times import UNASSIGNED, response_times
from monitor.store import schema
from monitor.store.engine import make_engine, upgrade
from tests.inbox.conftest import SENT, T0, ScriptedResponder, seed


def test_unanswered_and_open_are_the_inbox_counts(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'rt.db'}")
    upgrade(engine)
    ids = seed(engine)
    reply_id = outbox.queue_reply(engine, ids["kasia"], "Cześć", "Ola", now=T0 + timedelta(minutes=10))
    outbox.send_now(engine, reply_id, [ScriptedResponder([SENT])], "w", now=T0 + timedelta(minutes=12))
    report = response_times(engine, 60)
    inbox = counters(queue(engine, 60, QueueFilter(), now=T0 + timedelta(hours=2), view="needs-reply"))
    everything = counters(queue(engine, 60, QueueFilter(), now=T0 + timedelta(hours=2), view="all"))
    assert report["unanswered"] == inbox["needs_reply"] == inbox["open"] > 0
    assert report["open"] == everything["open"]
    states = conversation_states(engine)
    assert report["unanswered"] == states.filter("unanswered").height
    # answered by Ola: counted as answered for her; the rest belong to nobody yet
    assert report["by_agent"]["Ola"]["count"] == 1 and report["by_agent"]["Ola"]["unanswered"] == 0
    assert report["by_agent"][UNASSIGNED]["unanswered"] == report["unanswered"]
    waiting = states.filter("unanswered")["conversation_id"][0]
    conversations = schema.ConversationRow.__table__
    with engine.begin() as connection:
        connection.execute(conversations.update().where(conversations.c.id == waiting).values(assignee="Marek"))
    by_agent = response_times(engine, 60)["by_agent"]
    assert by_agent["Marek"]["unanswered"] == 1 and by_agent["Marek"]["count"] == 0
    assert by_agent[UNASSIGNED]["unanswered"] == report["unanswered"] - 1
