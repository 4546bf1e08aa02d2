"""The outbox: stored before any call, sent once, failures typed and never retried blindly."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from monitor.inbox import outbox
from monitor.store import schema
from monitor.store.engine import make_engine
from responders import SendResult
from tests.inbox.conftest import SENT, T0, ScriptedResponder, seed

REPLY = schema.ReplyRow.__table__
AUDIT = schema.AuditEntryRow.__table__


def _audit(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(AUDIT.c.action).order_by(AUDIT.c.id)).scalars())


def test_reply_is_stored_queued_before_any_network_call(seeded):
    engine, ids = seeded
    reply_id = outbox.queue_reply(engine, ids["kasia2"], "Cześć", "Ola", now=T0)
    outcome = outbox.reply_outcome(engine, reply_id)
    assert outcome.state == "queued" and outcome.source == "mastodon"
    with engine.connect() as connection:
        row = connection.execute(sa.select(REPLY).where(REPLY.c.id == reply_id)).one()
    assert row.agent == "Ola" and len(row.idempotency_key) == 32
    assert row.in_reply_to == "https://fosstodon.org/users/kasia/statuses/112"
    assert _audit(engine) == ["reply.queued"]


def test_sent_reply_keeps_remote_id_and_is_audited(seeded):
    engine, ids = seeded
    responder = ScriptedResponder([SENT])
    reply_id = outbox.queue_reply(engine, ids["kasia"], "Cześć", "Ola", now=T0)
    outcome = outbox.send_now(engine, reply_id, [responder], "w1", now=T0 + timedelta(minutes=1))
    assert outcome.state == "sent" and outcome.remote_id == SENT.remote_id and outcome.url == SENT.url
    assert outbox.send_due(engine, [responder], "w1", now=T0 + timedelta(hours=1)) == {"sent": 0, "failed": 0, "queued": 0}
    assert len(responder.posts) == 1 and _audit(engine)[-1] == "reply.sent"


def test_definite_failure_keeps_the_networks_reason_and_is_not_retried(seeded):
    engine, ids = seeded
    refused = SendResult(False, error_kind="rejected", message="HTTP 422: Text character limit of 500 exceeded")
    responder = ScriptedResponder([refused])
    reply_id = outbox.queue_reply(engine, ids["kasia"], "x" * 600, "Ola", now=T0)
    outcome = outbox.send_now(engine, reply_id, [responder], "w1", now=T0)
    assert outcome.state == "failed" and "character limit" in outcome.error and outcome.error_kind == "rejected"
    outbox.send_due(engine, [responder], "w1", now=T0 + timedelta(days=1))
    assert len(responder.posts) == 1
    assert outbox.requeue(engine, reply_id, "Ola") and outbox.reply_outcome(engine, reply_id).state == "queued"
    assert _audit(engine)[-2:] == ["reply.failed", "reply.requeued"]


def test_rate_limit_waits_for_the_network_then_sends(seeded):
    engine, ids = seeded
    responder = ScriptedResponder([SendResult(False, error_kind="rate_limited", message="429", retry_after=600), SENT])
    reply_id = outbox.queue_reply(engine, ids["kasia"], "hi", "Ola", now=T0)
    assert outbox.send_now(engine, reply_id, [responder], "w1", now=T0).state == "queued"
    outbox.send_due(engine, [responder], "w1", now=T0 + timedelta(minutes=5))
    assert len(responder.posts) == 1  # not due yet
    outbox.send_due(engine, [responder], "w1", now=T0 + timedelta(minutes=11))
    assert outbox.reply_outcome(engine, reply_id).state == "sent" and responder.lookups == 0


def test_lost_answer_without_idempotency_looks_before_posting_again(seeded):
    engine, ids = seeded
    lost = SendResult(False, error_kind="lost", message="no answer (ReadTimeout)")
    responder = ScriptedResponder([lost, SENT], found=SENT)
    reply_id = outbox.queue_reply(engine, ids["kasia"], "hi", "Ola", now=T0)
    assert outbox.send_now(engine, reply_id, [responder], "w1", now=T0).state == "queued"
    outbox.send_due(engine, [responder], "w1", now=T0 + timedelta(hours=1))
    assert responder.lookups == 1 and len(responder.posts) == 1  # found it: no second post
    assert outbox.reply_outcome(engine, reply_id).state == "sent"


def test_lost_answer_not_found_on_network_is_posted_again(seeded):
    engine, ids = seeded
    responder = ScriptedResponder([SendResult(False, error_kind="unavailable", message="HTTP 502"), SENT], found=None)
    reply_id = outbox.queue_reply(engine, ids["kasia"], "hi", "Ola", now=T0)
    outbox.send_now(engine, reply_id, [responder], "w1", now=T0)
    outbox.send_due(engine, [responder], "w1", now=T0 + timedelta(hours=1))
    assert responder.lookups == 1 and len(responder.posts) == 2
    assert outbox.reply_outcome(engine, reply_id).state == "sent"


def test_idempotent_network_repeats_the_same_key_within_its_window(seeded):
    engine, ids = seeded
    responder = ScriptedResponder([SendResult(False, error_kind="lost", message="timeout"), SENT], idempotent=True)
    reply_id = outbox.queue_reply(engine, ids["kasia"], "hi", "Ola", now=T0)
    outbox.send_now(engine, reply_id, [responder], "w1", now=T0)
    outbox.send_due(engine, [responder], "w1", now=T0 + timedelta(minutes=3))
    assert responder.lookups == 0 and [key for key, _ in responder.posts][0] == responder.posts[1][0]


def test_idempotent_network_past_its_window_looks_first(seeded):
    engine, ids = seeded
    responder = ScriptedResponder([SendResult(False, error_kind="lost", message="timeout")], idempotent=True,
                                  found=SENT)
    reply_id = outbox.queue_reply(engine, ids["kasia"], "hi", "Ola", now=T0)
    outbox.send_now(engine, reply_id, [responder], "w1", now=T0)
    outbox.send_due(engine, [responder], "w1", now=T0 + timedelta(hours=2))
    assert responder.lookups == 1 and len(responder.posts) == 1


def test_giving_up_on_an_uncertain_reply_says_so(seeded):
    engine, ids = seeded
    responder = ScriptedResponder([SendResult(False, error_kind="lost", message="timeout")], found=None)
    reply_id = outbox.queue_reply(engine, ids["kasia"], "hi", "Ola", now=T0)
    for hour in range(outbox.MAX_TRIES + 1):
        outbox.send_due(engine, [responder], "w1", now=T0 + timedelta(days=hour))
    outcome = outbox.reply_outcome(engine, reply_id)
    assert outcome.state == "failed" and "may have been posted" in outcome.error
    assert len(responder.posts) == outbox.MAX_TRIES


def test_a_worker_that_died_mid_send_leaves_an_uncertain_reply(seeded):
    engine, ids = seeded
    reply_id = outbox.queue_reply(engine, ids["kasia"], "hi", "Ola", now=T0)
    assert outbox.claim(engine, "dead-worker", now=T0) == [reply_id]
    responder = ScriptedResponder([SENT], found=SENT)
    outbox.send_due(engine, [responder], "w2", now=T0 + timedelta(minutes=1))
    assert responder.posts == [] and outbox.reply_outcome(engine, reply_id).state == "sending"
    outbox.send_due(engine, [responder], "w2", now=T0 + outbox.STALE_CLAIM + timedelta(minutes=1))
    assert responder.lookups == 1 and responder.posts == []
    assert outbox.reply_outcome(engine, reply_id).state == "sent"


def test_replies_for_networks_without_a_responder_stay_queued(seeded):
    engine, ids = seeded
    reply_id = outbox.queue_reply(engine, ids["bob"], "hi", "Ola", now=T0)
    outbox.send_due(engine, [ScriptedResponder([SENT])], "w1", now=T0)
    assert outbox.reply_outcome(engine, reply_id).state == "queued"


def test_two_workers_never_send_the_same_reply(db_url):
    """Four workers (threads, each with its own engine) drain one outbox on SQLite and PostgreSQL."""
    setup = make_engine(db_url)
    ids = seed(setup)
    replies = [outbox.queue_reply(setup, ids[name], f"reply {n}", "Ola", now=T0)
               for n in range(10) for name in ("kasia", "kasia2")]

    class Slow(ScriptedResponder):
        def send(self, target, text, key):
            time.sleep(0.01)  # widen the window in which a second worker could grab it
            return super().send(target, text, key)

    responder = Slow([SENT])
    responder.results = [SendResult(True, remote_id=None)]

    def work(name: str) -> None:
        engine = make_engine(db_url)
        for _ in range(10):
            outbox.send_due(engine, [responder], name, now=T0 + timedelta(minutes=1), limit=3)
        engine.dispose()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [key for key, _ in responder.posts]
    assert len(keys) == len(set(keys)) == len(replies)
    with setup.connect() as connection:
        states = connection.execute(sa.select(REPLY.c.state).where(REPLY.c.id.in_(replies))).scalars().all()
        sent_by = connection.execute(sa.select(AUDIT.c.actor).where(AUDIT.c.action == "reply.sent")).scalars().all()
    assert set(states) == {"sent"} and len(sent_by) == len(replies)
    setup.dispose()
