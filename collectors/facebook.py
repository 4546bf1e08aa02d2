"""Facebook Page: comments and replies on the page's feed, visitor posts, posts tagging the page.

Customers complain on a brand's Facebook page first, and mostly in comments under the page's
own posts, which no search API reaches; so this source reads the page itself with a page access
token: `/{page-id}/feed` (the page's posts *and* visitors' posts) with every comment nested
(`comments.filter(stream)` flattens replies into the list, each naming its `parent`), and
`/{page-id}/tagged` for posts elsewhere that tag the page.

Comments keep arriving under posts long after they were published, and are edited or deleted,
and the API has no feed of those changes. So each round re-reads the posts of the last
`lookback` (3 days by default; more if the last round was longer ago) with all their comments:
new comments are stored, and every post read in full is reported as a `ThreadSnapshot` so
storage updates edited texts and marks comments that vanished as deleted, never a second row.
The brand's queries are not sent anywhere: the page's comments are read whole, and storage
matches them (or keeps them all when `brand` is set).
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
from networks.graph import GraphId, unix
from networks.http import map_items
from networks.times import parse_time

log = logging.getLogger(__name__)

POST_FIELDS = "id,message,story,created_time,permalink_url,from{id,name}"
COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},permalink_url,is_hidden,attachment{type}"
FEED_FIELDS = f"{POST_FIELDS},comments.filter(stream).limit(100){{{COMMENT_FIELDS}}}"
COMMENTS_QUERY = {"fields": COMMENT_FIELDS, "filter": "stream", "limit": 100}


class FacebookSettings(GraphSettings):
    type: Literal["facebook"] = "facebook"
    page_id: GraphId
    page_access_token: SecretStr | None = None
    tagged: bool = True

    required_secrets = ("page_access_token",)


class FacebookCollector(GraphCollector):
    type = "facebook"
    Settings = FacebookSettings
    settings: FacebookSettings
    token_field = "page_access_token"

    def _window(self, since: datetime, threads: list[ThreadSnapshot]) -> Iterator[Mention]:
        params = {"fields": FEED_FIELDS, "since": unix(since), "limit": 25}
        for page in self.graph.pages(f"{self.settings.page_id}/feed", params, self.settings.max_pages):
            for mentions in map_items(page, lambda post: self._post(post, since, threads), "Facebook post"):
                yield from mentions
        if self.settings.tagged:
            yield from self._tagged(since)

    def _ours(self, item: dict[str, Any]) -> bool:
        """The page's own posts and replies are the brand speaking, not a mention."""
        return str((item.get("from") or {}).get("id")) == self.settings.page_id

    def _post(self, post: dict[str, Any], since: datetime, threads: list[ThreadSnapshot]) -> list[Mention]:
        """A post's mentions (a visitor's post itself, everyone's comments), and its snapshot
        when every comment page was read."""
        post_id = str(post["id"])
        if parse_time(post["created_time"]) < since - OVERLAP:
            return []
        comments, complete = self.graph.rest_of(post.get("comments"), f"{post_id}/comments",
                                                COMMENTS_QUERY, self.settings.comment_pages)
        mentions = [] if self._ours(post) else [self._post_mention(post, post_id)]
        theirs = [comment for comment in comments if not self._ours(comment)]
        mentions += map_items(theirs, lambda c: self._comment_mention(c, post_id), "Facebook comment")
        if complete:
            present = frozenset([post_id, *(str(c["id"]) for c in comments if c.get("id"))])
            threads.append(ThreadSnapshot("facebook", post_id, present))
        else:
            log.warning("post %s has more than %d comment pages: deletions not checked this round",
                        post_id, self.settings.comment_pages)
        return mentions

    def _tagged(self, since: datetime) -> list[Mention]:
        """Posts elsewhere that tag the page: each one is its own conversation."""
        params = {"fields": POST_FIELDS, "since": unix(since), "limit": 25}
        found: list[Mention] = []
        for page in self.graph.pages(f"{self.settings.page_id}/tagged", params, self.settings.max_pages):
            fresh = [post for post in page if not self._ours(post)]
            found += map_items(fresh, lambda post: self._post_mention(post, str(post["id"])), "tagged post")
        return [m for m in found if m.created_at >= since - OVERLAP]

    def _post_mention(self, post: dict[str, Any], post_id: str) -> Mention:
        return Mention(
            source="facebook",
            source_name=self.settings.name,
            external_id=post_id,
            text=post.get("message") or post.get("story") or "",
            created_at=parse_time(post["created_time"]),
            author=_author(post),
            url=post.get("permalink_url"),
            conversation_key=post_id,
            brand=self.settings.brand,
        )

    def _comment_mention(self, comment: dict[str, Any], post_id: str) -> Mention:
        parent = (comment.get("parent") or {}).get("id")
        text = comment.get("message") or ""
        if not text and comment.get("attachment"):
            text = f"[{comment['attachment'].get('type') or 'attachment'}]"
        return Mention(
            source="facebook",
            source_name=self.settings.name,
            external_id=str(comment["id"]),
            text=text,
            created_at=parse_time(comment["created_time"]),
            author=_author(comment),
            url=comment.get("permalink_url"),
            in_reply_to=str(parent) if parent else post_id,
            conversation_key=post_id,
            brand=self.settings.brand,
        )


def _author(item: dict[str, Any]) -> Author:
    """Facebook users have no handle; the page-scoped id is stable, the name is what people see.
    Without `pages_read_user_content` Meta leaves `from` out, hence "unknown"."""
    person = item.get("from") or {}
    return Author(handle=str(person.get("id") or "unknown"), name=person.get("name") or None)
