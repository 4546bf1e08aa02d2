"""Reddit: a comment reply, `POST /api/comment` with the parent's fullname as `thing_id`.

Posting needs a user, not the collector's app-only token: a "script" app's password grant
(`grant_type=password`) for the brand's account. The parent's fullname (`t3_…` for a post,
`t1_…` for a comment) is the collector's external id, so nothing more is stored.

Reddit answers 200 with `json.errors` for refusals (RATELIMIT, THREAD_LOCKED, DELETED_COMMENT);
those are read here. There is no idempotency key: after a lost answer `find_sent` reads the
account's newest comments for one with the same parent and text.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import SecretStr

from networks.secrets import secret
from responders.base import Failure, ReplyTarget, Responder, ResponderSettings, SendResult, json_of, request

WEB = "https://www.reddit.com"
_MINUTES = re.compile(r"(\d+)\s*minute")
_GONE = {"DELETED_COMMENT", "DELETED_LINK", "NO_THING_ID"}


class RedditResponderSettings(ResponderSettings):
    network: Literal["reddit"] = "reddit"
    base_url: str = "https://oauth.reddit.com"
    auth_url: str = f"{WEB}/api/v1/access_token"
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    user_agent: str = "python:nasluch:0.1.0 (self-hosted customer care)"

    required_secrets = ("client_id", "client_secret", "username", "password")


class RedditResponder(Responder):
    network = "reddit"
    Settings = RedditResponderSettings
    max_length = 10_000
    settings: RedditResponderSettings

    def __init__(self, settings: RedditResponderSettings, client: Any) -> None:
        super().__init__(settings, client)
        self._token: str | None = None
        self._expires = 0.0

    def _post(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        data = {"thing_id": target.external_id, "text": text, "api_type": "json"}
        response = request(self.client, "POST", self.base + "/api/comment", posting=True, data=data,
                           headers=self._headers())
        payload = (json_of(response, posting=True) or {}).get("json") or {}
        _raise_errors(payload.get("errors") or [])
        things = (payload.get("data") or {}).get("things") or []
        if not things:
            raise Failure("lost", "Reddit accepted the comment but did not describe it")
        comment = things[0]["data"]
        permalink = comment.get("permalink")
        return SendResult(True, remote_id=comment.get("name") or comment.get("id"),
                          url=WEB + permalink if permalink else None)

    def _find(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        path = f"/user/{self.settings.username}/comments"
        listing = json_of(request(self.client, "GET", self.base + path, headers=self._headers(),
                                  params={"sort": "new", "limit": 25, "raw_json": 1}))
        earliest = since.timestamp() - timedelta(minutes=1).total_seconds()
        for child in (listing.get("data") or {}).get("children") or []:
            comment = child.get("data") or {}
            if (comment.get("parent_id") == target.external_id and comment.get("body") == text
                    and float(comment.get("created_utc") or 0) >= earliest):
                return SendResult(True, remote_id=comment.get("name"), url=WEB + comment.get("permalink", ""))
        return None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"bearer {self._access_token()}", "User-Agent": self.settings.user_agent}

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._expires:
            return self._token
        response = request(
            self.client, "POST", self.settings.auth_url, headers={"User-Agent": self.settings.user_agent},
            data={"grant_type": "password", "username": self.settings.username,
                  "password": secret(self.settings.password)},
            auth=(secret(self.settings.client_id), secret(self.settings.client_secret)))
        payload = json_of(response)
        if not isinstance(payload, dict) or payload.get("error") or not payload.get("access_token"):
            raise Failure("auth", f"Reddit refused the login ({(payload or {}).get('error', 'no token')})")
        self._token = payload["access_token"]
        self._expires = time.monotonic() + float(payload.get("expires_in", 3600)) - 60
        return self._token


def _raise_errors(errors: list[Any]) -> None:
    """Reddit's `[[CODE, message, field], ...]` refusals, as typed failures."""
    if not errors:
        return
    code, message = str(errors[0][0]), str(errors[0][1]) if len(errors[0]) > 1 else ""
    if code == "RATELIMIT":
        minutes = _MINUTES.search(message)
        raise Failure("rate_limited", f"Reddit: {message}", 60.0 * (int(minutes.group(1)) if minutes else 5))
    raise Failure("not_found" if code in _GONE else "rejected", f"Reddit: {code}: {message}".rstrip(": "))
