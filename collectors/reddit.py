"""Reddit through its OAuth API with an app-only (client-credentials) token.

Reads site-wide `search` sorted by new (posts only: Reddit's search does not cover comments)
and, for configured subreddits, their `new` posts and newest comments, which is where customers
ask for help. Listings are newest first; the cursor keeps, per listing, the newest
`created_utc` seen. Reddit requires a descriptive User-Agent and meters by `X-Ratelimit-*`.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Literal

import httpx
from pydantic import Field, SecretStr

from collectors.base import OVERLAP, Collector, Fetched, SourceSettings, advance, or_query
from monitor.mention import Author, Mention
from networks.errors import AuthFailed
from networks.http import expect, json_body, map_items, send
from networks.secrets import secret
from networks.times import parse_time

log = logging.getLogger(__name__)

WEB = "https://www.reddit.com"
LAG = OVERLAP.total_seconds()


class RedditSettings(SourceSettings):
    type: Literal["reddit"] = "reddit"
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    base_url: str = "https://oauth.reddit.com"
    auth_url: str = f"{WEB}/api/v1/access_token"
    user_agent: str = "python:nasluch:0.1.0 (self-hosted brand listening)"
    username: str | None = Field(None, description="the app owner's Reddit name, for the UA")
    subreddits: list[str] = Field(default_factory=list)
    search: bool = True
    comments: bool = True
    limit: int = Field(100, ge=1, le=100)

    required_secrets = ("client_id", "client_secret")


class RedditCollector(Collector):
    type = "reddit"
    Settings = RedditSettings
    settings: RedditSettings

    def __init__(self, settings: RedditSettings, client: httpx.Client) -> None:
        super().__init__(settings, client)
        self._token: str | None = None
        self._token_expires = 0.0

    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        since: dict[str, float] = dict(cursor.get("since", {}))
        mentions: dict[str, Mention] = {}
        new_since: dict[str, float] = {}
        for key, path, params in self._listings(terms):
            children = self._read(path, params, since.get(key))
            for mention in map_items(children, self._mention, "Reddit item"):
                mentions.setdefault(mention.external_id, mention)
            times = [_created(child) for child in children]
            new_since[key] = advance(times, since.get(key), time.time())
        return Fetched(list(mentions.values()), {"since": new_since})

    def _listings(self, terms: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """(cursor key, path, params) of every listing this source reads."""
        listings = []
        query = or_query(terms)
        if self.settings.search and query:
            params = {"q": query, "sort": "new", "type": "link"}
            listings.append((f"search:{query}", "/search", params))
        for name in self.settings.subreddits:
            name = name.removeprefix("r/").strip("/")
            listings.append((f"r/{name}/new", f"/r/{name}/new", {}))
            if self.settings.comments:
                listings.append((f"r/{name}/comments", f"/r/{name}/comments", {}))
        return listings

    def _read(self, path: str, params: dict[str, Any], since: float | None) -> list[dict[str, Any]]:
        """Newest-first pages until one reaches `since`; a first round reads just one page."""
        children: list[dict[str, Any]] = []
        after = None
        for _ in range(self.settings.max_pages if since is not None else 1):
            page = {**params, "limit": self.settings.limit, "raw_json": 1}
            if after:
                page["after"] = after
            listing = expect(self._get(path, page), "data", dict)
            children_here = expect(listing, "children", list)
            batch = [child for child in children_here if _created(child) is not None]
            fresh = [child for child in batch if since is None or _created(child) >= since - LAG]
            children.extend(fresh)
            after = listing.get("after")
            if not after or len(fresh) < len(batch):
                break
        return children

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        """GET with the app token; a refused token is renewed once (it may have been revoked
        early) before the source is reported as needing new credentials."""
        cached = self._token is not None
        token = self._access_token()
        try:
            return self._get_with(token, path, params)
        except AuthFailed:
            if not cached:  # a token made just now was refused: a new one won't help
                raise
            return self._get_with(self._access_token(renew=True), path, params)

    def _get_with(self, token: str, path: str, params: dict[str, Any]) -> Any:
        headers = {"Authorization": f"bearer {token}", "User-Agent": self._agent()}
        url = self.settings.base_url + path
        return json_body(send(self.client, "GET", url, params=params, headers=headers))

    def _access_token(self, renew: bool = False) -> str:
        if self._token and not renew and time.monotonic() < self._token_expires:
            return self._token
        response = send(
            self.client, "POST", self.settings.auth_url,
            data={"grant_type": "client_credentials"},
            auth=(secret(self.settings.client_id), secret(self.settings.client_secret)),
            headers={"User-Agent": self._agent()},
        )
        payload = json_body(response)
        if isinstance(payload, dict) and payload.get("error"):
            raise AuthFailed(f"Reddit said {payload['error']}")
        self._token = expect(payload, "access_token", str)
        self._token_expires = time.monotonic() + float(payload.get("expires_in", 3600)) - 60
        return self._token

    def _agent(self) -> str:
        agent = self.settings.user_agent
        return f"{agent} (by /u/{self.settings.username})" if self.settings.username else agent

    def _mention(self, child: dict[str, Any]) -> Mention | None:
        data = child["data"]
        if child["kind"] == "t3":
            body = data.get("selftext") or ""
            text = f"{data['title']}\n\n{body}".strip()
            in_reply_to, conversation = None, data["name"]
        elif child["kind"] == "t1":
            text, in_reply_to, conversation = data["body"], data["parent_id"], data["link_id"]
        else:
            return None
        return Mention(
            source="reddit",
            source_name=self.settings.name,
            external_id=data["name"],
            text=text,
            created_at=parse_time(data["created_utc"]),
            author=Author(handle=data["author"]),
            url=_permalink(child["kind"], data),
            in_reply_to=in_reply_to,
            conversation_key=conversation,
        )


def _permalink(kind: str, data: dict[str, Any]) -> str:
    """The post's page; some listings (comments read through /api/info, older archives) leave
    `permalink` out, and Reddit resolves a short link built from the ids to the same page."""
    if data.get("permalink"):
        return WEB + data["permalink"]
    if kind == "t1":
        return f"{WEB}/comments/{data['link_id'].removeprefix('t3_')}/_/{data['id']}/"
    return f"{WEB}/comments/{data['name'].removeprefix('t3_')}/"


def _created(child: Any) -> float | None:
    try:
        return float(child["data"]["created_utc"])
    except (KeyError, TypeError, ValueError):
        return None
