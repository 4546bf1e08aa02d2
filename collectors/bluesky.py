"""Bluesky through `app.bsky.feed.searchPosts`, with a session made from an app password.

The session (`com.atproto.server.createSession`) is kept on the collector and renewed only
when refused: Bluesky allows few logins per day per account, so never one per round. Search is
one query per term (the syntax has no documented OR), sorted latest, with `since` set from the
cursor less `OVERLAP`, as indexing lags a little behind posting.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import httpx
from pydantic import Field, SecretStr

from collectors.base import OVERLAP, Collector, Fetched, SourceSettings, advance, search_terms
from monitor.mention import Author, Mention
from networks import times
from networks.bluesky import token_error
from networks.errors import AuthFailed, CollectorError
from networks.http import expect, json_body, map_items, send
from networks.secrets import secret
from networks.times import iso, parse_time

POST_URL = "https://bsky.app/profile/{handle}/post/{rkey}"


class BlueskySettings(SourceSettings):
    type: Literal["bluesky"] = "bluesky"
    handle: str | None = None
    app_password: SecretStr | None = None
    base_url: str = "https://bsky.social"
    lang: str | None = None
    limit: int = Field(100, ge=1, le=100)

    required_secrets = ("handle", "app_password")


def _token_error(response: httpx.Response) -> CollectorError | None:
    """A 400 that refuses the session is `AuthFailed`: log in again (see `networks.bluesky`)."""
    error = token_error(response)
    return AuthFailed(error) if error else None


class BlueskyCollector(Collector):
    type = "bluesky"
    Settings = BlueskySettings
    settings: BlueskySettings

    def __init__(self, settings: BlueskySettings, client: httpx.Client) -> None:
        super().__init__(settings, client)
        self.base = settings.base_url.rstrip("/")
        self._access: str | None = None

    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        since: dict[str, str] = dict(cursor.get("since", {}))
        posts: dict[str, dict[str, Any]] = {}
        new_since: dict[str, str] = {}
        for term in search_terms(terms):
            found = self._search(term, since.get(term))
            for post in found:
                posts.setdefault(post.get("uri"), post)
            moments = [_sort_at(post) for post in found if _sort_at(post)]
            previous = parse_time(since.get(term))
            newest = advance(moments, previous, times.now())
            new_since[term] = iso(newest)
        mentions = map_items(posts.values(), self._mention, "Bluesky post")
        return Fetched(mentions, {"since": new_since})

    def _search(self, term: str, since: str | None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"q": term, "sort": "latest", "limit": self.settings.limit}
        if since:
            params["since"] = iso(parse_time(since) - OVERLAP)
        if self.settings.lang:
            params["lang"] = self.settings.lang
        for _ in range(self.settings.max_pages if since else 1):
            payload = self._get("/xrpc/app.bsky.feed.searchPosts", params)
            found.extend(expect(payload, "posts", list))
            if not payload.get("cursor"):
                break
            params["cursor"] = payload["cursor"]
        return found

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        """GET with the session; a refused session is made again once, then it is AuthFailed."""
        cached = self._access is not None
        token = self._session()
        try:
            return self._get_with(token, path, params)
        except AuthFailed:
            if not cached:  # a session made just now was refused: logging in again won't help
                raise
            return self._get_with(self._session(renew=True), path, params)

    def _get_with(self, token: str, path: str, params: dict[str, Any]) -> Any:
        response = send(self.client, "GET", self.base + path, params=params,
                        headers={"Authorization": f"Bearer {token}"}, interpret=_token_error)
        return json_body(response)

    def _session(self, renew: bool = False) -> str:
        if self._access and not renew:
            return self._access
        response = send(
            self.client, "POST", self.base + "/xrpc/com.atproto.server.createSession",
            json={"identifier": self.settings.handle,
                  "password": secret(self.settings.app_password)},
            interpret=_token_error,
        )
        self._access = expect(json_body(response), "accessJwt", str)
        return self._access

    def _mention(self, post: dict[str, Any]) -> Mention:
        record, author = post["record"], post["author"]
        reply = record.get("reply") or {}
        langs = record.get("langs") or []
        return Mention(
            source="bluesky",
            source_name=self.settings.name,
            external_id=post["uri"],
            text=record["text"],
            created_at=parse_time(record.get("createdAt") or post["indexedAt"]),
            author=Author(handle=author["handle"], name=author.get("displayName") or None,
                          followers=author.get("followersCount")),
            url=POST_URL.format(handle=author["handle"], rkey=post["uri"].rsplit("/", 1)[-1]),
            lang=langs[0] if langs else None,
            in_reply_to=reply.get("parent", {}).get("uri"),
            conversation_key=reply.get("root", {}).get("uri") or post["uri"],
        )


def _sort_at(post: dict[str, Any]) -> datetime | None:
    """Bluesky orders search by the earlier of createdAt and indexedAt ("sortAt")."""
    try:
        moments = [parse_time(post["indexedAt"]), parse_time(post["record"].get("createdAt"))]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    known = [moment for moment in moments if moment]
    return min(known) if known else None
