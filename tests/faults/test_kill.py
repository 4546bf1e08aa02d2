"""kill -9 in the middle of work, then run it again: exact final counts, no duplicates, the
hourly rollup equal to the rows, every source's cursor saved (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import signal
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from tests.faults.helpers import integrity, nasluch, scalar, wait_for

pytestmark = pytest.mark.slow
ROWS = 100_000
T0 = datetime(2025, 3, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory):
    """~100k mentions in Nasłuch's own export format, across threads, hours and sources."""
    path = tmp_path_factory.mktemp("import") / "big.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(ROWS):
            record = {"kind": "mention", "source": ("x", "reddit", "mastodon")[i % 3], "external_id": f"m{i}",
                      "author": {"handle": f"user{i % 997}"}, "text": f"acme post {i} nie działa",
                      "created_at": (T0 + timedelta(seconds=37 * i)).isoformat(), "lang": "pl", "brand": "Acme",
                      "conversation_key": f"t{i // 4}"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def test_import_killed_after_its_first_batch_completes_exactly_on_rerun(any_db, big_jsonl, tmp_path):
    config = tmp_path / "none.yaml"
    first = nasluch("import", str(big_jsonl), "--format", "jsonl", "--json", config=config, db=any_db)
    try:
        wait_for(lambda: scalar(any_db, "SELECT count(*) FROM mention") > 0, 180, "the first committed batch", first)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    committed = integrity(any_db)
    assert 0 < committed["mentions"] < ROWS, "killed too late to prove anything"
    assert committed["mentions"] == committed["distinct"] == committed["rollup"] and committed["orphans"] == 0

    second = nasluch("import", str(big_jsonl), "--format", "jsonl", "--json", config=config, db=any_db)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err[-2000:]
    summary = json.loads(out)
    assert summary["inserted"] == ROWS - committed["mentions"] and summary["duplicates"] == committed["mentions"]
    assert integrity(any_db) == {"mentions": ROWS, "distinct": ROWS, "rollup": ROWS, "orphans": 0}
    threads = {(("x", "reddit", "mastodon")[i % 3], i // 4) for i in range(ROWS)}
    assert scalar(any_db, "SELECT count(*) FROM conversation") == len(threads)  # no thread made twice


class StallingWeb:
    """A feed that answers at once and a forum whose first answer never comes (until killed)."""

    def __init__(self, items: int) -> None:
        self.items, self.stall, self.forum_asked = items, True, threading.Event()
        web = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.startswith("/feed.rss"):
                    body = web.feed()
                elif self.path.startswith("/posts.json"):
                    web.forum_asked.set()
                    if web.stall:
                        time.sleep(60)  # the worker is killed while waiting here
                        return
                    body = web.posts()
                else:
                    body = b"{}"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def feed(self) -> bytes:
        items = "".join(f"<item><title>Acme {i}</title><link>{self.url}/p/{i}</link><guid>{self.url}/p/{i}</guid>"
                        f"<description>acme {i}</description><pubDate>Thu, 05 Nov 2026 12:{i % 60:02d}:00 +0000</pubDate>"
                        f"</item>" for i in range(self.items))
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()

    def posts(self) -> bytes:
        posts = [{"id": 9000 + i, "name": "A", "username": f"u{i}", "created_at": "2026-11-05T18:31:10.000Z",
                  "cooked": f"<p>acme {i}</p>", "post_number": i + 2, "reply_to_post_number": None,
                  "topic_id": 88, "topic_slug": "t", "topic_title": "T"} for i in range(50)]
        return json.dumps({"latest_posts": posts}).encode()


def test_collection_round_killed_midway_loses_and_doubles_nothing(any_db, tmp_path):
    web = StallingWeb(items=400)
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"brands": [{"name": "Acme", "queries": ["acme"]}], "sources": [
        {"type": "rss", "name": "feed", "url": f"{web.url}/feed.rss"},
        {"type": "discourse", "name": "forum", "base_url": web.url, "latest": True, "search": False}]}))
    first = nasluch("collect", "--once", "--json", config=config, db=any_db)
    try:
        wait_for(web.forum_asked.is_set, 120, "the second source's request", first)
        wait_for(lambda: scalar(any_db, "SELECT count(*) FROM mention") == 400, 30, "the feed's mentions")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    # killed right after the feed's batch was committed: its cursor may or may not be saved yet, and
    # either way the rerun must end with the same rows
    web.stall = False
    second = nasluch("collect", "--once", "--json", config=config, db=any_db)
    out, err = second.communicate(timeout=120)
    web.httpd.shutdown()
    assert second.returncode == 0, err[-2000:]
    summary = json.loads(out)
    assert summary["forum"] == {"fetched": 50, "inserted": 50, "skipped": 0, "error": None}
    assert summary["feed"]["inserted"] == 0  # re-read (or 304'd): nothing stored twice
    assert integrity(any_db) == {"mentions": 450, "distinct": 450, "rollup": 450, "orphans": 0}
    assert scalar(any_db, "SELECT count(*) FROM sourcestate WHERE last_success IS NOT NULL AND last_error IS NULL") == 2
