"""Two `nasluch run` workers on one PostgreSQL database, collecting the same sources and sending
the same outbox: every mention stored once, every reply posted once (claims use SKIP LOCKED)."""
from __future__ import annotations

import signal
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from monitor.inbox.outbox import queue_reply
from monitor.mention import Author, Mention
from monitor.store.engine import make_engine, upgrade
from monitor.store.ingest import ingest
from tests.faults.helpers import integrity, nasluch, scalar, wait_for
from tests.faults.test_kill import StallingWeb
from tests.inbox.mastodon_server import MastodonServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
REPLIES = 60


def _queue_replies(db: str) -> None:
    engine = make_engine(db)
    upgrade(engine)
    t0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
    posts = [Mention("mastodon", str(1000 + i), f"acme {i}?", t0 + timedelta(minutes=i), Author(f"kasia{i}@social.example"))
             for i in range(REPLIES)]
    for mention_id in ingest(engine, posts).inserted_ids:
        queue_reply(engine, mention_id, f"answer to {mention_id}", "Ola")
    engine.dispose()


def test_two_workers_never_store_or_send_anything_twice(postgres_server, tmp_path, cache_dir):
    from tests.conftest import _postgres_database

    db = _postgres_database(postgres_server)
    _queue_replies(db)
    web = StallingWeb(items=300)
    web.stall = False
    with MastodonServer({}) as mastodon:
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump({
            "brands": [{"name": "Acme", "queries": ["acme"]}],
            "sources": [{"type": "rss", "name": "feed", "url": f"{web.url}/feed.rss", "every": "2s"},
                        {"type": "discourse", "name": "forum", "base_url": web.url, "latest": True, "search": False,
                         "every": "2s"}],
            "responders": [{"network": "mastodon", "base_url": mastodon.url, "access_token": {"$env": "MASTODON_TOKEN"}}],
        }))
        workers = [nasluch("run", config=config, db=db, env={"MASTODON_TOKEN": "test-token"}) for _ in range(2)]
        try:
            sent = "SELECT count(*) FROM reply WHERE state = 'sent'"
            wait_for(lambda: scalar(db, sent) == REPLIES, 90, "every reply sent", workers[0])
            wait_for(lambda: scalar(db, "SELECT count(*) FROM mention") == REPLIES + 350, 30, "both sources collected")
            claimed_by = scalar(db, "SELECT count(DISTINCT claimed_by) FROM reply_delivery")
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            errors = [worker.communicate(timeout=60)[1] for worker in workers]
        web.httpd.shutdown()
    assert [w.returncode for w in workers] == [0, 0], errors
    keys = Counter(post["key"] for post in mastodon.posts)
    assert len(mastodon.statuses) == REPLIES and max(keys.values()) == 1, "a reply was posted twice"
    assert integrity(db) == {"mentions": REPLIES + 350, "distinct": REPLIES + 350, "rollup": REPLIES + 350, "orphans": 0}
    assert scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'reply.sent'") == REPLIES
    assert claimed_by == 0  # every claim was released after its send
    tracebacks = [err[max(0, err.index("Traceback") - 300):err.index("Traceback") + 3000] for err in errors
                  if "Traceback" in err]
    assert not tracebacks, "\n---\n".join(tracebacks)
