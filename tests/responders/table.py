"""The failure rows every responder's table shares (401, 429, 5xx, timeout, connection
refused) and the error kind each must become; the recorded answers come from `tests.http_kit`."""
from __future__ import annotations

from typing import Any

import httpx

from tests.http_kit import Answer


def failure_rows(post: str, refusal: dict[str, Any] | None = None) -> list[tuple[str, dict[str, Answer], str]]:
    """(id, answer to the posting request, expected error kind): the shared table."""
    return [
        ("401", {post: Answer(401, refusal or {"error": "invalid token"})}, "auth"),
        ("429", {post: Answer(429, {"error": "Too many requests"}, {"Retry-After": "120"})}, "rate_limited"),
        ("500", {post: Answer(500, {"error": "boom"})}, "unavailable"),
        ("503-html", {post: Answer(503, None, {"content-type": "text/html"})}, "unavailable"),
        ("timeout", {post: Answer(fault=httpx.ReadTimeout)}, "lost"),
        ("refused", {post: Answer(fault=httpx.ConnectError)}, "unreachable"),
    ]
