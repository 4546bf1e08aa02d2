"""Any Discourse forum: full-text search, and optionally every new post of the forum.

Search (`/search.json?q=<term> order:latest`) returns posts with a short `blurb` only, so the
full `cooked` HTML of the hits is read per topic (`/t/:id/posts.json?post_ids[]=...`): the
brands' queries must run on the whole post, not on a snippet. Discourse search ANDs words and
has no OR, so each term is its own search.

`latest: true` reads the forum's newest posts across all topics (`/posts.json`), for a brand's
own support forum where every post matters. (`/latest.json` lists topics without their posts'
text, which would cost a request per topic; `/posts.json` carries the posts themselves.)

Ids are `host/t/<topic>/<post number>`: post numbers are what Discourse's reply links use
(`reply_to_post_number`), so a reply's parent id is known without another request.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from collectors.base import Collector, Fetched, SourceSettings, search_terms
from monitor.mention import Author, Mention
from networks.http import expect, json_body, map_items, send
from networks.secrets import secret
from networks.text import html_to_text
from networks.times import parse_time


class DiscourseSettings(SourceSettings):
    type: Literal["discourse"] = "discourse"
    base_url: str
    api_key: SecretStr | None = None
    api_username: str | None = None
    search: bool = True
    latest: bool = False


class DiscourseCollector(Collector):
    type = "discourse"
    Settings = DiscourseSettings
    settings: DiscourseSettings

    def __init__(self, settings: DiscourseSettings, client: httpx.Client) -> None:
        super().__init__(settings, client)
        self.base = settings.base_url.rstrip("/")
        self.host = urlsplit(self.base).netloc + urlsplit(self.base).path
        self.headers = {"Accept": "application/json"}
        if settings.api_key:
            self.headers["Api-Key"] = secret(settings.api_key)
            self.headers["Api-Username"] = settings.api_username or "system"

    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        since: dict[str, int] = dict(cursor.get("after_id", {}))
        posts: dict[int, dict[str, Any]] = {}
        new_since: dict[str, int] = {}
        for key, read in self._streams(terms):
            previous = since.get(key)
            found = read(previous)
            for post in found:
                posts.setdefault(post["id"], post)
            ids = [post["id"] for post in found] + ([previous] if previous else [])
            if ids:  # with nothing seen yet, the next round is a first round again (one page)
                new_since[key] = max(ids)
        mentions = map_items(posts.values(), self._mention, "forum post")
        return Fetched(mentions, {"after_id": new_since})

    def _streams(self, terms: list[str]) -> list[tuple[str, Callable[[int | None], list[Any]]]]:
        streams: list[tuple[str, Callable[[int | None], list[Any]]]] = []
        if self.settings.search:
            for term in search_terms(terms):
                read = partial(self._search, term)
                streams.append((f"search:{term}", read))
        if self.settings.latest:
            streams.append(("latest", self._latest))
        return streams

    def _get(self, path: str, params: Any = None) -> Any:
        response = send(self.client, "GET", self.base + path, params=params, headers=self.headers)
        return json_body(response)

    def _search(self, term: str, after_id: int | None) -> list[dict[str, Any]]:
        """Search hits newer than `after_id`, then their full text, one request per topic."""
        hits: list[dict[str, Any]] = []
        titles: dict[int, str] = {}
        for page in range(1, (self.settings.max_pages if after_id else 1) + 1):
            payload = self._get("/search.json", {"q": f"{term} order:latest", "page": page})
            batch = [p for p in expect(payload, "posts", list) if isinstance(p.get("id"), int)]
            titles |= {t["id"]: t.get("title", "") for t in payload.get("topics", []) if "id" in t}
            fresh = [post for post in batch if after_id is None or post["id"] > after_id]
            hits.extend(fresh)
            more = (payload.get("grouped_search_result") or {}).get("more_full_page_results")
            if not more or len(fresh) < len(batch):
                break
        return self._full_posts(hits, titles)

    def _full_posts(self, hits: list[dict[str, Any]],
                    titles: dict[int, str]) -> list[dict[str, Any]]:
        by_topic: dict[int, list[int]] = defaultdict(list)
        for hit in hits:
            by_topic[hit["topic_id"]].append(hit["id"])
        posts = []
        for topic_id, post_ids in by_topic.items():
            payload = self._get(f"/t/{topic_id}/posts.json", {"post_ids[]": post_ids})
            stream = expect(expect(payload, "post_stream", dict), "posts", list)
            for post in stream:
                post.setdefault("topic_title", titles.get(topic_id))
            posts.extend(stream)
        return posts

    def _latest(self, after_id: int | None) -> list[dict[str, Any]]:
        """The forum's newest posts, newest first, paged back with `before` to `after_id`."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        for _ in range(self.settings.max_pages if after_id else 1):
            batch = expect(self._get("/posts.json", params), "latest_posts", list)
            fresh = [post for post in batch if after_id is None or post["id"] > after_id]
            found.extend(fresh)
            if not fresh or len(fresh) < len(batch):
                break
            params = {"before": min(post["id"] for post in fresh)}
        return found

    def _mention(self, post: dict[str, Any]) -> Mention:
        topic, number = post["topic_id"], post["post_number"]
        text = html_to_text(post["cooked"])
        if number == 1 and post.get("topic_title"):
            text = f"{post['topic_title']}\n\n{text}"
        parent = post.get("reply_to_post_number") or (1 if number > 1 else None)
        slug = post.get("topic_slug") or "-"
        return Mention(
            source="discourse",
            source_name=self.settings.name,
            external_id=f"{self.host}/t/{topic}/{number}",
            text=text,
            created_at=parse_time(post["created_at"]),
            author=Author(handle=post["username"], name=post.get("name") or None),
            url=f"{self.base}/t/{slug}/{topic}/{number}",
            in_reply_to=f"{self.host}/t/{topic}/{parent}" if parent else None,
            conversation_key=f"{self.host}/t/{topic}/1",
        )
