"""Reading a network's "come back later": `Retry-After`, `x-rate-limit-reset` and their kin.

Collectors and responders both read these headers; neither sleeps on them. A collector raises
`RateLimited` so the scheduler skips the source until the reset, a responder reports the wait
to the outbox.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

from networks.errors import RateLimited

DEFAULT_RETRY_AFTER = 60.0
_EPOCH_THRESHOLD = 1_000_000_000  # a "reset" larger than this is a Unix time, not a delay
_RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
_REMAINING_HEADERS = ("x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining")


def exhausted(headers: httpx.Headers) -> bool:
    """True when the network says no requests are left in this window."""
    for name in _REMAINING_HEADERS:
        value = headers.get(name)
        if value is not None:
            try:
                return float(value) < 1
            except ValueError:
                return False
    return False


def retry_after(headers: httpx.Headers | dict[str, str], now: float | None = None) -> float:
    """Seconds to wait, from whichever header the network uses to say when to come back."""
    now = time.time() if now is None else now
    headers = httpx.Headers(headers)  # case-insensitive, whatever the caller passed
    wait = seconds_until(headers.get("retry-after"), now, epoch=False)
    if wait is None:
        for name in _RESET_HEADERS:
            wait = seconds_until(headers.get(name), now, epoch=True)
            if wait is not None:
                break
    return DEFAULT_RETRY_AFTER if wait is None else max(wait, 1.0)


def rate_limited(headers: httpx.Headers | dict[str, str], now: float | None = None) -> RateLimited:
    """`RateLimited` for a collector, paused until the moment the headers name."""
    now = time.time() if now is None else now
    wait = retry_after(headers, now)
    return RateLimited(wait, datetime.fromtimestamp(now + wait, tz=timezone.utc))


def seconds_until(value: str | None, now: float, epoch: bool) -> float | None:
    """Read a delay ("120"), a Unix time ("1700000000"), an ISO 8601 or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        return _date_seconds(value, now)
    if epoch and number > _EPOCH_THRESHOLD:
        return number - now
    return number


def _date_seconds(value: str, now: float) -> float | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp() - now
