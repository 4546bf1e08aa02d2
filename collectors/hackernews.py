"""Hacker News through the Algolia HN Search API (no key needed).

`search_by_date` returns newest first and takes `numericFilters=created_at_i>N`, so the cursor is
simply the newest creation time seen per search term (re-read with `OVERLAP`, as Algolia indexes
with a delay). Algolia ANDs the words of one query and has
no OR, so each brand term is its own search; a trailing `*` is dropped because Algolia already
matches the last word as a prefix.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Literal

from pydantic import Field

from collectors.base import OVERLAP, Collector, Fetched, SourceSettings, advance, search_terms
from monitor.mention import Author, Mention
from networks.http import expect, json_body, map_items, send
from networks.text import html_to_text
from networks.times import parse_time

log = logging.getLogger(__name__)

ITEM_URL = "https://news.ycombinator.com/item?id={}"


class HackerNewsSettings(SourceSettings):
    type: Literal["hackernews"] = "hackernews"
    base_url: str = "https://hn.algolia.com/api/v1"
    tags: list[Literal["story", "comment"]] = Field(default_factory=lambda: ["story", "comment"])
    hits_per_page: int = Field(100, ge=1, le=1000)


class HackerNewsCollector(Collector):
    type = "hackernews"
    Settings = HackerNewsSettings
    settings: HackerNewsSettings

    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        since: dict[str, int] = dict(cursor.get("since", {}))
        seen: dict[str, Mention] = {}
        new_since: dict[str, int] = {}
        for term in search_terms(terms):
            hits = self._search(term, since.get(term))
            for mention in map_items(hits, self._mention, "Hacker News item"):
                seen.setdefault(mention.external_id, mention)
            times = [hit["created_at_i"] for hit in hits
                     if isinstance(hit.get("created_at_i"), int)]
            new_since[term] = advance(times, since.get(term), int(time.time()))
        return Fetched(list(seen.values()), {"since": new_since})

    def _search(self, term: str, after: int | None) -> list[dict[str, Any]]:
        """All pages newer than `after`; the first round (no cursor) reads only the newest page."""
        hits: list[dict[str, Any]] = []
        pages = self.settings.max_pages if after is not None else 1
        for page in range(pages):
            payload = json_body(send(
                self.client, "GET", f"{self.settings.base_url}/search_by_date",
                params=self._params(term, after, page),
            ))
            hits.extend(expect(payload, "hits", list))
            if page + 1 >= int(payload.get("nbPages", 0)):
                return hits
        if after is not None:
            log.warning("more than %d pages of new items for %r; older ones skipped", pages, term)
        return hits

    def _params(self, term: str, after: int | None, page: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "query": term,
            "tags": "(" + ",".join(self.settings.tags) + ")",
            "hitsPerPage": self.settings.hits_per_page,
            "page": page,
        }
        if after is not None:
            params["numericFilters"] = f"created_at_i>{after - int(OVERLAP.total_seconds())}"
        return params

    def _mention(self, hit: dict[str, Any]) -> Mention:
        item_id = str(hit["objectID"])
        is_comment = "comment" in hit.get("_tags", []) or hit.get("comment_text") is not None
        if is_comment:
            text = html_to_text(hit["comment_text"])
            parent = hit.get("parent_id")
            in_reply_to = str(parent) if parent is not None else None
            conversation = str(hit["story_id"]) if hit.get("story_id") is not None else None
        else:
            body = html_to_text(hit.get("story_text"))
            text = f"{hit['title']}\n\n{body}" if body else hit["title"]
            if hit.get("url"):
                text = f"{text}\n{hit['url']}"
            in_reply_to, conversation = None, item_id
        return Mention(
            source="hackernews",
            source_name=self.settings.name,
            external_id=item_id,
            text=text,
            created_at=parse_time(hit["created_at_i"]),
            author=Author(handle=hit["author"]),
            url=ITEM_URL.format(item_id),
            in_reply_to=in_reply_to,
            conversation_key=conversation,
        )

