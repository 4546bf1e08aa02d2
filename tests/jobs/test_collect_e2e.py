"""End to end: a real HTTP server on 127.0.0.1 serves an RSS feed and a Discourse-shaped API;
`nasluch collect --once` stores the matching mentions, round after round."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from monitor.cli.main import main

ITEM = """<item><title>{title}</title><link>http://127.0.0.1/forum/{guid}</link><guid>http://127.0.0.1/forum/{guid}</guid>
<description>{body}</description><pubDate>Thu, 05 Nov 2026 1{n}:00:00 +0000</pubDate></item>"""


class FakeWeb:
    """Routes a test can change between rounds; counts requests per path."""

    def __init__(self) -> None:
        self.items = [("1", "Acme app", "Aplikacja Acme nie działa od rana"),
                      ("2", "Pogoda", "Jutro deszcz w Krakowie"),
                      ("3", "Acme refund", "Still waiting for my Acme refund")]
        self.etag = '"v1"'
        self.hits: dict[str, int] = {}

    def feed(self) -> bytes:
        entries = "".join(ITEM.format(guid=g, title=t, body=b, n=i % 10) for i, (g, t, b) in enumerate(self.items))
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Forum</title><language>pl</language>'
                f"{entries}</channel></rss>").encode()

    @staticmethod
    def posts() -> bytes:
        post = {"id": 7001, "name": "Anna", "username": "anna_k", "created_at": "2026-11-05T18:31:10.000Z",
                "cooked": "<p>Czy <b>Acme</b> wysyła do Rumunii?</p>", "post_number": 2,
                "reply_to_post_number": None, "topic_id": 88, "topic_slug": "wysylka", "topic_title": "Wysyłka"}
        other = dict(post, id=7002, post_number=3, username="jan", cooked="<p>Nie wiem</p>")
        own = dict(post, id=7003, post_number=4, username="acme_support", cooked="<p>Acme: tak, wysyłamy!</p>")
        return json.dumps({"latest_posts": [own, other, post]}).encode()


@pytest.fixture
def web():
    state = FakeWeb()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_GET(self):
            path = self.path.split("?")[0]
            state.hits[path] = state.hits.get(path, 0) + 1
            if path == "/feed.rss":
                if self.headers.get("If-None-Match") == state.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self._send(200, state.feed(), "application/rss+xml", {"ETag": state.etag})
            elif path == "/broken.rss":
                self._send(200, b"<html><body>502 Bad Gateway", "text/html")
            elif path == "/posts.json":
                self._send(200, state.posts(), "application/json")
            else:
                self._send(404, b"not found", "text/plain")

        def _send(self, status, body, kind, headers=None):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def nasluch(tmp_path, web, capsys, monkeypatch):
    monkeypatch.delenv("NASLUCH_DB", raising=False)
    monkeypatch.delenv("FORUM_KEY", raising=False)
    config = {
        "brands": [{"name": "Acme", "queries": ["acme"], "handles": ["@acme_support"]}],
        "sources": [
            {"type": "rss", "name": "forum-feed", "url": f"{web.base}/feed.rss", "every": "5m"},
            {"type": "discourse", "name": "forum", "base_url": web.base, "search": False, "latest": True},
            {"type": "rss", "name": "broken-feed", "url": f"{web.base}/broken.rss"},
            {"type": "discourse", "name": "locked", "base_url": web.base, "api_key": {"$env": "FORUM_KEY"}},
        ],
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'e2e.db'}"

    def run(*argv: str):
        code = main(["--config", str(path), "--db", db, *argv])
        return code, json.loads(capsys.readouterr().out)

    return run


def test_rounds_store_new_matching_posts_once_and_report_health(nasluch, web):
    code, first = nasluch("collect", "--once", "--json")
    assert code == 0
    assert first["forum-feed"] == {"fetched": 3, "inserted": 2, "skipped": 0, "error": None}
    assert first["forum"] == {"fetched": 3, "inserted": 1, "skipped": 0, "error": None}  # the brand's own post is not a mention
    assert "could not read" in first["broken-feed"]["error"] and first["broken-feed"]["inserted"] == 0
    assert first["locked"]["error"] == "not configured: set FORUM_KEY"

    _, second = nasluch("collect", "--once", "--source", "forum-feed", "--json")
    assert second == {"forum-feed": {"fetched": 0, "inserted": 0, "skipped": 0, "error": None}}  # 304: nothing new

    web.items.append(("4", "Acme again", "Acme paczka przyszła uszkodzona i nikt nie odpowiada"))
    web.etag = '"v2"'
    _, third = nasluch("collect", "--once", "--json")
    assert third["forum-feed"] == {"fetched": 4, "inserted": 1, "skipped": 0, "error": None}
    assert third["forum"]["inserted"] == 0

    _, found = nasluch("search", "acme", "--json")
    assert found["count"] == 4
    assert {m["source"] for m in found["mentions"]} == {"rss", "discourse"}

    _, health = nasluch("sources", "--json")
    # posted on 5 November: collected just now, but not mentions of the last 24 hours
    assert health["forum-feed"]["status"] == "ok" and health["forum-feed"]["volume_24h"] == 0
    assert health["broken-feed"]["status"] == "failing" and "could not read" in health["broken-feed"]["last_error"]
    assert health["locked"]["status"] == "not configured"
    assert health["forum"]["last_success"] is not None and health["forum"]["next_run"] is not None


def test_run_collects_on_schedule_and_stops_cleanly_on_sigterm(nasluch, web, tmp_path, cache_dir):
    import os
    import signal
    import subprocess
    import sys
    import time

    import sqlalchemy as sa

    db_path = tmp_path / "e2e.db"
    env = {k: v for k, v in os.environ.items() if k != "NASLUCH_DB"}
    process = subprocess.Popen([sys.executable, "-m", "monitor.cli", "-v", "--config", str(tmp_path / "config.yaml"),
                                "--db", f"sqlite:///{db_path}", "run"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, stored = time.monotonic() + 60, 0
        while time.monotonic() < deadline and stored < 3:
            time.sleep(0.5)
            if db_path.exists():
                engine = sa.create_engine(f"sqlite:///{db_path}")
                try:
                    with engine.connect() as connection:
                        stored = connection.execute(sa.text("SELECT count(*) FROM mention")).scalar()
                except sa.exc.OperationalError:
                    stored = 0  # schema not created yet
                engine.dispose()
        assert stored == 3, process.stderr.read() if process.poll() is not None else "no mentions in 60 s"
        process.send_signal(signal.SIGTERM)
        # a stop waits for the jobs in flight: the first scoring run may still be loading the
        # model (from the session's converted cache, `cache_dir`: 10 s idle, 30 s on a busy machine)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopping" in err and web.hits["/feed.rss"] >= 1 and web.hits["/posts.json"] >= 1
