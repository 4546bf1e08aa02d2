"""Instagram professional account: comments and replies on its media, media it is tagged in.

Read with the Instagram Graph API (Facebook Login): `/{ig-user-id}/media` with `comments` and
their `replies` nested, and `/{ig-user-id}/tags` for media others posted tagging the account.
Like Facebook, comments arrive under older media and disappear (deleted by their authors), so
each round re-reads the media of the last `lookback` in full and reports `ThreadSnapshot`s.

What is left out, because polling cannot see it: comments and captions that @mention the
account on media it does not own. Meta exposes those only through the `mentions` webhook (the
`mentioned_comment` / `mentioned_media` fields need the id the webhook delivers).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import SecretStr

from collectors.base import OVERLAP
from collectors.graph import GraphCollector, GraphSettings
from monitor.mention import Author, Mention, ThreadSnapshot
from networks import times
from networks.graph import GraphId, unix
from networks.http import map_items
from networks.times import parse_time

log = logging.getLogger(__name__)

MEDIA_FIELDS = "id,caption,media_type,permalink,timestamp,username"
REPLY_FIELDS = "id,text,timestamp,username,from,hidden,parent_id"
COMMENT_FIELDS = f"id,text,timestamp,username,from,hidden,replies{{{REPLY_FIELDS}}}"
FEED_FIELDS = f"{MEDIA_FIELDS},comments.limit(50){{{COMMENT_FIELDS}}}"


class InstagramSettings(GraphSettings):
    type: Literal["instagram"] = "instagram"
    ig_user_id: GraphId
    access_token: SecretStr | None = None
    username: str | None = None
    tags: bool = True

    required_secrets = ("access_token",)


class InstagramCollector(GraphCollector):
    type = "instagram"
    Settings = InstagramSettings
    settings: InstagramSettings
    token_field = "access_token"

    def _window(self, since: datetime, threads: list[ThreadSnapshot]) -> Iterator[Mention]:
        params = {"fields": FEED_FIELDS, "since": unix(since), "limit": 25}
        for page in self.graph.pages(f"{self.settings.ig_user_id}/media", params, self.settings.max_pages):
            recent = [media for media in page if _time(media) >= since - OVERLAP]
            for mentions in map_items(recent, lambda media: self._media(media, threads), "Instagram media"):
                yield from mentions
            if len(recent) < len(page):
                break  # newest first: the rest is older than the window
        if self.settings.tags:
            yield from self._tagged(since)

    def _ours(self, comment: dict[str, Any]) -> bool:
        """The account's own replies are the brand speaking, not a mention."""
        author_id = str((comment.get("from") or {}).get("id") or "")
        own = (self.settings.username or "").lower().lstrip("@")
        return author_id == self.settings.ig_user_id or bool(own) and (comment.get("username") or "").lower() == own

    def _media(self, media: dict[str, Any], threads: list[ThreadSnapshot]) -> list[Mention]:
        """Everyone else's comments and replies on one of the account's media, and a snapshot of
        the thread when every page of comments and replies was read."""
        media_id = str(media["id"])
        comments, complete = self.graph.rest_of(media.get("comments"), f"{media_id}/comments",
                                                {"fields": COMMENT_FIELDS, "limit": 50},
                                                self.settings.comment_pages)
        everything: list[dict[str, Any]] = []
        for comment in comments:
            replies, whole = self.graph.rest_of(comment.get("replies"), f"{comment.get('id')}/replies",
                                                {"fields": REPLY_FIELDS}, self.settings.comment_pages)
            complete = complete and whole
            everything += [comment, *({**reply, "parent_id": reply.get("parent_id") or comment.get("id")}
                                      for reply in replies)]
        theirs = [comment for comment in everything if not self._ours(comment)]
        mentions = map_items(theirs, lambda c: self._comment_mention(c, media), "Instagram comment")
        if complete:
            present = frozenset([media_id, *(str(c["id"]) for c in everything if c.get("id"))])
            threads.append(ThreadSnapshot("instagram", media_id, present))
        return mentions

    def _tagged(self, since: datetime) -> list[Mention]:
        """Media others posted tagging the account; each is its own conversation."""
        params = {"fields": MEDIA_FIELDS, "limit": 25}
        found: list[Mention] = []
        for page in self.graph.pages(f"{self.settings.ig_user_id}/tags", params, self.settings.max_pages):
            recent = [media for media in page if _time(media) >= since - OVERLAP]
            found += map_items(recent, self._media_mention, "tagged media")
            if len(recent) < len(page):
                break
        return found

    def _media_mention(self, media: dict[str, Any]) -> Mention:
        return Mention(
            source="instagram",
            source_name=self.settings.name,
            external_id=str(media["id"]),
            text=media.get("caption") or "",
            created_at=parse_time(media["timestamp"]),
            author=Author(handle=media.get("username") or "unknown"),
            url=media.get("permalink"),
            conversation_key=str(media["id"]),
            brand=self.settings.brand,
        )

    def _comment_mention(self, comment: dict[str, Any], media: dict[str, Any]) -> Mention:
        media_id = str(media["id"])
        parent = comment.get("parent_id")
        return Mention(
            source="instagram",
            source_name=self.settings.name,
            external_id=str(comment["id"]),
            text=comment["text"],
            created_at=parse_time(comment["timestamp"]),
            author=Author(handle=comment.get("username") or (comment.get("from") or {}).get("username") or "unknown"),
            url=media.get("permalink"),
            in_reply_to=str(parent) if parent else media_id,
            conversation_key=media_id,
            brand=self.settings.brand,
        )


def _time(media: dict[str, Any]) -> datetime:
    """A media's time; one without a readable time is kept (as now) for `map_items` to judge."""
    try:
        return parse_time(media.get("timestamp")) or times.now()
    except (TypeError, ValueError):
        return times.now()
