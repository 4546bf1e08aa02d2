"""A Graph-API-shaped HTTP server on 127.0.0.1 for end-to-end tests of one Facebook Page.

It serves `/{page}/feed` with nested comments (two per page, cursor-paged like Meta's),
`/{object}/comments`, a comment's `parent`, creates the page's comments (`POST
/{object}/comments`) and hides them (`POST /{comment}?is_hidden=`). A token other than the
expected one gets Meta's code 190. `lose_first` makes it accept the first reply and then lose the
answer: "drop" closes the connection without a word, "stall" answers after the client gave up.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.local_server import JsonHandler, LocalServer

PAGE_SIZE = 2


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


class GraphServer(LocalServer):
    def __init__(self, page_id: str, token: str, lose_first: str | None = None, stall: float = 1.5) -> None:
        self.page_id, self.token = page_id, token
        self.lose_first, self.stall = lose_first, stall
        self.posts: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []  # every comment the page posted through the API
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        super().__init__()

    # --- the world the test arranges -------------------------------------------------------
    def add_post(self, post_id: str, message: str, at: datetime, author: tuple[str, str] | None = None) -> None:
        who = author or (self.page_id, "Acme Polska")
        self.posts[post_id] = {"id": post_id, "message": message, "created_time": stamp(at),
                               "permalink_url": f"https://www.facebook.com/{post_id}",
                               "from": {"id": who[0], "name": who[1]}}

    def add_comment(self, comment_id: str, post_id: str, message: str, at: datetime, author: tuple[str, str],
                    parent: str | None = None) -> dict[str, Any]:
        comment = {"id": comment_id, "message": message, "created_time": stamp(at), "post": post_id,
                   "from": {"id": author[0], "name": author[1]}, "is_hidden": False,
                   "permalink_url": f"https://www.facebook.com/{post_id}?comment_id={comment_id}"}
        if parent:
            comment["parent"] = {"id": parent}
        with self.lock:
            self.comments[comment_id] = comment
        return comment

    def edit(self, comment_id: str, message: str) -> None:
        self.comments[comment_id]["message"] = message

    def delete(self, comment_id: str) -> None:
        del self.comments[comment_id]

    # --- what the API answers --------------------------------------------------------------
    def _public(self, comment: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in comment.items() if key != "post"}

    def under(self, object_id: str, newest_first: bool = False) -> list[dict[str, Any]]:
        """A post's comments (all levels, `filter=stream`) or a comment's replies, oldest first."""
        with self.lock:
            found = [c for c in self.comments.values()
                     if (c["post"] == object_id) or (c.get("parent") or {}).get("id") == object_id]
        found.sort(key=lambda c: c["created_time"], reverse=newest_first)
        return [self._public(c) for c in found]

    def page_of(self, items: list[dict[str, Any]], after: str | None, path: str) -> dict[str, Any]:
        start = int(after or 0)
        chunk = items[start:start + PAGE_SIZE]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + len(chunk))}}
        if start + PAGE_SIZE < len(items):
            paging["next"] = f"https://graph.facebook.com/v23.0/{path}?access_token=LEAK&after={start + PAGE_SIZE}"
        return {"data": chunk, "paging": paging}

    def feed(self) -> dict[str, Any]:
        posts = []
        for post in sorted(self.posts.values(), key=lambda p: p["created_time"], reverse=True):
            comments = self.under(post["id"])
            entry = dict(post)
            if comments:
                entry["comments"] = self.page_of(comments, None, f"{post['id']}/comments")
            posts.append(entry)
        return {"data": posts, "paging": {"cursors": {"before": "0", "after": "0"}}}

    def create(self, object_id: str, message: str) -> dict[str, Any]:
        with self.lock:
            number = 9900 + len(self.created)
        target = self.comments.get(object_id)
        post_id = target["post"] if target else object_id
        comment = self.add_comment(f"{post_id.split('_')[-1]}_{number}", post_id, message,
                                   datetime.now(timezone.utc), (self.page_id, "Acme Polska"),
                                   parent=object_id if target else None)
        self.created.append(comment)
        return {"id": comment["id"]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(JsonHandler):
            def _json(self, status: int, payload: Any) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-App-Usage", json.dumps({"call_count": 3, "total_cputime": 1, "total_time": 1}))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _route(self) -> tuple[list[str], dict[str, str]] | None:
                parts = urlsplit(self.path)
                server.requests.append((self.command, parts.path))
                if self.headers.get("Authorization") != f"Bearer {server.token}":
                    self._json(400, {"error": {"message": "Error validating access token: The session has been "
                                                          "invalidated because the user changed their password.",
                                               "type": "OAuthException", "code": 190, "error_subcode": 460,
                                               "fbtrace_id": "LocalTrace1"}})
                    return None
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                return parts.path.strip("/").split("/")[1:], query  # drop the version

            def do_GET(self) -> None:
                routed = self._route()
                if routed is None:
                    return
                path, query = routed
                if path == [server.page_id, "feed"]:
                    return self._json(200, server.feed())
                if path == [server.page_id, "tagged"]:
                    return self._json(200, {"data": []})
                if len(path) == 2 and path[1] == "comments":
                    items = server.under(path[0], newest_first=query.get("order") == "reverse_chronological")
                    return self._json(200, server.page_of(items, query.get("after"), "/".join(path)))
                if len(path) == 1 and path[0] in server.comments:
                    return self._json(200, server._public(server.comments[path[0]]))
                return self._missing(path)

            def do_POST(self) -> None:
                routed = self._route()
                if routed is None:
                    return
                path, query = routed
                if len(path) == 2 and path[1] == "comments":
                    created = server.create(path[0], query["message"])
                    if server.lose_first and len(server.created) == 1:
                        return self._lose(created)
                    return self._json(200, created)
                if len(path) == 1 and path[0] in server.comments and "is_hidden" in query:
                    server.comments[path[0]]["is_hidden"] = query["is_hidden"] == "true"
                    return self._json(200, {"success": True})
                return self._missing(path)

            def _lose(self, created: dict[str, Any]) -> None:
                if server.lose_first == "stall":
                    time.sleep(server.stall)
                    return self._json(200, created)
                self.close_connection = True  # accepted, then the connection drops without an answer

            def _missing(self, path: list[str]) -> None:
                self._json(400, {"error": {"message": f"Unsupported request. Object with ID '{'/'.join(path)}' "
                                                      "does not exist", "type": "GraphMethodException",
                                           "code": 100, "error_subcode": 33, "fbtrace_id": "LocalTrace2"}})

        return Handler
