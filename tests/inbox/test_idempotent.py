"""A double click or a repeated form submission stores one row and never moves an earlier answer."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from monitor.inbox import actions, queue
from monitor.store import schema
from responders import SendResult
from tests.inbox.conftest import SENT, T0, ScriptedResponder

REPLY = schema.ReplyRow.__table__
NOTE = schema.NoteRow.__table__
AUDIT = schema.AuditEntryRow.__table__
MENTION = schema.MentionRow.__table__


def _count(engine, table, *where) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def _conversation(engine, mention_id: int) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(MENTION.c.conversation_id).where(MENTION.c.id == mention_id)).scalar()


def test_posted_by_hand_twice_is_one_reply_at_the_first_time(seeded):
    engine, ids = seeded
    first = actions.record_manual_reply(engine, ids["bob"], "Sorry, fixed", "Ola", now=T0 + timedelta(minutes=30))
    again = actions.record_manual_reply(engine, ids["bob"], "Sorry, fixed", "Ola", now=T0 + timedelta(hours=3))
    assert again == first and _count(engine, REPLY) == 1
    answered = queue.sla_status(engine, _conversation(engine, ids["bob"]), 60, T0 + timedelta(hours=4))["answered_at"]
    assert answered == T0 + timedelta(minutes=30)
    assert _count(engine, AUDIT, AUDIT.c.action == "reply.manual") == 1
    token = actions.record_manual_reply(engine, ids["ewa"], "one", "Ola", token="form-1")
    assert actions.record_manual_reply(engine, ids["ewa"], "one (edited)", "Ola", token="form-1") == token
    assert _count(engine, REPLY) == 2


def test_send_twice_with_one_token_posts_once(seeded):
    engine, ids = seeded
    responder = ScriptedResponder([SENT, SendResult(True, remote_id="https://social.example/users/acme/statuses/333")])
    first = actions.send_reply(engine, ids["kasia2"], "Cześć", "Ola", [responder], now=T0 + timedelta(minutes=20),
                               token="send-abc")
    again = actions.send_reply(engine, ids["kasia2"], "Cześć", "Ola", [responder], now=T0 + timedelta(minutes=50),
                               token="send-abc")
    assert again.reply_id == first.reply_id and again.state == "sent" and len(responder.posts) == 1
    assert responder.posts[0][0] == "send-abc"  # the token is the network's idempotency key too
    with engine.connect() as connection:
        assert connection.execute(sa.select(REPLY.c.created_at)).scalars().all() == [T0 + timedelta(minutes=20)]
    other = actions.send_reply(engine, ids["kasia2"], "Cześć", "Ola", [responder], token="send-def")
    assert other.reply_id != first.reply_id and len(responder.posts) == 2  # a new submission is a new reply


def test_a_note_submitted_twice_is_stored_once(seeded):
    engine, ids = seeded
    conversation = _conversation(engine, ids["bob"])
    first = actions.add_note(engine, conversation, "Ola", "called him", token="note-1")
    assert actions.add_note(engine, conversation, "Ola", "called him", token="note-1") == first
    assert _count(engine, NOTE) == 1 and _count(engine, AUDIT, AUDIT.c.action == "note.added") == 1
    actions.add_note(engine, conversation, "Ola", "called him")  # no token: a new note each time
    assert _count(engine, NOTE) == 2


def test_closing_twice_changes_and_audits_once(seeded):
    engine, ids = seeded
    conversation = _conversation(engine, ids["bob"])
    assert actions.set_status(engine, conversation, "closed", "Ola") is True
    assert actions.set_status(engine, conversation, "closed", "Ola") is False
    assert _count(engine, AUDIT, AUDIT.c.action == "status.changed") == 1
    assert queue.conversation(engine, conversation)["status"] == "closed"
