"""X (Twitter) pieces the collector, the responder, the importer and the demo share: the
snowflake clock in every tweet id, and the `requests` session tweepy talks through.

tweepy speaks `requests`, not httpx, so its session gets two adapters: one that gives every
request a timeout (tweepy sends without one, and a scheduled job must never hang on a silent
socket), and one that points it at `base_url` instead of the api.twitter.com it hard-codes
(tests and self-hosted proxies).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import requests

API = "https://api.twitter.com"
TIMEOUT = 30.0  # seconds, connect and read
TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here, shifted by 22 bits


def snowflake_time(tweet_id: str | int) -> datetime:
    """A tweet's creation time from its id: `ms = (id >> 22) + TWITTER_EPOCH_MS`."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWITTER_EPOCH_MS) / 1000, tz=timezone.utc)


def snowflake_at(moment: datetime) -> int:
    """The smallest id a tweet posted at `moment` can have (for `since_id`)."""
    return int(moment.timestamp() * 1000 - TWITTER_EPOCH_MS) << 22


class TimeoutAdapter(requests.adapters.HTTPAdapter):
    """Sends with `TIMEOUT` whenever the caller gave none."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = TIMEOUT
        return super().send(request, **kwargs)


class RebaseAdapter(requests.adapters.BaseAdapter):
    """Sends what was addressed to `API` to `base_url` instead."""

    def __init__(self, session: requests.Session, base_url: str) -> None:
        super().__init__()
        self.session, self.base_url = session, base_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = self.base_url + request.url.removeprefix(API)
        return self.session.get_adapter(request.url).send(request, **kwargs)

    def close(self) -> None:
        pass


def fit_session(session: requests.Session, base_url: str = API) -> None:
    """Mount the timeout on every request of tweepy's session, and the rebase when `base_url`
    is not X's own."""
    for scheme in ("https://", "http://"):
        session.mount(scheme, TimeoutAdapter())
    if base_url.rstrip("/") != API:
        session.mount(API, RebaseAdapter(session, base_url))
