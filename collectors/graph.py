"""What the Facebook and Instagram collectors share: one Graph API client, its usage check and
its cursor paging (what Meta's codes and headers mean is in `networks.graph`).

Going over Meta's hourly budget blocks the app for up to an hour, so a source stops itself at
`pause_at_percent` (90 by default) *before* the limit.

The `paging.next` URLs Meta returns (which embed the token and Meta's host) are never followed:
the next page is asked for again under our own `base_url` with `after=<cursor>`.
"""
from __future__ import annotations

import abc
import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import Field, SecretStr

from collectors.base import OVERLAP, Collector, Every, Fetched, SourceSettings
from monitor.mention import Mention, ThreadSnapshot
from networks import times
from networks.errors import AuthFailed, CollectorError, ParseError, RateLimited
from networks.graph import DEFAULT_BASE_URL, DEFAULT_VERSION, api_root, credentials, estimate_wait, graph_error, usage
from networks.http import expect, json_body, send

log = logging.getLogger(__name__)

BLOCKED_WAIT = timedelta(minutes=15)  # a throttle error with no usage header to estimate from


class GraphSettings(SourceSettings):
    """The keys every Graph API source takes (the API changes version yearly: `api_version`)."""

    base_url: str = DEFAULT_BASE_URL
    api_version: str = DEFAULT_VERSION
    app_secret: SecretStr | None = Field(None, description="adds appsecret_proof when the app requires it")
    lookback: Every = Field(timedelta(days=3), description="posts this recent are re-read for new, "
                                                           "edited and deleted comments every round")
    brand: str | None = Field(None, description="the brand this account belongs to: every comment "
                                                "on it is kept, matching a query or not")
    pause_at_percent: float = Field(90.0, gt=0, le=100)
    comment_pages: int = Field(5, ge=1, le=100, description="comment pages read per post")


class TokenExpired(AuthFailed):
    """Code 190: the token expired, was revoked or the password changed. Nothing but a new token
    helps, and the health page must say so at once: a silently dead token loses comments."""

    def __init__(self, detail: str) -> None:
        CollectorError.__init__(self, f"needs a new token: Meta refused the access token ({detail})")


class UsageHigh(RateLimited):
    """The usage headers crossed `pause_at_percent`: stop before Meta blocks the app."""


def collector_error(response: httpx.Response, pause_at: float = 90.0) -> CollectorError | None:
    """The typed error a Graph error body means (`send`'s `interpret` hook); None falls through."""
    error = graph_error(response)
    if error is None:
        return None
    if error.token_refused:
        return TokenExpired(error.text)
    if error.throttled:
        percent, regain = usage(response.headers)
        wait = estimate_wait(max(percent, 100.0), regain, pause_at) if (percent or regain) \
            else BLOCKED_WAIT.total_seconds()
        return RateLimited(wait, message=f"Meta rate limit reached ({error.text}): paused for "
                                         f"{wait / 60:.0f} min")
    if error.lacks_permission:
        return AuthFailed(f"the token lacks a permission: {error.text}")
    return None


class Graph:
    """A Graph API client for one source: versioned URLs, the token in a header, the usage check
    after every answer, and cursor paging."""

    def __init__(self, client: httpx.Client, settings: GraphSettings, token: SecretStr | None) -> None:
        self.client = client
        self.settings = settings
        self.root = api_root(settings.base_url, settings.api_version)
        self._token = token
        self.calls = 0

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One GET; raises `UsageHigh` when the answer says the budget is nearly spent."""
        headers, auth_params = credentials(self._token, self.settings.app_secret)
        response = send(self.client, "GET", f"{self.root}/{path.lstrip('/')}",
                        params={**(params or {}), **auth_params}, headers=headers,
                        interpret=lambda r: collector_error(r, self.settings.pause_at_percent))
        self.calls += 1
        self._check_usage(response.headers)
        payload = json_body(response)
        if not isinstance(payload, dict):
            raise ParseError("expected a JSON object")
        return payload

    def _check_usage(self, headers: httpx.Headers) -> None:
        percent, regain = usage(headers)
        pause_at = self.settings.pause_at_percent
        if percent >= pause_at:
            wait = estimate_wait(percent, regain, pause_at)
            until = times.now() + timedelta(seconds=wait)
            raise UsageHigh(wait, until, f"Graph API usage at {percent:.0f}% of Meta's limit: paused "
                                         f"until {until:%Y-%m-%d %H:%M} UTC, before Meta blocks the app")

    def pages(self, path: str, params: dict[str, Any], max_pages: int) -> Iterator[list[dict[str, Any]]]:
        """The `data` of each page of an edge, newest first, following `after` cursors."""
        query = dict(params)
        for _ in range(max_pages):
            payload = self.get(path, query)
            yield expect(payload, "data", list)
            after = next_cursor(payload)
            if after is None:
                return
            query = {**params, **after}

    def rest_of(self, edge: dict[str, Any] | None, path: str, params: dict[str, Any],
                max_pages: int) -> tuple[list[dict[str, Any]], bool]:
        """All items of a nested edge (`comments{...}` inside a post): the first page as given,
        then more from `path`. Returns the items and whether they are all of them."""
        items = list((edge or {}).get("data") or [])
        after = next_cursor(edge or {})
        for _ in range(max_pages - 1):
            if after is None:
                return items, True
            payload = self.get(path, {**params, **after})
            items.extend(expect(payload, "data", list))
            after = next_cursor(payload)
        return items, after is None


def next_cursor(payload: dict[str, Any]) -> dict[str, str] | None:
    """The query that asks for the next page, or None on the last page. Meta omits `next` at
    the end; its `cursors.after` is kept, so `next` is what says whether there is more."""
    paging = payload.get("paging") or {}
    if not paging.get("next"):
        return None
    after = (paging.get("cursors") or {}).get("after")
    if after:
        return {"after": str(after)}
    query = parse_qs(urlsplit(str(paging["next"])).query)  # time-paged edges: until / token
    kept = {key: values[0] for key, values in query.items()
            if key in ("until", "since", "__paging_token", "after", "offset") and values}
    return kept or None


def window_start(cursor: dict[str, Any], settings: GraphSettings, started: datetime) -> datetime:
    """Re-read at least `lookback`, and back to where the last round ended if that is earlier
    (a source paused for a day must not skip that day)."""
    floor = started - settings.lookback
    last = times.parse_time(cursor.get("read_until"))
    return min(floor, last - OVERLAP) if last else floor


class GraphCollector(Collector):
    """What the Facebook Page and Instagram collectors share: a `Graph` client holding the
    source's token (`token_field` names the setting), and a round that re-reads the lookback
    window (`_window`, the network's part), keeps each mention once (the last read wins) with the
    thread snapshots, and resumes from when the round started."""

    token_field: ClassVar[str]
    settings: GraphSettings

    def __init__(self, settings: GraphSettings, client: httpx.Client) -> None:
        super().__init__(settings, client)
        self.graph = Graph(client, settings, getattr(settings, self.token_field))

    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        started = times.now()
        since = window_start(cursor, self.settings, started)
        threads: list[ThreadSnapshot] = []
        found = {mention.external_id: mention for mention in self._window(since, threads)}
        return Fetched(list(found.values()), {"read_until": times.iso(started)}, threads)

    @abc.abstractmethod
    def _window(self, since: datetime, threads: list[ThreadSnapshot]) -> Iterable[Mention]:
        """Every mention of the window, appending a snapshot for each thread read in full."""
