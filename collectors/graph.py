"""What the Facebook and Instagram collectors share: one Graph API client, its errors, its usage
headers and its cursor paging.

Why a client of its own: Meta does not say "slow down" with 429 and Retry-After. It answers 400
or 403 with `{"error": {"code": 4}}` (app), 17 (user), 32 (page), 613 or 80001+ (business use
case), and an expired or revoked token is code 190 whatever the status. It also reports, on
every answer, how much of the hourly budget is used (`X-App-Usage`, `X-Page-Usage`,
`X-Business-Use-Case-Usage`, in percent). Going over the budget blocks the app for up to an
hour, so a source stops itself at `pause_at_percent` (90 by default) *before* the limit.

The token travels in the `Authorization` header, never in a URL, so no log line carries it; the
`paging.next` URLs Meta returns (which embed the token and Meta's host) are never followed: the
next page is asked for again under our own `base_url` with `after=<cursor>`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import abc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import BeforeValidator, Field, SecretStr

from collectors.base import OVERLAP, Collector, Every, Fetched, SourceSettings, parse_time, secret
from networks.errors import AuthFailed, CollectorError, ParseError, RateLimited
from networks.http import expect, json_body, send
from monitor.mention import Mention, ThreadSnapshot

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
TOKEN_CODES = {102, 190}
THROTTLE_CODES = {4, 17, 32, 613, *range(80000, 80015)}
PERMISSION_CODES = {3, 10, *range(200, 300)}
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")
USAGE_WINDOW = timedelta(hours=1)  # Meta counts usage over a rolling hour
BLOCKED_WAIT = timedelta(minutes=15)  # a throttle error with no usage header to estimate from



def _digits_as_text(value: Any) -> Any:
    """Graph ids are numbers people paste unquoted into YAML; they are strings to the API."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


GraphId = Annotated[str, BeforeValidator(_digits_as_text)]


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


@dataclass(frozen=True, slots=True)
class GraphError:
    """The `error` object Meta puts in a failed answer."""

    code: int | None
    subcode: int | None
    message: str
    kind: str

    @property
    def text(self) -> str:
        sub = f"/{self.subcode}" if self.subcode else ""
        return f"{self.message} (code {self.code}{sub})".strip()


class TokenExpired(AuthFailed):
    """Code 190: the token expired, was revoked or the password changed. Nothing but a new token
    helps, and the health page must say so at once: a silently dead token loses comments."""

    def __init__(self, detail: str) -> None:
        CollectorError.__init__(self, f"needs a new token: Meta refused the access token ({detail})")


class UsageHigh(RateLimited):
    """The usage headers crossed `pause_at_percent`: stop before Meta blocks the app."""


def graph_error(response: httpx.Response) -> GraphError | None:
    """Meta's error object from a failed answer, or None when the body is not one."""
    if response.status_code < 400:
        return None
    try:
        error = json.loads(response.content)["error"]
        code, subcode = error.get("code"), error.get("error_subcode")
        return GraphError(int(code) if code is not None else None,
                          int(subcode) if subcode is not None else None,
                          str(error.get("message", ""))[:200], str(error.get("type", "")))
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None


def usage(headers: httpx.Headers) -> tuple[float, float | None]:
    """The highest percentage any usage header reports, and Meta's own wait estimate (seconds)
    when the business-use-case header gives one."""
    highest, regain = 0.0, None
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            payload = json.loads(raw)
        except ValueError:
            log.debug("unreadable %s header: %r", name, raw[:100])
            continue
        for entry in _usage_entries(payload):
            highest = max([highest, *(_number(entry.get(key)) for key in ("call_count", "total_time",
                                                                          "total_cputime"))])
            minutes = _number(entry.get("estimated_time_to_regain_access"))
            if minutes:
                regain = max(regain or 0.0, minutes * 60)
    return highest, regain


def _number(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _usage_entries(payload: Any) -> list[dict[str, Any]]:
    """`X-App-Usage` is one object; `X-Business-Use-Case-Usage` maps ids to lists of them."""
    if isinstance(payload, dict) and any(isinstance(v, list) for v in payload.values()):
        return [entry for value in payload.values() if isinstance(value, list)
                for entry in value if isinstance(entry, dict)]
    return [payload] if isinstance(payload, dict) else []


def estimate_wait(percent: float, regain: float | None, pause_at: float) -> float:
    """Seconds to wait: Meta's estimate when it gives one; otherwise, as usage is counted over a
    rolling hour, the time for calls spread over that hour to fall 10 points below the pause."""
    if regain:
        return max(regain, 60.0)
    target = max(pause_at - 10.0, 0.0)
    share = (percent - target) / percent if percent > 0 else 1.0
    return max(USAGE_WINDOW.total_seconds() * share, 60.0)


def collector_error(response: httpx.Response, pause_at: float = 90.0) -> CollectorError | None:
    """The typed error a Graph error body means (`send`'s `interpret` hook); None falls through."""
    error = graph_error(response)
    if error is None:
        return None
    if error.code in TOKEN_CODES or error.kind == "OAuthException" and error.code is None:
        return TokenExpired(error.text)
    if error.code in THROTTLE_CODES:
        percent, regain = usage(response.headers)
        wait = estimate_wait(max(percent, 100.0), regain, pause_at) if (percent or regain) \
            else BLOCKED_WAIT.total_seconds()
        return RateLimited(wait, message=f"Meta rate limit reached ({error.text}): paused for "
                                         f"{wait / 60:.0f} min")
    if error.code in PERMISSION_CODES:
        return AuthFailed(f"the token lacks a permission: {error.text}")
    return None


class Graph:
    """A Graph API client for one source: versioned URLs, the token in a header, the usage check
    after every answer, and cursor paging."""

    def __init__(self, client: httpx.Client, settings: GraphSettings, token: SecretStr | None) -> None:
        self.client = client
        self.settings = settings
        self.root = f"{settings.base_url.rstrip('/')}/{settings.api_version.strip('/')}"
        self._token = token
        self.calls = 0

    def _auth(self) -> tuple[dict[str, str], dict[str, str]]:
        token = secret(self._token)
        params = {}
        if self.settings.app_secret is not None:
            key = secret(self.settings.app_secret).encode()
            params["appsecret_proof"] = hmac.new(key, token.encode(), hashlib.sha256).hexdigest()
        return {"Authorization": f"Bearer {token}"}, params

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One GET; raises `UsageHigh` when the answer says the budget is nearly spent."""
        headers, auth_params = self._auth()
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
            until = datetime.now(timezone.utc) + timedelta(seconds=wait)
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


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def now() -> datetime:
    """The clock, in one place so tests can fix it."""
    return datetime.now(timezone.utc)


def window_start(cursor: dict[str, Any], settings: GraphSettings, started: datetime) -> datetime:
    """Re-read at least `lookback`, and back to where the last round ended if that is earlier
    (a source paused for a day must not skip that day)."""
    floor = started - settings.lookback
    last = parse_time(cursor.get("read_until"))
    return min(floor, last - OVERLAP) if last else floor


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


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
        started = now()
        since = window_start(cursor, self.settings, started)
        threads: list[ThreadSnapshot] = []
        found = {mention.external_id: mention for mention in self._window(since, threads)}
        return Fetched(list(found.values()), {"read_until": iso(started)}, threads)

    @abc.abstractmethod
    def _window(self, since: datetime, threads: list[ThreadSnapshot]) -> Iterable[Mention]:
        """Every mention of the window, appending a snapshot for each thread read in full."""
