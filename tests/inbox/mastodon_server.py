"""A Mastodon-shaped HTTP server on 127.0.0.1 for end-to-end tests.

It resolves status URIs (`/api/v2/search`), creates statuses (`POST /api/v1/statuses`) and
honours `Idempotency-Key` as Mastodon does: a repeated key gets the status made the first time.
`stall_first` makes it accept the first post, then stay silent past the client's timeout.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.local_server import JsonHandler, LocalServer


class MastodonServer(LocalServer):
    def __init__(self, known: dict[str, str], stall_first: float = 0.0) -> None:
        self.known = known  # status uri -> local id
        self.stall_first = stall_first
        self.statuses: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self.posts: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        super().__init__()

    def create(self, body: dict[str, Any], key: str | None) -> tuple[dict[str, Any], bool]:
        with self.lock:
            self.posts.append({"key": key, **body})
            if key and key in self.by_key:
                return self.by_key[key], False
            number = 1000 + len(self.statuses)
            status = {"id": str(number), "uri": f"{self.url}/users/acme/statuses/{number}",
                      "url": f"{self.url}/@acme/{number}", "in_reply_to_id": body.get("in_reply_to_id"),
                      "content": f"<p>{body.get('status', '')}</p>", "account": {"id": "9", "acct": "acme"},
                      "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}
            self.statuses.append(status)
            if key:
                self.by_key[key] = status
            return status, len(self.statuses) == 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/api/v2/search":
                    uri = parse_qs(parts.query).get("q", [""])[0]
                    found = [{"id": server.known[uri], "uri": uri}] if uri in server.known else []
                    return self._json(200, {"accounts": [], "statuses": found, "hashtags": []})
                return self._json(404, {"error": "Record not found"})

            def do_POST(self) -> None:
                if self.headers.get("Authorization") != "Bearer test-token":
                    return self._json(401, {"error": "The access token is invalid"})
                if self.path != "/api/v1/statuses":
                    return self._json(404, {"error": "Record not found"})
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                status, first = server.create(body, self.headers.get("Idempotency-Key"))
                if first and server.stall_first:
                    time.sleep(server.stall_first)  # accepted, but the answer comes too late
                self._json(200, status)

        return Handler
