"""YouTube: `comments.insert` of a reply under the thread's top-level comment.

YouTube threads are one level deep: every reply names the top-level comment as `parentId`.
That id is the conversation's root key (the collector's thread id) and, for a top-level
mention, its own external id; nothing more is stored. Posting needs an OAuth user token for the
brand's channel, refreshed from a stored refresh token.

A `quotaExceeded` 403 means "wait until the quota resets", not "forbidden". There is no
idempotency key: after a lost answer `find_sent` reads the thread's replies for ours.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import SecretStr

from networks.secrets import secret
from networks.times import parse_time
from responders.base import Failure, ReplyTarget, Responder, ResponderSettings, SendResult, json_of, request

QUOTA_REASONS = ("quotaExceeded", "rateLimitExceeded", "dailyLimitExceeded")
QUOTA_WAIT = 3600.0


class YouTubeResponderSettings(ResponderSettings):
    network: Literal["youtube"] = "youtube"
    base_url: str = "https://www.googleapis.com/youtube/v3"
    token_url: str = "https://oauth2.googleapis.com/token"
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    channel_id: str | None = None

    required_secrets = ("client_id", "client_secret", "refresh_token")


class YouTubeResponder(Responder):
    network = "youtube"
    Settings = YouTubeResponderSettings
    max_length = 10_000
    settings: YouTubeResponderSettings

    def __init__(self, settings: YouTubeResponderSettings, client: Any) -> None:
        super().__init__(settings, client)
        self._token: str | None = None
        self._expires = 0.0

    def send(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        result = super().send(target, text, idempotency_key)
        if result.error_kind == "rejected" and any(reason in result.message for reason in QUOTA_REASONS):
            return Failure("rate_limited", result.message, QUOTA_WAIT).result()
        return result

    def _post(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        body = {"snippet": {"parentId": _thread(target), "textOriginal": text}}
        comment = json_of(request(self.client, "POST", self.base + "/comments", posting=True,
                                  params={"part": "snippet"}, json=body, headers=self._headers()), posting=True)
        if not isinstance(comment, dict) or not comment.get("id"):
            raise Failure("lost", "YouTube accepted the comment but did not name it")
        return SendResult(True, remote_id=comment["id"], url=_url(target, comment["id"]))

    def _find(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        params = {"part": "snippet", "parentId": _thread(target), "maxResults": 100, "textFormat": "plainText"}
        page = json_of(request(self.client, "GET", self.base + "/comments", params=params,
                               headers=self._headers()))
        for comment in (page or {}).get("items") or []:
            snippet = comment.get("snippet") or {}
            channel = (snippet.get("authorChannelId") or {}).get("value")
            created = parse_time(snippet.get("publishedAt"))
            if (snippet.get("textOriginal") == text and created is not None
                    and created >= since - timedelta(minutes=1)
                    and (self.settings.channel_id is None or channel == self.settings.channel_id)):
                return SendResult(True, remote_id=comment["id"], url=_url(target, comment["id"]))
        return None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._access_token()}"}

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._expires:
            return self._token
        data = {"grant_type": "refresh_token", "refresh_token": secret(self.settings.refresh_token),
                "client_id": secret(self.settings.client_id), "client_secret": secret(self.settings.client_secret)}
        try:
            payload = json_of(request(self.client, "POST", self.settings.token_url, data=data))
        except Failure as failure:
            if failure.kind == "rejected":  # Google answers a revoked refresh token with 400
                raise Failure("auth", f"Google refused the refresh token ({failure.message})") from None
            raise
        self._token = payload["access_token"]
        self._expires = time.monotonic() + float(payload.get("expires_in", 3600)) - 60
        return self._token


def _thread(target: ReplyTarget) -> str:
    """The top-level comment id: a reply's id is `<thread id>.<reply id>`."""
    return target.root_key or target.external_id.split(".", 1)[0]


def _url(target: ReplyTarget, comment_id: str) -> str | None:
    if not target.url or "&lc=" not in target.url:
        return target.url
    return target.url.split("&lc=", 1)[0] + f"&lc={comment_id}"
