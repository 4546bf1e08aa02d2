"""End to end against a Graph-shaped server on 127.0.0.1: collect a page's comments, reply through
the outbox while the first answer is lost, and follow edits, deletions and hiding on the network.

The outcome that matters: exactly one reply on the server and one `sent` reply in the outbox;
one row per comment however often it is read, edited or deleted; a hidden comment kept, marked,
and in the audit log; an expired token shown as "needs a new token" at once.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from monitor.config import load
from monitor.inbox import moderation, outbox, queue
from monitor.jobs import collect
from monitor.store import schema
from monitor.store.engine import make_engine, upgrade
from responders import build_responders
from tests.meta.graph_server import GraphServer

PAGE = "104857392011"
POST = f"{PAGE}_555001"
KASIA, JAN = ("7010", "Kasia Nowak"), ("7020", "Jan Kowalski")
TOKEN = "EAAlocalpagetoken"
MENTION = schema.MentionRow.__table__
REPLY = schema.ReplyRow.__table__
AUDIT = schema.AuditEntryRow.__table__


def _config(tmp_path, url: str):
    path = tmp_path / "config.yaml"
    path.write_text(
        "brands: [{name: Acme, queries: [acme]}]\n"
        "sources:\n"
        f"  - {{type: facebook, name: fb-acme, page_id: '{PAGE}', page_access_token: {{$env: FB_PAGE_TOKEN}},"
        f" base_url: '{url}', api_version: v23.0, brand: Acme}}\n"
        "responders:\n"
        f"  - {{network: facebook, page_id: '{PAGE}', page_access_token: {{$env: FB_PAGE_TOKEN}},"
        f" base_url: '{url}', timeout_seconds: 0.5}}\n", encoding="utf-8")
    return load(path)


def _world(server: GraphServer) -> None:
    """A page post with four comments (two pages of them): one does not say "acme" but is on the
    brand's own page, so it is kept (`brand: Acme`)."""
    start = datetime.now(timezone.utc) - timedelta(hours=2)
    server.add_post(POST, "Nowa kolekcja Acme!", start)
    server.add_comment("555001_9001", POST, "acme: zamówienie 1234 nie doszło", start + timedelta(minutes=5), KASIA)
    server.add_comment("555001_9002", POST, "Gdzie moja paczka?", start + timedelta(minutes=6), JAN)
    server.add_comment("555001_9003", POST, "Dalej nic...", start + timedelta(minutes=7), KASIA, parent="555001_9001")
    server.add_comment("555001_9004", POST, "kup followersów www.spam.example", start + timedelta(minutes=8),
                       ("7099", "Spam Bot"))


def _mentions(engine) -> dict[str, sa.Row]:
    with engine.connect() as connection:
        return {row.external_id: row for row in connection.execute(sa.select(MENTION))}


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'meta.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("lose", ["drop", "stall"])
def test_collect_reply_once_despite_a_lost_answer(engine, tmp_path, monkeypatch, lose):
    monkeypatch.setenv("FB_PAGE_TOKEN", TOKEN)
    with GraphServer(PAGE, TOKEN, lose_first=lose) as server:
        _world(server)
        config = _config(tmp_path, server.url)
        assert collect.collect_once(engine, config)["fb-acme"] == {"fetched": 4, "inserted": 4, "skipped": 0, "error": None}
        stored = _mentions(engine)
        assert stored["555001_9003"].in_reply_to == "555001_9001"
        assert len({row.conversation_id for row in stored.values()}) == 1  # one conversation per post

        responders = build_responders(config.responders)
        reply_id = outbox.queue_reply(engine, stored["555001_9003"].id, "Cześć Kasiu, sprawdzamy.", "Ola")
        first = outbox.send_now(engine, reply_id, responders)
        assert first.state == "queued" and first.error_kind == "lost"
        assert len(server.created) == 1  # the server did take it

        later = datetime.now(timezone.utc) + timedelta(minutes=5)
        assert outbox.send_due(engine, responders, "worker", now=later)["sent"] == 1
        assert outbox.send_due(engine, responders, "worker", now=later + timedelta(hours=1))["sent"] == 0

        assert len(server.created) == 1
        reply = server.created[0]
        assert reply["parent"] == {"id": "555001_9001"}  # under the top-level comment, as Facebook threads go
        assert ("POST", "/v23.0/555001_9001/comments") in server.requests
        with engine.connect() as connection:
            rows = connection.execute(sa.select(REPLY.c.state, REPLY.c.external_id)).all()
        assert [tuple(row) for row in rows] == [("sent", reply["id"])]
        with engine.connect() as connection:
            sent = connection.execute(sa.select(AUDIT.c.detail).where(AUDIT.c.action == "reply.sent")).scalar_one()
        assert sent["found_on_network"] is True  # settled by looking, not by posting again

        # our reply is now among the post's comments: the next round does not take it for a mention
        assert collect.collect_once(engine, config)["fb-acme"]["inserted"] == 0
    assert len(_mentions(engine)) == 4


def test_edits_deletions_and_hiding_update_rows_never_duplicate(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("FB_PAGE_TOKEN", TOKEN)
    with GraphServer(PAGE, TOKEN) as server:
        _world(server)
        config = _config(tmp_path, server.url)
        collect.collect_once(engine, config)
        before = _mentions(engine)

        server.edit("555001_9001", "acme: zamówienie 1234 doszło, dziękuję!")
        server.delete("555001_9002")
        assert collect.collect_once(engine, config)["fb-acme"]["inserted"] == 0
        after = _mentions(engine)
        assert set(after) == set(before)  # nothing duplicated, nothing removed
        edited, deleted = after["555001_9001"], after["555001_9002"]
        assert edited.text == "acme: zamówienie 1234 doszło, dziękuję!" and edited.edited_at is not None
        assert edited.id == before["555001_9001"].id and edited.sentiment is None  # to be scored again
        assert deleted.deleted_at is not None and deleted.text == "Gdzie moja paczka?"
        assert after["555001_9003"].deleted_at is None and after["555001_9003"].edited_at is None

        spam = after["555001_9004"]
        responders = build_responders(config.responders)
        assert moderation.can_hide(responders, "facebook") and not moderation.can_hide(responders, "x")
        outcome = moderation.set_hidden(engine, spam.id, True, "Ola", responders, reason="spam")
        assert outcome.done and outcome.hidden
        assert server.comments["555001_9004"]["is_hidden"] is True
        collect.collect_once(engine, config)  # the network still shows it to the page, marked hidden

    final = _mentions(engine)
    assert final["555001_9004"].hidden and final["555001_9004"].deleted_at is None
    assert len(final) == 4
    thread = queue.thread(engine, spam.conversation_id)
    assert spam.id in thread.filter(thread["kind"] == "customer")["id"].to_list()  # still in the conversation
    assert moderation.marks(engine, [spam.id])[spam.id]["hidden"] is True
    with engine.connect() as connection:
        entry = connection.execute(sa.select(AUDIT).where(AUDIT.c.action == "mention.hidden")).one()
    assert entry.actor == "Ola" and entry.target == f"mention:{spam.id}"
    assert entry.detail == {"source": "facebook", "external_id": "555001_9004", "reason": "spam"}


def test_a_failed_hide_changes_nothing_but_is_audited(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("FB_PAGE_TOKEN", TOKEN)
    with GraphServer(PAGE, TOKEN) as server:
        _world(server)
        config = _config(tmp_path, server.url)
        collect.collect_once(engine, config)
        spam = _mentions(engine)["555001_9004"]
        server.token = "rotated"  # our token no longer works
        outcome = moderation.set_hidden(engine, spam.id, True, "Ola", build_responders(config.responders))
    assert not outcome.done and outcome.error_kind == "auth" and "needs a new token" in outcome.message
    assert not _mentions(engine)["555001_9004"].hidden
    with engine.connect() as connection:
        assert connection.execute(sa.select(AUDIT.c.action).where(AUDIT.c.target == f"mention:{spam.id}")
                                  ).scalars().all() == ["mention.hide_failed"]


def test_an_expired_token_shows_on_the_health_page_at_once(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("FB_PAGE_TOKEN", "EAAexpired")
    with GraphServer(PAGE, TOKEN) as server:
        config = _config(tmp_path, server.url)
        result = collect.collect_once(engine, config)["fb-acme"]
        health = collect.health(engine, config)["fb-acme"]
    assert result["error"].startswith("needs a new token")
    assert health["status"] == "needs new credentials" and health["last_error"].startswith("needs a new token")
    assert "EAAexpired" not in health["last_error"]
