"""Replay kit for collector tests: recorded answers served through `httpx.MockTransport`,
and the failure rows every source's table shares (401, 429 with headers, 500, malformed)."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from collectors.base import Fetched
from networks.errors import AuthFailed, ParseError, RateLimited, SourceUnavailable

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LOCAL = "http://127.0.0.1:8765"
TERMS = ["acme", '"acme shop"', "dział*"]


def fixture_bytes(source: str, name: str) -> bytes:
    return (FIXTURES / source / name).read_bytes()


def fixture_json(source: str, name: str) -> Any:
    return json.loads(fixture_bytes(source, name))


@dataclass
class Reply:
    """One recorded answer: a status, a body (fixture file name, bytes or JSON-able) and headers."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def response(self, request: httpx.Request) -> httpx.Response:
        body, headers = self.body, dict(self.headers)
        if isinstance(body, str) and self.source:
            body = fixture_bytes(self.source, body)
            if body.lstrip()[:1] in (b"{", b"["):
                headers.setdefault("content-type", "application/json")
        elif not isinstance(body, (bytes, str)):
            body = json.dumps(body).encode()
            headers.setdefault("content-type", "application/json")
        return httpx.Response(self.status, content=body, headers=headers, request=request)


class Replayer:
    """A mock transport keyed by "METHOD /path": replies are given in order, the last repeats."""

    def __init__(self, routes: dict[str, list[Reply]]) -> None:
        self.routes = {key: list(replies) for key, replies in routes.items()}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = f"{request.method} {request.url.path}"
        replies = self.routes.get(key)
        if not replies:
            return httpx.Response(404, content=f"no recorded reply for {key}".encode())
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        return reply.response(request)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def sent(self, path: str) -> list[httpx.Request]:
        return [request for request in self.requests if request.url.path == path]


@dataclass
class Case:
    """One row of a source's table: what the network answers, and what we expect back."""

    id: str
    routes: dict[str, list[Reply]]
    cursor: dict[str, Any] = field(default_factory=dict)
    terms: list[str] = field(default_factory=lambda: list(TERMS))
    raises: type[Exception] | None = None
    check: Callable[[Any, Replayer], None] | None = None


def failure_rows(route: str, extra_routes: dict[str, list[Reply]] | None = None,
                 rate_headers: dict[str, str] | None = None,
                 cursor: dict[str, Any] | None = None) -> list[Case]:
    """401, 429 with headers, 500 then retries, and a malformed body, for one endpoint."""
    extra = extra_routes or {}
    headers = rate_headers or {"Retry-After": "120"}

    def row(name: str, reply: Reply, raises: type[Exception]) -> Case:
        return Case(name, {**extra, route: [reply]}, cursor=dict(cursor or {}), raises=raises)

    return [
        row("401", Reply(401, {"error": "invalid token"}), AuthFailed),
        row("429 with headers", Reply(429, {"error": "slow down"}, headers), RateLimited),
        row("500 retried", Reply(500, b"oops"), SourceUnavailable),
        row("malformed", Reply(200, b"<html>Bad gateway</html>", {"content-type": "text/html"}),
            ParseError),
    ]


def run_case(case: Case, make: Callable[[httpx.Client], Any], slept: list[float],
             replayer: Replayer | None = None) -> Any:
    """Run one row and check it the same way for every source."""
    replayer = replayer or Replayer(case.routes)
    collector = make(replayer.client())
    if case.raises:
        with pytest.raises(case.raises) as caught:
            collector.fetch(dict(case.cursor), list(case.terms))
        error = caught.value
        assert error.message  # every failure says something a person can read
        if isinstance(error, RateLimited):
            assert 1 <= error.retry_after <= 86400
        if isinstance(error, SourceUnavailable) and error.status == 500:
            assert slept == [2, 4]  # 3 tries, 2**attempt between them, never slept for real
        if case.check:
            case.check(error, replayer)
        return error
    result = collector.fetch(dict(case.cursor), list(case.terms))
    assert isinstance(result, Fetched)
    for mention in result.mentions:
        assert mention.created_at.utcoffset().total_seconds() == 0
    if case.check:
        case.check(result, replayer)
    return result
