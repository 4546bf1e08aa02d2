"""Rate-limit headers, as each network writes them, read the same way for collectors and
responders."""
from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from networks.ratelimit import exhausted, rate_limited, retry_after

NOW = datetime(2024, 11, 12, 10, 0, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize("headers,seconds", [
    ({"Retry-After": "120"}, 120),
    ({"Retry-After": "Tue, 12 Nov 2024 10:02:00 GMT"}, 120),
    ({"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW) + 900)}, 900),  # X: Unix time
    ({"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "412"}, 412),  # Reddit: seconds
    ({"X-RateLimit-Reset": "2024-11-12T10:05:00.000Z"}, 300),  # Mastodon: ISO 8601
    ({"ratelimit-reset": str(int(NOW) + 60)}, 60),  # Bluesky: Unix time
    ({}, 60),  # nothing said: a minute
    ({"Retry-After": "0"}, 1),  # never a busy loop
])
def test_rate_limit_headers(headers, seconds) -> None:
    assert retry_after(headers, now=NOW) == seconds
    error = rate_limited(headers, now=NOW)
    assert error.retry_after == seconds
    assert error.reset_at.timestamp() == NOW + seconds


@pytest.mark.parametrize("headers,empty", [
    ({"x-rate-limit-remaining": "0"}, True),
    ({"X-RateLimit-Remaining": "0.4"}, True),
    ({"ratelimit-remaining": "3"}, False),
    ({"x-ratelimit-remaining": "soon"}, False),
    ({}, False),
])
def test_exhausted_reads_the_remaining_count(headers, empty) -> None:
    assert exhausted(httpx.Headers(headers)) is empty
