"""Mastodon (and compatible servers) through one instance's API with an access token.

Reads hashtag timelines (`/api/v1/timelines/tag/:tag`) and full-text status search
(`/api/v2/search?type=statuses`, one search per term: the server has no OR). Paging uses
`min_id`, which walks forward from the cursor, so a busy round that stops at `max_pages` resumes
where it stopped instead of skipping the middle.

Ids: a status's local `id` is only meaningful on this instance, so the external id is its
ActivityPub `uri`, the same from every instance. `in_reply_to_id` is local too; it is turned
into the parent's `uri` from the same batch or, a few per round, by looking the parent up.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx
from pydantic import Field, SecretStr

from collectors.base import OVERLAP, Collector, Fetched, SourceSettings, search_terms
from monitor.mention import Author, Mention
from networks.errors import ParseError, SourceUnavailable
from networks.http import expect, json_body, map_items, send
from networks.secrets import secret
from networks.text import html_to_text
from networks.times import parse_time

log = logging.getLogger(__name__)


class MastodonSettings(SourceSettings):
    type: Literal["mastodon"] = "mastodon"
    base_url: str
    access_token: SecretStr | None = None
    hashtags: list[str] = Field(default_factory=list)
    search: bool = True
    limit: int = Field(40, ge=1, le=40)
    parent_lookups: int = Field(20, ge=0, description="parents looked up per round for reply links")

    required_secrets = ("access_token",)


def _id_key(status_id: str) -> tuple[int, str]:
    """Mastodon ids are strings that sort by length, then text (as its docs advise)."""
    return (len(status_id), status_id)


def id_for_now() -> str:
    """A status id for this moment (Mastodon ids are milliseconds << 16), so a first round
    starts from now rather than from whatever the server still has."""
    return str(int(time.time() * 1000) << 16)


def _earlier(status_id: str) -> str:
    if not status_id.isdigit():
        return status_id
    lag = int(OVERLAP.total_seconds() * 1000) << 16
    return str(max(0, int(status_id) - lag))


class MastodonCollector(Collector):
    type = "mastodon"
    Settings = MastodonSettings
    settings: MastodonSettings

    def __init__(self, settings: MastodonSettings, client: httpx.Client) -> None:
        super().__init__(settings, client)
        self.host = urlsplit(settings.base_url).netloc
        self.base = settings.base_url.rstrip("/")

    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        since: dict[str, str] = dict(cursor.get("since", {}))
        statuses: dict[str, dict[str, Any]] = {}
        new_since: dict[str, str] = {}
        for key, path, params, pick in self._streams(terms):
            found = self._read(path, params, pick, since.get(key))
            for status in found:
                statuses.setdefault(status["id"], status)
            ids = [status["id"] for status in found]
            previous = since.get(key)
            ids += [previous] if previous else []
            new_since[key] = max(ids, key=_id_key, default=id_for_now())
        uris = self._parent_uris(list(statuses.values()))
        mentions = map_items(statuses.values(), lambda s: self._mention(s, uris), "Mastodon status")
        unique = {mention.external_id: mention for mention in mentions}
        return Fetched(list(unique.values()), {"since": new_since})

    def _streams(self, terms: list[str]) -> list[tuple[str, str, dict[str, Any], str | None]]:
        """(cursor key, path, params, key of the list in the answer) for each thing we read."""
        streams = []
        for tag in self.settings.hashtags:
            tag = tag.lstrip("#")
            streams.append((f"tag:{tag}", f"/api/v1/timelines/tag/{quote(tag)}", {}, None))
        if self.settings.search:
            for term in search_terms(terms):
                params = {"q": term, "type": "statuses", "resolve": "false"}
                streams.append((f"search:{term}", "/api/v2/search", params, "statuses"))
        return streams

    def _read(self, path: str, params: dict[str, Any], pick: str | None,
              since: str | None) -> list[dict[str, Any]]:
        """Pages forward from the cursor, less `OVERLAP`: a status arriving late by federation
        gets an id from its own (earlier) time, and would otherwise fall behind the cursor."""
        found: list[dict[str, Any]] = []
        since = _earlier(since) if since else None
        for _ in range(self.settings.max_pages if since else 1):
            page = {**params, "limit": self.settings.limit}
            if since:
                page["min_id"] = since
            payload = self._get(path, page)
            batch = expect(payload, pick, list) if pick else payload
            if not isinstance(batch, list):
                raise ParseError("expected a list of statuses")
            batch = [status for status in batch if isinstance(status, dict) and "id" in status]
            if not batch:
                break
            found.extend(batch)
            since = max((status["id"] for status in batch), key=_id_key)
        return found

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {secret(self.settings.access_token)}"}
        return json_body(send(self.client, "GET", self.base + path, params=params, headers=headers))

    def _parent_uris(self, statuses: list[dict[str, Any]]) -> dict[str, str]:
        """Local id to `uri` for this batch, plus parents looked up (best effort, capped)."""
        uris = {status["id"]: status.get("uri") for status in statuses}
        budget = self.settings.parent_lookups
        for status in statuses:
            parent = (status.get("reblog") or status).get("in_reply_to_id")
            if not parent or parent in uris or budget <= 0:
                continue
            budget -= 1
            try:
                uris[parent] = expect(self._get(f"/api/v1/statuses/{parent}"), "uri", str)
            except (SourceUnavailable, ParseError) as error:  # deleted or private parent
                log.info("parent %s of a status not found: %s", parent, error.message)
                uris[parent] = None
        return {key: value for key, value in uris.items() if value}

    def _mention(self, status: dict[str, Any], uris: dict[str, str]) -> Mention:
        status = status.get("reblog") or status  # a boost is the booted post's words
        account = status["account"]
        acct = account["acct"]
        text = html_to_text(status.get("content"))
        if status.get("spoiler_text"):
            text = f"{status['spoiler_text']}\n\n{text}"
        parent = status.get("in_reply_to_id")
        return Mention(
            source="mastodon",
            source_name=self.settings.name,
            external_id=status["uri"],
            text=text,
            created_at=parse_time(status["created_at"]),
            author=Author(
                handle=acct if "@" in acct else f"{acct}@{self.host}",  # local: add the host
                name=account.get("display_name") or account.get("username"),
                followers=account.get("followers_count"),
            ),
            url=status.get("url") or status["uri"],
            lang=status.get("language"),
            in_reply_to=uris.get(parent) if parent else None,
        )
