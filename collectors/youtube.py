"""YouTube comments on configured channels and videos (Data API v3, `commentThreads.list`).

The API cannot search all of YouTube's comments, only those of a channel or video, optionally
narrowed by `searchTerms` (one call per term: it has no OR). Every call costs quota units and a
project has 10,000 a day by default, reset at midnight Pacific time, so the units used today are
counted in the cursor and the source stops before `daily_quota`: a round that would go over
ends early with what it read, and the next round raises `RateLimited` until the reset.
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx
from pydantic import Field, SecretStr

from collectors.base import OVERLAP, Collector, Every, Fetched, SourceSettings, advance, bare, search_terms
from monitor.mention import Author, Mention
from networks import times
from networks.errors import AuthFailed, CollectorError, RateLimited, SourceUnavailable
from networks.http import expect, json_body, map_items, send
from networks.secrets import secret
from networks.times import iso, parse_time

log = logging.getLogger(__name__)

PACIFIC = ZoneInfo("America/Los_Angeles")
UNITS_PER_CALL = 1  # commentThreads.list
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
KEY_REASONS = {"keyInvalid", "keyExpired", "API_KEY_INVALID", "forbidden", "accessNotConfigured"}


class YouTubeSettings(SourceSettings):
    type: Literal["youtube"] = "youtube"
    every: Every = timedelta(minutes=15)
    api_key: SecretStr | None = None
    base_url: str = "https://www.googleapis.com/youtube/v3"
    channels: list[str] = Field(default_factory=list, description="channel ids (UC...)")
    videos: list[str] = Field(default_factory=list, description="video ids")
    search: bool = Field(True, description="narrow by the brands' terms; off: every comment")
    daily_quota: int = Field(10_000, ge=1, description="units this source may spend per day")

    required_secrets = ("api_key",)


def next_pacific_midnight(moment: datetime) -> datetime:
    local = moment.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)
    return midnight.astimezone(timezone.utc)


class CommentsDisabled(SourceUnavailable):
    """A video with comments turned off: that target is skipped, the others still read."""


def _youtube_error(response: httpx.Response) -> CollectorError | None:
    """Google puts the meaning of a 400/403 in `error.errors[].reason`, not in the status."""
    if response.status_code not in (400, 403):
        return None
    try:
        error = response.json()["error"]
        reasons = {item.get("reason") for item in error.get("errors", [])}
        reasons |= {item.get("reason") for item in error.get("details", [])}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if reasons & QUOTA_REASONS:
        reset = next_pacific_midnight(times.now())
        return RateLimited((reset - times.now()).total_seconds(), reset,
                           "YouTube daily quota used up: paused until midnight Pacific time")
    if "commentsDisabled" in reasons:
        return CommentsDisabled(response.status_code, "comments are disabled")
    if reasons & KEY_REASONS:
        return AuthFailed(str(error.get("message", ""))[:160])
    return None


class YouTubeCollector(Collector):
    type = "youtube"
    Settings = YouTubeSettings
    settings: YouTubeSettings

    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        today = times.now().astimezone(PACIFIC).date().isoformat()
        quota = cursor.get("quota", {})
        self.used = int(quota.get("used", 0)) if quota.get("day") == today else 0
        if self.used + UNITS_PER_CALL > self.settings.daily_quota:
            reset = next_pacific_midnight(times.now())
            raise RateLimited((reset - times.now()).total_seconds(), reset,
                              "YouTube daily quota for this source reached: paused until midnight "
                              "Pacific time")
        since: dict[str, str] = dict(cursor.get("since", {}))
        comments: dict[str, Mention] = {}
        new_since: dict[str, str] = {}
        for key, params in self._streams(terms):
            previous = parse_time(since.get(key))
            found = self._read(params, previous)
            for mention in found:
                comments.setdefault(mention.external_id, mention)
            newest = advance([m.created_at for m in found], previous, times.now())
            new_since[key] = iso(newest)
        return Fetched(list(comments.values()),
                       {"quota": {"day": today, "used": self.used}, "since": new_since})

    def _streams(self, terms: list[str]) -> list[tuple[str, dict[str, Any]]]:
        """(cursor key, params): each channel and video, once per term (or once, unsearched)."""
        targets = [("channel", c, {"allThreadsRelatedToChannelId": c})
                   for c in self.settings.channels]
        targets += [("video", v, {"videoId": v}) for v in self.settings.videos]
        searches = [bare(term) for term in search_terms(terms)] if self.settings.search else [""]
        streams = []
        for kind, ident, params in targets:
            for term in searches:
                narrowed = {**params, "searchTerms": term} if term else dict(params)
                streams.append((f"{kind}:{ident}:{term or '*'}", narrowed))
        return streams

    def _read(self, params: dict[str, Any], since: datetime | None) -> list[Mention]:
        """Newest-first pages until one reaches `since` (less `OVERLAP`), within the quota."""
        found: list[Mention] = []
        page: dict[str, Any] = {**params, "part": "snippet,replies", "maxResults": 100,
                                "order": "time", "textFormat": "plainText",
                                "key": secret(self.settings.api_key)}
        for _ in range(self.settings.max_pages if since else 1):
            if self.used + UNITS_PER_CALL > self.settings.daily_quota:
                log.warning("YouTube quota for today reached; the rest waits for tomorrow")
                break
            self.used += UNITS_PER_CALL
            try:
                url = self.settings.base_url + "/commentThreads"
                payload = json_body(send(self.client, "GET", url, params=page,
                                         interpret=_youtube_error))
            except CommentsDisabled:
                log.info("comments are disabled for %s; skipped", params)
                break
            items = expect(payload, "items", list)
            batch = [m for item in items for m in self._thread(item)]
            fresh = [m for m in batch if since is None or m.created_at >= since - OVERLAP]
            found.extend(fresh)
            if not payload.get("nextPageToken") or len(fresh) < len(batch):
                break
            page["pageToken"] = payload["nextPageToken"]
        return found

    def _thread(self, item: dict[str, Any]) -> list[Mention]:
        """A thread's top-level comment and the replies the API included with it."""
        top = item["snippet"]["topLevelComment"]
        replies = (item.get("replies") or {}).get("comments", [])
        return map_items([top, *replies], lambda c: self._mention(c, top["id"]), "YouTube comment")

    def _mention(self, comment: dict[str, Any], thread_id: str) -> Mention:
        snippet = comment["snippet"]
        display = snippet.get("authorDisplayName") or ""
        channel = (snippet.get("authorChannelId") or {}).get("value")
        video = snippet.get("videoId")
        return Mention(
            source="youtube",
            source_name=self.settings.name,
            external_id=comment["id"],
            text=snippet.get("textOriginal") or snippet["textDisplay"],
            created_at=parse_time(snippet["publishedAt"]),
            author=Author(handle=display.lstrip("@") or channel or "unknown", name=display or None),
            url=f"https://www.youtube.com/watch?v={video}&lc={comment['id']}" if video else None,
            in_reply_to=snippet.get("parentId"),
            conversation_key=thread_id,
        )
