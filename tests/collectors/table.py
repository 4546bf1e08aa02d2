"""The table every collector's tests share: a row type, the failure rows every source has
(401, 429 with headers, 500, malformed) and one way to run and check a row. The recorded
answers come from `tests.http_kit`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from collectors.base import Fetched
from networks.errors import AuthFailed, ParseError, RateLimited, SourceUnavailable
from tests.http_kit import Answer, Replayer

TERMS = ["acme", '"acme shop"', "dział*"]


@dataclass
class Case:
    """One row of a source's table: what the network answers, and what we expect back."""

    id: str
    routes: dict[str, list[Answer]]
    cursor: dict[str, Any] = field(default_factory=dict)
    terms: list[str] = field(default_factory=lambda: list(TERMS))
    raises: type[Exception] | None = None
    check: Callable[[Any, Replayer], None] | None = None


def failure_rows(route: str, extra_routes: dict[str, list[Answer]] | None = None,
                 rate_headers: dict[str, str] | None = None,
                 cursor: dict[str, Any] | None = None) -> list[Case]:
    """401, 429 with headers, 500 then retries, and a malformed body, for one endpoint."""
    extra = extra_routes or {}
    headers = rate_headers or {"Retry-After": "120"}

    def row(name: str, answer: Answer, raises: type[Exception]) -> Case:
        return Case(name, {**extra, route: [answer]}, cursor=dict(cursor or {}), raises=raises)

    return [
        row("401", Answer(401, {"error": "invalid token"}), AuthFailed),
        row("429 with headers", Answer(429, {"error": "slow down"}, headers), RateLimited),
        row("500 retried", Answer(500, b"oops"), SourceUnavailable),
        row("malformed", Answer(200, b"<html>Bad gateway</html>", {"content-type": "text/html"}),
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
