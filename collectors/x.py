"""X (Twitter) recent search through tweepy, with an app bearer token.

tweepy speaks `requests`, not httpx, so it sits behind a thin adapter (`TweepySearch`) that
returns the raw v2 JSON and turns tweepy's exceptions into ours; the mapping to `Mention`
works on that JSON alone. `wait_on_rate_limit` stays off: a job never sleeps for 15 minutes,
it raises `RateLimited` and the scheduler skips the source until the reset.

The cursor is the newest tweet id per query (`since_id`). Recent search only reaches 7 days
back and refuses an older `since_id`, so a cursor that old is replaced by a `start_time`.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Literal

import httpx
import requests
import tweepy
from pydantic import Field, SecretStr

from collectors.base import Collector, Fetched, SourceSettings, search_terms
from monitor.mention import Author, Mention
from networks import http, times
from networks.errors import AuthFailed, CollectorError, ParseError, SourceUnavailable
from networks.http import map_items
from networks.ratelimit import exhausted, rate_limited
from networks.secrets import secret
from networks.times import parse_time
from networks.x import API, fit_session, snowflake_at, snowflake_time

log = logging.getLogger(__name__)

MAX_QUERY = 512
WINDOW = timedelta(days=7) - timedelta(hours=1)  # recent search reach, with a margin
TWEET_FIELDS = [
    "created_at", "lang", "conversation_id", "referenced_tweets", "author_id", "note_tweet",
]
USER_FIELDS = ["username", "name", "public_metrics"]


class XSettings(SourceSettings):
    type: Literal["x"] = "x"
    bearer_token: SecretStr | None = None
    base_url: str = API
    max_results: int = Field(100, ge=10, le=100)
    exclude_retweets: bool = True

    required_secrets = ("bearer_token",)


class TweepySearch:
    """The thin adapter: one recent-search call in, raw JSON out, typed errors on failure."""

    def __init__(self, bearer_token: str, base_url: str = API) -> None:
        self.client = tweepy.Client(bearer_token=bearer_token, return_type=requests.Response,
                                    wait_on_rate_limit=False)
        fit_session(self.client.session, base_url)

    def search(self, query: str, **params: Any) -> dict[str, Any]:
        """Call `search_recent_tweets`, retrying faults like `http.send` does."""
        failure: CollectorError = SourceUnavailable()
        for attempt in range(http.TRIES):
            if attempt:
                http.pause(2**attempt)
            try:
                response = self.client.search_recent_tweets(
                    query, expansions=["author_id"], tweet_fields=TWEET_FIELDS,
                    user_fields=USER_FIELDS, **params)
            except (tweepy.TwitterServerError, requests.ConnectionError, requests.Timeout) as error:
                failure = _translate(error)
                continue
            except (tweepy.TweepyException, requests.RequestException) as error:
                raise _translate(error) from None
            return _json(response)
        raise failure


def _translate(error: Exception) -> CollectorError:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(error, tweepy.TooManyRequests):
        return rate_limited(dict(response.headers))
    if isinstance(error, (tweepy.Unauthorized, tweepy.Forbidden)):
        return AuthFailed(f"HTTP {status}: {'; '.join(getattr(error, 'api_messages', []))}"[:200])
    return SourceUnavailable(status, str(error)[:200])


def _json(response: requests.Response) -> dict[str, Any]:
    if exhausted(httpx.Headers(dict(response.headers))):
        raise rate_limited(dict(response.headers))
    try:
        payload = response.json()
    except ValueError as error:
        raise ParseError(f"expected JSON from X: {error}"[:200]) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("meta", {}), dict):
        raise ParseError("expected a JSON object with 'meta'")
    return payload


class XCollector(Collector):
    type = "x"
    Settings = XSettings
    settings: XSettings

    def __init__(self, settings: XSettings, client: httpx.Client,
                 api: TweepySearch | None = None) -> None:
        super().__init__(settings, client)  # the httpx client is unused: tweepy brings its own
        self.api = api or TweepySearch(secret(settings.bearer_token), settings.base_url)

    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        since: dict[str, str] = dict(cursor.get("since_id", {}))
        mentions: dict[str, Mention] = {}
        new_since: dict[str, str] = {}
        for query in self.queries(terms):
            pages = self._search(query, since.get(query))
            for payload in pages:
                for mention in tweets_to_mentions(payload, self.settings.name):
                    mentions.setdefault(mention.external_id, mention)
            newest = [int(p["meta"]["newest_id"]) for p in pages if p["meta"].get("newest_id")]
            previous = [int(since[query])] if since.get(query) else []
            start = snowflake_at(times.now())
            new_since[query] = str(max(newest + previous, default=start))
        return Fetched(list(mentions.values()), {"since_id": new_since})

    def queries(self, terms: list[str]) -> list[str]:
        """OR-joined terms (X has no wildcard: `dział*` searches `dział`), split to fit 512."""
        suffix = " -is:retweet" if self.settings.exclude_retweets else ""
        queries, current = [], []
        for term in search_terms(terms):
            trial = current + [term]
            if current and len(f"({' OR '.join(trial)}){suffix}") > MAX_QUERY:
                queries.append(current)
                trial = [term]
            current = trial
        if current:
            queries.append(current)
        return [f"({' OR '.join(group)}){suffix}" for group in queries]

    def _search(self, query: str, since_id: str | None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"max_results": self.settings.max_results}
        if since_id and snowflake_time(since_id) > times.now() - WINDOW:
            params["since_id"] = since_id
        elif since_id:  # too old for recent search: read the whole window instead
            params["start_time"] = times.now() - WINDOW
        pages = []
        for _ in range(self.settings.max_pages if since_id else 1):
            payload = self.api.search(query, **params)
            pages.append(payload)
            token = payload["meta"].get("next_token")
            if not token:
                return pages
            params["next_token"] = token
        if since_id:
            log.warning("more than %d pages of new posts for %r; older ones skipped",
                        len(pages), query)
        return pages


def tweets_to_mentions(payload: dict[str, Any], source_name: str | None = None) -> list[Mention]:
    """Map one recent-search answer (v2 JSON with `includes.users`) to mentions."""
    included = payload.get("includes", {}).get("users", [])
    users = {user["id"]: user for user in included if "id" in user}
    tweets = payload.get("data") or []
    return map_items(tweets, lambda tweet: _mention(tweet, users, source_name), "post")


def _mention(tweet: dict[str, Any], users: dict[str, Any], source_name: str | None) -> Mention:
    user = users.get(tweet["author_id"], {})
    handle = user.get("username") or tweet["author_id"]
    refs = tweet.get("referenced_tweets") or []
    replied = [ref["id"] for ref in refs if ref["type"] == "replied_to"]
    lang = tweet.get("lang")
    return Mention(
        source="x",
        source_name=source_name,
        external_id=tweet["id"],
        text=(tweet.get("note_tweet") or {}).get("text") or tweet["text"],
        created_at=parse_time(tweet["created_at"]),
        author=Author(handle=handle, name=user.get("name"),
                      followers=(user.get("public_metrics") or {}).get("followers_count")),
        url=f"https://x.com/{handle}/status/{tweet['id']}",
        lang=None if lang in (None, "und", "zxx", "qme", "qht", "qam") else lang,
        in_reply_to=replied[0] if replied else None,
        conversation_key=tweet.get("conversation_id"),
    )
