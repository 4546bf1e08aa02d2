"""X (Twitter): tweepy's `create_tweet(in_reply_to_tweet_id=...)` with the brand's user tokens.

tweepy speaks `requests`, so it sits behind a thin adapter (`TweepyPoster`) like the collector's:
one call in, raw JSON out, tweepy's and requests' exceptions turned into failure kinds. The
parent's tweet id is the collector's external id, so nothing more is stored.

X has no idempotency key for posts. After a lost answer `find_sent` searches the conversation
(`conversation_id:<root> from:<our handle>`) for a reply of ours to the same tweet, same text.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

import requests
import tweepy
from pydantic import SecretStr

from networks.ratelimit import retry_after
from networks.secrets import secret
from networks.times import parse_time
from networks.x import API, fit_session
from responders.base import Failure, ReplyTarget, Responder, ResponderSettings, SendResult


class XResponderSettings(ResponderSettings):
    network: Literal["x"] = "x"
    base_url: str = API
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None
    username: str | None = None  # our handle, to find a reply after a lost answer

    required_secrets = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


class TweepyPoster:
    """The thin adapter: tweepy calls in, JSON out, `Failure` on anything else."""

    def __init__(self, settings: XResponderSettings) -> None:
        self.client = tweepy.Client(
            consumer_key=secret(settings.consumer_key), consumer_secret=secret(settings.consumer_secret),
            access_token=secret(settings.access_token), access_token_secret=secret(settings.access_token_secret),
            return_type=requests.Response, wait_on_rate_limit=False)
        fit_session(self.client.session, settings.base_url)

    def reply(self, text: str, parent_id: str) -> dict[str, Any]:
        return self._call(lambda: self.client.create_tweet(text=text, in_reply_to_tweet_id=parent_id,
                                                           user_auth=True), posting=True)

    def search(self, query: str) -> dict[str, Any]:
        return self._call(lambda: self.client.search_recent_tweets(
            query, tweet_fields=["created_at", "referenced_tweets"], max_results=100, user_auth=True),
            posting=False)

    def _call(self, call: Any, posting: bool) -> dict[str, Any]:
        try:
            response = call()
        except requests.ConnectTimeout:
            raise Failure("unreachable", "could not reach X (connect timeout)") from None
        except requests.RequestException as error:  # a read timeout or a dropped connection
            raise Failure("lost" if posting else "unreachable",
                          f"no answer from X ({type(error).__name__})") from None
        except tweepy.HTTPException as error:
            raise _failure(error, posting) from None
        try:
            return response.json()
        except ValueError:
            raise Failure("lost" if posting else "unreachable", "X's answer was not JSON") from None


def _failure(error: tweepy.HTTPException, posting: bool) -> Failure:
    status = error.response.status_code
    reason = f"HTTP {status}: " + "; ".join(error.api_messages or [str(error)])
    if isinstance(error, tweepy.TooManyRequests):
        return Failure("rate_limited", f"rate limited ({reason})",
                       retry_after(dict(error.response.headers)))
    if isinstance(error, tweepy.Unauthorized):
        return Failure("auth", f"X refused our credentials ({reason})")
    if isinstance(error, tweepy.NotFound):
        return Failure("not_found", f"the post is gone or hidden ({reason})")
    if isinstance(error, tweepy.TwitterServerError):
        return Failure("unavailable" if posting else "unreachable", f"X failed ({reason})")
    return Failure("rejected", reason)  # 400, 403 (e.g. "You are not allowed to reply")


class XResponder(Responder):
    network = "x"
    Settings = XResponderSettings
    max_length = 280
    settings: XResponderSettings

    def __init__(self, settings: XResponderSettings, client: Any, poster: TweepyPoster | None = None) -> None:
        super().__init__(settings, client)  # the httpx client is unused: tweepy brings its own
        self.poster = poster or TweepyPoster(settings)

    def _post(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        data = self.poster.reply(text, target.external_id).get("data") or {}
        if not data.get("id"):
            raise Failure("lost", "X accepted the post but did not name it")
        return SendResult(True, remote_id=str(data["id"]), url=self._url(str(data["id"])))

    def _find(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        if not self.settings.username:
            raise Failure("unreachable", "cannot look for our reply: set `username` for the x responder")
        root = target.root_key or target.external_id
        payload = self.poster.search(f"conversation_id:{root} from:{self.settings.username}")
        for tweet in payload.get("data") or []:
            parents = [ref.get("id") for ref in tweet.get("referenced_tweets") or []
                       if ref.get("type") == "replied_to"]
            created = parse_time(tweet.get("created_at"))
            if (target.external_id in parents and tweet.get("text") == text and created is not None
                    and created >= since - timedelta(minutes=1)):
                return SendResult(True, remote_id=str(tweet["id"]), url=self._url(str(tweet["id"])))
        return None

    def _url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.settings.username or 'i'}/status/{tweet_id}"
