"""RSS and Atom feeds: forums, blogs, news sites, Google Alerts.

Fetched with httpx as a conditional GET (the ETag and Last-Modified validators live in the
cursor), so an unchanged feed costs the publisher a 304 and us nothing. The bytes go to
feedparser, which copes with the many ways feeds are malformed in the wild.
"""
from __future__ import annotations

import calendar
import hashlib
import logging
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import urlsplit

import feedparser
from pydantic import field_validator

from collectors.base import Collector, Fetched, SourceSettings
from monitor.mention import Author, Mention
from networks import times
from networks.errors import ParseError
from networks.http import map_items, send
from networks.text import html_to_text

log = logging.getLogger(__name__)

USER_AGENT = "Nasluch/0.1 (self-hosted brand listening; feed reader)"


class RssSettings(SourceSettings):
    type: Literal["rss"] = "rss"
    url: str
    user_agent: str = USER_AGENT

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("expected an http:// or https:// feed address")
        return url


class RssCollector(Collector):
    """One feed per source; every entry is a candidate, the brands' queries filter locally
    (feeds cannot be searched remotely, so `terms` is not used)."""

    type = "rss"
    Settings = RssSettings
    settings: RssSettings

    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        response = send(
            self.client, "GET", self.settings.url,
            headers=self._conditional_headers(cursor), follow_redirects=True,
        )
        if response.status_code == 304:
            return Fetched([], dict(cursor))
        feed = feedparser.parse(
            response.content,
            response_headers={
                "content-type": response.headers.get("content-type", "application/xml"),
                "content-location": str(response.url),
            },
        )
        if not feed.entries and (feed.bozo or not feed.version):
            reason = feed.get("bozo_exception") or "not an RSS or Atom document"
            raise ParseError(f"the feed could not be read: {reason}"[:200])
        lang = _primary_language(feed.feed.get("language"))
        fallback_author = feed.feed.get("title") or urlsplit(self.settings.url).netloc
        mentions = map_items(
            feed.entries, lambda entry: self._mention(entry, lang, fallback_author), "feed entry"
        )
        return Fetched(mentions, _validators(response.headers))

    def _conditional_headers(self, cursor: dict[str, Any]) -> dict[str, str]:
        headers = {"User-Agent": self.settings.user_agent}
        if cursor.get("etag"):
            headers["If-None-Match"] = cursor["etag"]
        if cursor.get("last_modified"):
            headers["If-Modified-Since"] = cursor["last_modified"]
        return headers

    def _mention(self, entry: Any, lang: str | None, fallback_author: str) -> Mention:
        author = entry.get("author") or fallback_author
        return Mention(
            source="rss",
            source_name=self.settings.name,
            external_id=self._external_id(entry),
            text=_entry_text(entry),
            created_at=_entry_time(entry),
            author=Author(handle=author, name=entry.get("author_detail", {}).get("name") or author),
            url=entry.get("link"),
            lang=_primary_language(entry.get("language")) or lang,
        )

    def _external_id(self, entry: Any) -> str:
        """Feed guids should be global but are often bare numbers: qualify those by the feed."""
        guid = entry.get("id") or entry.get("link")
        if not guid:
            seed = f"{entry.get('title', '')}\n{entry.get('summary', '')}".encode()
            guid = "sha1:" + hashlib.sha1(seed).hexdigest()
            return f"{self.settings.url}#{guid}"
        if "://" in guid or guid.startswith(("urn:", "tag:")):
            return guid
        return f"{self.settings.url}#{guid}"


def _entry_text(entry: Any) -> str:
    title = html_to_text(entry.get("title"))
    bodies = [item.get("value", "") for item in entry.get("content", [])]
    body = max(bodies + [entry.get("summary", "")], key=len)
    text = html_to_text(body)
    if title and text and not text.startswith(title):
        return f"{title}\n\n{text}"
    return text or title


def _entry_time(entry: Any) -> datetime:
    """Feedparser gives UTC struct_times; an undated entry is dated when we first saw it."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    return times.now()


def _primary_language(tag: str | None) -> str | None:
    """"en-US" and "pl_PL" become "en" and "pl", as the other networks report them."""
    if not tag:
        return None
    return tag.replace("_", "-").split("-")[0].strip().lower() or None


def _validators(headers: Any) -> dict[str, str]:
    cursor = {}
    if headers.get("etag"):
        cursor["etag"] = headers["etag"]
    if headers.get("last-modified"):
        cursor["last_modified"] = headers["last-modified"]
    return cursor
