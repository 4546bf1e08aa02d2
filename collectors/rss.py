"""RSS and Atom feeds: forums, blogs, news sites, Google Alerts.

Fetched with httpx as a conditional GET (the ETag and Last-Modified validators live in the
cursor), so an unchanged feed costs the publisher a 304 and us nothing. The bytes go to
feedparser, which copes with the many ways feeds are malformed in the wild; what it cannot know
is added first: the encoding of a feed that declares none (`networks.charset`), and whether an
entry's date is believable (a `2020/1/10` pubDate comes back from feedparser as 1 December).
"""
from __future__ import annotations

import calendar
import hashlib
import logging
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import feedparser
from pydantic import field_validator

from collectors.base import Collector, Fetched, SourceSettings
from monitor.mention import Author, Mention
from networks import charset, times
from networks.errors import ParseError
from networks.http import map_items, send
from networks.text import html_to_text, person_name

log = logging.getLogger(__name__)

USER_AGENT = "Nasluch/0.1 (self-hosted brand listening; feed reader)"
SKEW = timedelta(days=1)  # clocks and time zones: a post dated up to a day ahead is believed
STALE = timedelta(days=365)  # an entry this much older than the feed's own date is a misread date
_NUMERIC_DATE = re.compile(r"^\s*(?:(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{4}))"
                           r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


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
                "content-type": _content_type(response),
                "content-location": str(response.url),
            },
        )
        if not feed.entries and (feed.bozo or not feed.version):
            reason = feed.get("bozo_exception") or "not an RSS or Atom document"
            raise ParseError(f"the feed could not be read: {reason}"[:200])
        lang = _primary_language(feed.feed.get("language"))
        fallback_author = feed.feed.get("title") or urlsplit(self.settings.url).netloc
        dated = _Dates(feed, response.headers.get("last-modified"))
        mentions = map_items(
            feed.entries, lambda entry: self._mention(entry, lang, fallback_author, dated), "feed entry"
        )
        return Fetched(mentions, _validators(response.headers))

    def _conditional_headers(self, cursor: dict[str, Any]) -> dict[str, str]:
        headers = {"User-Agent": self.settings.user_agent}
        if cursor.get("etag"):
            headers["If-None-Match"] = cursor["etag"]
        if cursor.get("last_modified"):
            headers["If-Modified-Since"] = cursor["last_modified"]
        return headers

    def _mention(self, entry: Any, lang: str | None, fallback_author: str, dated: "_Dates") -> Mention:
        name = person_name(entry.get("author_detail", {}).get("name")) or person_name(entry.get("author"))
        author = name or fallback_author
        return Mention(
            source="rss",
            source_name=self.settings.name,
            external_id=self._external_id(entry),
            text=_entry_text(entry),
            created_at=dated.of(entry),
            author=Author(handle=author, name=author),
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


class _Dates:
    """Entry dates checked against the clock and against the feed's own date (its `updated`,
    else the HTTP Last-Modified, else its newest entry): a date more than `SKEW` ahead or `STALE`
    behind was misread, and the feed's date (or the time collected) stands in, with a warning."""

    def __init__(self, feed: Any, last_modified: str | None) -> None:
        self.now = times.now()
        channel = feed.feed
        own = [_feed_time(_own(channel, "updated"), _own(channel, "updated_parsed")), _http_time(last_modified)]
        entries = [_entry_time(entry)[1] for entry in feed.entries]
        believable = [t for t in own if t and t <= self.now + SKEW]
        believable = believable or [t for t in entries if t and t <= self.now + SKEW]
        self.reference = max(believable) if believable else None

    def of(self, entry: Any) -> datetime:
        raw, moment = _entry_time(entry)
        if moment is None:  # undated: dated when we first saw it
            return self.now
        if moment > self.now + SKEW or (self.reference and moment < self.reference - STALE):
            stand_in = self.reference or self.now
            log.warning("feed entry %s: date %r read as %s is not believable, using %s",
                        entry.get("id") or entry.get("link"), raw, moment.isoformat(), stand_in.isoformat())
            return stand_in
        return moment


def _entry_time(entry: Any) -> tuple[str | None, datetime | None]:
    raw = entry.get("published") or _own(entry, "updated")
    return raw, _feed_time(raw, entry.get("published_parsed") or _own(entry, "updated_parsed"))


def _own(values: Any, key: str) -> Any:
    """A key as the feed wrote it: feedparser's `get("updated")` answers with `published` (and a
    DeprecationWarning) when a feed has no `updated`."""
    return dict.get(values, key)


def _feed_time(raw: str | None, parsed: Any) -> datetime | None:
    """A feed date: numeric forms feedparser misreads ("2020/1/10 14:33:00", "10.01.2020") read
    here (as UTC, the zone being unsaid), everything else as feedparser parsed it (in UTC)."""
    match = _NUMERIC_DATE.match(raw or "")
    if match:
        year, month, day = (match.group(1), match.group(2), match.group(3)) if match.group(1) else \
            (match.group(6), match.group(5), match.group(4))
        hour, minute, second = (int(match.group(i) or 0) for i in (7, 8, 9))
        try:
            return datetime(int(year), int(month), int(day), hour, minute, second, tzinfo=timezone.utc)
        except ValueError:
            return None
    if parsed:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    return None


def _http_time(value: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(value).astimezone(timezone.utc) if value else None
    except (TypeError, ValueError):
        return None


def _content_type(response: Any) -> str:
    """The Content-Type handed to feedparser, naming the encoding we detected when the feed
    declares none, or declares one its bytes are not in (feedparser would fall back to
    windows-1252 and store mojibake)."""
    content_type = response.headers.get("content-type", "application/xml")
    named = charset.declared(response.content, content_type)
    if named and charset.decodes(response.content, named):
        return content_type
    encoding = charset.detect(response.content, str(response.url), response.headers.get("content-language"))
    if named:
        log.warning("feed %s says it is %s but is not; read as %s", response.url, named, encoding)
    media = content_type.split(";")[0].strip() or "application/xml"
    return f"{media}; charset={encoding}"


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
