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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


class SkipTally:
    """Malformed items skipped during one source's round, counted where they are skipped."""

    def __init__(self) -> None:
        self.count = 0
        self.reasons: dict[str, int] = {}

    def add(self, reason: str) -> None:
        self.count += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def summary(self) -> str:
        """The commonest reasons in plain words, for a source's error line."""
        common = sorted(self.reasons.items(), key=lambda pair: -pair[1])[:3]
        return "; ".join(f"{reason} ({n}x)" if n > 1 else reason for reason, n in common)


_tally: ContextVar[SkipTally | None] = ContextVar("skip_tally", default=None)


@contextmanager
def counting_skips() -> Iterator[SkipTally]:
    """Count every item `map_items` skips inside the block (one source's round), whichever
    collector and whichever of its listings skipped it, without threading a counter through."""
    tally = SkipTally()
    token = _tally.set(tally)
    try:
        yield tally
    finally:
        _tally.reset(token)


def map_items(items: Iterable[Any], to_value: Callable[[Any], T | None], what: str) -> list[T]:
    """Map raw items, skipping (and counting) each malformed one with a warning naming the field.

    This is the one place a collector's per-item failures are handled: a deleted post or a
    comment without a field must not cost the good items read with it, nor keep the source's
    cursor from moving. Even when every item of one listing fails, the others of the same round
    are kept; the caller of `counting_skips` decides what a round with nothing but skips means.
    """
    values: list[T] = []
    tally = _tally.get()
    for item in items:
        try:
            value = to_value(item)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
            reason = f"{what} {_why(error)}"
            log.warning("skipped a malformed %s", reason)
            if tally is not None:
                tally.add(reason)
            continue
        if value is not None:
            values.append(value)
    return values


def _why(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"without the field {error.args[0]!r}" if error.args else "without a field"
    return f"with a malformed field ({type(error).__name__}: {error})"[:160]


def _snippet(response: httpx.Response) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, httpx.ResponseNotRead):
        return ""
    return " ".join(text.split())[:160]
