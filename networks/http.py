"""One way to talk HTTP for every collector: statuses become typed errors, faults are retried.

Retries are bounded (3 tries, `2**attempt` seconds between them) because a job runs on a
schedule: a source that is down is better reported and tried again next round than waited on.
Rate limits are never slept on; they raise `RateLimited` (read in `networks.ratelimit`) so the
scheduler skips the source.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpx

from networks.errors import AuthFailed, CollectorError, ParseError, SourceUnavailable
from networks.ratelimit import exhausted, rate_limited

log = logging.getLogger(__name__)

TRIES = 3

Interpret = Callable[[httpx.Response], CollectorError | None]
T = TypeVar("T")


def pause(seconds: float) -> None:
    """Every backoff sleep goes through here, so tests can switch sleeping off in one place."""
    time.sleep(seconds)


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    interpret: Interpret | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request; return a 2xx/3xx response or raise a `CollectorError`.

    `interpret` lets a source read its own error bodies first (YouTube's quotaExceeded is a 403
    that means "wait", not "bad key"); returning None falls through to the common rules.
    """
    failure: CollectorError = SourceUnavailable()
    for attempt in range(TRIES):
        if attempt:
            pause(2**attempt)
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TransportError as error:  # connect faults, timeouts, protocol errors
            failure = SourceUnavailable(None, f"{type(error).__name__}: {error}"[:200])
            log.info("%s %s failed (%s), try %d of %d", method, url, error, attempt + 1, TRIES)
            continue
        special = interpret(response) if interpret else None
        if special is not None:
            raise special
        check_status(response)
        if response.status_code < 500:
            return response
        failure = SourceUnavailable(response.status_code, _snippet(response))
        log.info("%s %s answered %d, try %d of %d",
                 method, url, response.status_code, attempt + 1, TRIES)
    raise failure


def check_status(response: httpx.Response) -> None:
    """Raise the typed error a non-retryable status means; 5xx is left to the retry loop."""
    status = response.status_code
    if status in (401, 403):
        raise AuthFailed(f"HTTP {status}: {_snippet(response)}".rstrip(": "))
    if status == 429 or (status < 500 and exhausted(response.headers)):
        raise rate_limited(response.headers)
    if 400 <= status < 500:
        raise SourceUnavailable(status, _snippet(response))


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body, or `ParseError` with a short reason (an HTML page, cut-off JSON)."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as error:
        kind = response.headers.get("content-type", "unknown type")
        raise ParseError(f"expected JSON, got {kind}: {error}"[:200]) from None


def expect(payload: Any, key: str, kind: type | tuple[type, ...]) -> Any:
    """`payload[key]` checked to be of the documented type, else `ParseError` naming the key."""
    if not isinstance(payload, dict) or not isinstance(payload.get(key), kind):
        raise ParseError(f"missing or malformed {key!r} in the answer")
    return payload[key]


def map_items(items: Iterable[Any], to_value: Callable[[Any], T | None], what: str) -> list[T]:
    """Map raw items, skipping the odd malformed one (a deleted post) with a warning.

    Skipping keeps one strange item from blocking the source forever (its cursor would never
    advance); but when every item fails the API has changed, and that is a `ParseError`.
    """
    items = list(items)
    values: list[T] = []
    failures = 0
    for item in items:
        try:
            value = to_value(item)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
            failures += 1
            log.warning("skipped a malformed %s: %r", what, error)
            continue
        if value is not None:
            values.append(value)
    if items and failures == len(items):
        raise ParseError(f"no {what} in the answer had the documented fields")
    return values


def _snippet(response: httpx.Response) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, httpx.ResponseNotRead):
        return ""
    return " ".join(text.split())[:160]
