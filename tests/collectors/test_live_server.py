"""Collectors over a real socket: a small HTTP server on 127.0.0.1 serves a feed (with ETag
validation) and a Discourse-shaped API, so conditional GET and paths are checked end to end."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from collectors.discourse import DiscourseCollector, DiscourseSettings
from collectors.rss import RssCollector, RssSettings
from tests.http_kit import fixture_bytes

ETAG = '"feed-v1"'
ROUTES = {
    "/latest.rss": ("application/rss+xml", fixture_bytes("rss", "feed.rss")),
    "/search.json": ("application/json", fixture_bytes("discourse", "search.json")),
    "/t/1042/posts.json": ("application/json", fixture_bytes("discourse", "topic_1042_posts.json")),
    "/t/1041/posts.json": ("application/json", fixture_bytes("discourse", "topic_1041_posts.json")),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        path = self.path.split("?", 1)[0]
        if path not in ROUTES:
            self.send_error(404)
            return
        if path.endswith(".rss") and self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.end_headers()
            return
        kind, body = ROUTES[path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", ETAG)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def live_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_feed_then_not_modified_over_a_socket(live_server: str) -> None:
    with httpx.Client(timeout=5) as client:
        collector = RssCollector(RssSettings(type="rss", url=f"{live_server}/latest.rss"), client)
        first = collector.fetch({}, [])
        second = collector.fetch(first.cursor, [])
    assert len(first.mentions) == 2 and first.cursor == {"etag": ETAG}
    assert second.mentions == [] and second.cursor == first.cursor


def test_discourse_search_over_a_socket(live_server: str) -> None:
    with httpx.Client(timeout=5) as client:
        settings = DiscourseSettings(type="discourse", name="forum", base_url=live_server)
        result = DiscourseCollector(settings, client).fetch({}, ["acme"])
    assert {m.author.handle for m in result.mentions} == {"kasia_k", "john_doe"}
