"""A fault-injecting server on 127.0.0.1: connection reset, a timeout after the request was
accepted, 429 with Retry-After, a burst of 500s, a truncated body, the wrong content type and a
10 MB answer. The round goes on, each failure is recorded on its source in plain words, and once
the network heals the next round stores everything, once."""
from __future__ import annotations

import json
import socket
import struct
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import sqlalchemy as sa

from monitor.config import build
from monitor.jobs.collect import collect_once, health
from monitor.store import schema

FAULTS = ("reset", "stall", "ratelimit", "burst", "truncated", "html", "huge")


def _posts(fault: str, count: int = 5, padding: int = 0) -> bytes:
    posts = [{"id": hash((fault, i)) % 10**9, "name": "A", "username": f"{fault}{i}",
              "created_at": "2026-11-05T18:31:10.000Z", "cooked": f"<p>acme {fault} {i}</p>" + " " * padding,
              "post_number": i + 2, "reply_to_post_number": None, "topic_id": 7, "topic_slug": "t",
              "topic_title": "T"} for i in range(count)]
    return json.dumps({"latest_posts": posts}).encode()


class FaultyWeb:
    def __init__(self) -> None:
        self.healed = False
        self.hits: dict[str, int] = {}
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fault = self.path.strip("/").split("/")[0]
                web.hits[fault] = web.hits.get(fault, 0) + 1
                if web.healed or fault == "ok":
                    return self._send(200, _posts(fault, padding=(10_000_000 // 5 if fault == "huge" else 0)))
                getattr(self, f"_{fault}")()

            def _send(self, code, body, kind="application/json", headers=None, length=None):
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _reset(self):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.rfile.close()
                self.wfile.close()
                self.connection.close()  # RST instead of an answer
                self.close_connection = True

            def _stall(self):
                time.sleep(2.0)  # accepted, then silence past the client's timeout

            def _ratelimit(self):
                self._send(429, b'{"errors": ["slow down"]}', headers={"Retry-After": "120"})

            def _burst(self):
                if web.hits["burst"] <= 2:
                    return self._send(500, b"<h1>Internal Server Error</h1>", "text/html")
                self._send(200, _posts("burst"))  # the third try in the same round gets through

            def _truncated(self):
                self._send(200, _posts("truncated")[:40], length=len(_posts("truncated")))
                self.close_connection = True

            def _html(self):
                self._send(200, b"<html><body>Maintenance</body></html>", "text/html")

            def _huge(self):
                self._send(200, b"[" + b"0," * 5_000_000 + b"0]")  # 10 MB, and not the answer asked for

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def web():
    server = FaultyWeb()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _config(web: FaultyWeb):
    sources = [{"type": "discourse", "name": name, "base_url": f"{web.url}/{name}", "latest": True, "search": False}
               for name in (*FAULTS, "ok")]
    return build({"brands": [{"name": "Acme", "queries": ["acme"]}], "sources": sources})


def _count(engine, source_name: str | None = None) -> int:
    mention = schema.MentionRow.__table__
    query = sa.select(sa.func.count()).select_from(mention)
    if source_name:
        query = query.where(mention.c.source_name == source_name)
    with engine.connect() as connection:
        return connection.execute(query).scalar()


def test_faults_are_recorded_in_plain_words_and_nothing_is_lost(sqlite_engine, web, no_sleep):
    config = _config(web)
    client = httpx.Client(timeout=httpx.Timeout(0.5))
    started = time.monotonic()
    first = collect_once(sqlite_engine, config, client=client)
    assert time.monotonic() - started < 30  # a stalled network never holds the round for long
    assert first["ok"] == {"fetched": 5, "inserted": 5, "skipped": 0, "error": None}  # the healthy source is not held up
    assert first["burst"]["error"] is None and first["burst"]["inserted"] == 5  # retried within the round
    words = {"reset": "could not reach the network: ReadError", "stall": "Timeout", "ratelimit": "rate limited",
             "truncated": "", "html": "expected JSON", "huge": "latest_posts"}
    for name, phrase in words.items():
        assert first[name]["error"] and phrase in first[name]["error"], (name, first[name])
    report = health(sqlite_engine, config)
    assert report["ratelimit"]["status"] == "paused (rate limited)"
    for name in words:
        assert report[name]["last_error"] == first[name]["error"] and report[name]["status"] != "ok"

    web.healed = True
    later = datetime.now(timezone.utc) + timedelta(minutes=3)  # past Retry-After
    second = {name: r for name, r in collect_once(sqlite_engine, config, client=client).items()}
    assert second["ratelimit"]["error"].startswith("rate limited")  # still respects its pause
    from monitor.jobs.collect import Plan, collect_source

    settings = next(s for s in config.sources if s.name == "ratelimit")
    collect_source(sqlite_engine, settings, Plan.of(config), client, now=later)
    for name in (*FAULTS, "ok"):
        assert _count(sqlite_engine, name) == 5, name  # nothing lost, nothing doubled
    assert health(sqlite_engine, config)["huge"]["status"] == "ok"
    client.close()
