"""One local server on 127.0.0.1 that plays YouTube (key in the query string), a Discourse forum
(key in a header) and a Mastodon instance (bearer token), checks their secrets, and, like some
real APIs, echoes a refused key back in its error body."""
from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.local_server import JsonHandler, LocalServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class FakeNetwork(LocalServer):
    def __init__(self, youtube_key: str, forum_key: str, mastodon_token: str) -> None:
        self.keys = {"youtube": youtube_key, "forum": forum_key, "mastodon": mastodon_token}
        self.statuses: list[dict[str, Any]] = []
        super().__init__()

    def youtube(self) -> dict[str, Any]:
        page = json.loads((FIXTURES / "youtube" / "threads_page1.json").read_text(encoding="utf-8"))
        page.pop("nextPageToken", None)
        return page

    @staticmethod
    def forum() -> dict[str, Any]:
        post = {"id": 7001, "name": "Anna", "username": "anna_k", "created_at": "2026-11-05T18:31:10.000Z",
                "cooked": "<p>Czy <b>Acme</b> wysyła do Rumunii?</p>", "post_number": 2,
                "reply_to_post_number": None, "topic_id": 88, "topic_slug": "wysylka", "topic_title": "Wysyłka"}
        return {"latest_posts": [post]}

    def status(self, body: dict[str, Any]) -> dict[str, Any]:
        number = 5000 + len(self.statuses)
        status = {"id": str(number), "uri": f"{self.url}/users/acme/statuses/{number}", "url": f"{self.url}/@acme/{number}",
                  "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), "content": body.get("status")}
        self.statuses.append(status)
        return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        network = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                if parts.path == "/yt/commentThreads":
                    key = query.get("key", [""])[0]
                    return self._json(200, network.youtube()) if key == network.keys["youtube"] else \
                        self._json(400, {"error": {"message": f"API key not valid: {key}"}})
                if parts.path in ("/forum/posts.json", "/echo/posts.json"):
                    key = self.headers.get("Api-Key", "")
                    if key != network.keys["forum"] or parts.path.startswith("/echo"):
                        return self._json(401, {"errors": [f"invalid api key {key}"]})  # echoes what it refused
                    return self._json(200, network.forum())
                if parts.path == "/api/v2/search":
                    return self._json(200, {"statuses": [{"id": "112", "uri": query.get("q", [""])[0]}]})
                return self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                if self.headers.get("Authorization") != f"Bearer {network.keys['mastodon']}":
                    return self._json(401, {"error": f"bad token {self.headers.get('Authorization')}"})
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                return self._json(200, network.status(body))

        return Handler
