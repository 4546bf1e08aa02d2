"""`collect_source` isolates each source: an unexpected exception becomes that source's recorded
error (secrets masked), malformed items are counted, a round of nothing but malformed items is an
error that keeps the cursor where it was."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.base import Collector, Fetched
from collectors.rss import RssSettings
from monitor.config import build
from monitor.jobs import collect
from monitor.mention import Author, Mention
from networks.http import map_items

TOKEN = "made-up-secret-token-4711"


class Scripted(Collector):
    """A collector whose behaviour is chosen by the source's name."""

    type = "rss"
    Settings = RssSettings

    def fetch(self, cursor, terms):
        name = self.settings.name
        if name == "boom":
            raise KeyError(f"token {TOKEN} not in answer")
        items = [{"text": "acme one"}, {"txt": "renamed field"}, {"text": "acme two"}]
        if name == "all-bad":
            items = [{"txt": "a"}, {"txt": "b"}]
        mentions = map_items(items, lambda item: _mention(name, item["text"]), "thing")
        return Fetched(mentions, {"seen": len(items)})


def _mention(name: str, text: str) -> Mention:
    return Mention(source="rss", source_name=name, external_id=f"{name}:{text}", text=text,
                   created_at=datetime(2026, 12, 3, tzinfo=timezone.utc), author=Author(handle="someone"))


@pytest.fixture
def config(monkeypatch):
    monkeypatch.setitem(collect.REGISTRY, "rss", Scripted)
    sources = [{"type": "rss", "name": name, "url": f"http://127.0.0.1:9/{name}.rss"}
               for name in ("boom", "fine", "all-bad")]
    sources.append({"type": "discourse", "name": "forum", "base_url": "http://127.0.0.1:9",
                    "api_key": {"$env": "FORUM_KEY"}, "search": False})
    return build({"brands": [{"name": "Acme", "queries": ["acme"]}], "sources": sources},
                 environ={"FORUM_KEY": TOKEN})


def test_an_unexpected_exception_is_that_sources_error_only(sqlite_engine, config, caplog):
    plan = collect.Plan.of(config)
    summary = {source.name: collect.collect_source(sqlite_engine, source, plan, None).as_json()
               for source in config.sources if source.type == "rss"}
    assert summary["boom"]["error"].startswith("unexpected error in the rss collector (KeyError")
    assert TOKEN not in summary["boom"]["error"] and "[secret]" in summary["boom"]["error"]
    assert TOKEN not in caplog.text and "Traceback" in caplog.text
    assert summary["fine"] == {"fetched": 2, "inserted": 2, "skipped": 1, "error": None}
    report = collect.health(sqlite_engine, config)
    assert report["boom"]["status"] == "failing" and "[secret]" in report["boom"]["last_error"]
    assert report["fine"]["status"] == "ok"


def test_a_round_of_nothing_but_malformed_items_is_an_error_and_keeps_the_cursor(sqlite_engine, config):
    (source,) = [s for s in config.sources if s.name == "all-bad"]
    result = collect.collect_source(sqlite_engine, source, collect.Plan.of(config), None)
    assert result.skipped == 2 and result.fetched == 0
    assert result.error == ("could not read the network's answer: none of the 2 items could be read: "
                            "thing without the field 'text' (2x)")
    assert collect.load_state(sqlite_engine, "all-bad", "rss")["cursor"] == {}


def test_two_workers_saving_a_new_sources_first_state_at_once_both_succeed(engine):
    """Seen with two `nasluch run` workers on PostgreSQL: both found no state row for a new source,
    both inserted, one failed on the key. The save is one upsert now: the second waits for the
    first and updates its row."""
    import threading
    import time

    import sqlalchemy as sa

    first = engine.connect()
    transaction = first.begin()
    first.execute(collect.STATE.insert().values(name="feed", type="rss", cursor={"etag": "a"}))  # not committed
    errors: list[BaseException] = []

    def second_worker():
        try:
            collect.save_state(engine, "feed", "rss", cursor={"etag": "b"})
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    worker = threading.Thread(target=second_worker)
    worker.start()
    if engine.dialect.name == "postgresql":  # wait until the second insert is blocked on the first
        # pg_stat_activity is read once per transaction (a snapshot): a new transaction each look
        deadline, blocked = time.monotonic() + 30, 0
        with engine.connect() as watcher:
            while time.monotonic() < deadline and not blocked:
                blocked = watcher.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")).scalar()
                watcher.rollback()
                time.sleep(0.02)
        assert blocked, "the second worker's save never waited for the first's uncommitted row"
    else:
        worker.join(0.3)  # SQLite: the writer lock is held; the second statement waits for it
    transaction.commit()
    first.close()
    worker.join(60)
    assert not worker.is_alive() and errors == []
    assert collect.load_state(engine, "feed", "rss")["cursor"] == {"etag": "b"}
