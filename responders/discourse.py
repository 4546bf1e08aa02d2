"""Discourse: `POST /posts.json` with `topic_id` and `reply_to_post_number`.

Both numbers are in the collector's external id, `host/t/<topic>/<post number>`, so nothing
more is stored; a forum's responder answers only posts of its own host. Our reply gets an id of
the same shape, so a later collection links it into the same conversation.

Discourse has no idempotency key: after a lost answer `find_sent` reads the account's newest
replies (`/user_actions.json`, filter 5) for one in the topic, to that post, made since.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import SecretStr

from networks.secrets import secret
from networks.times import parse_time
from responders.base import Failure, ReplyTarget, Responder, ResponderSettings, SendResult, json_of, request

_POST_ID = re.compile(r"^(?P<host>.+)/t/(?P<topic>\d+)/(?P<number>\d+)$")
REPLIES_FILTER = 5


class DiscourseResponderSettings(ResponderSettings):
    network: Literal["discourse"] = "discourse"
    base_url: str
    api_key: SecretStr | None = None
    api_username: str | None = None

    required_secrets = ("api_key", "api_username")


class DiscourseResponder(Responder):
    network = "discourse"
    Settings = DiscourseResponderSettings
    max_length = 32_000  # Discourse's default max_post_length
    settings: DiscourseResponderSettings

    def __init__(self, settings: DiscourseResponderSettings, client: Any) -> None:
        super().__init__(settings, client)
        parts = urlsplit(self.base)
        self.host = parts.netloc + parts.path

    def can_answer(self, target: ReplyTarget) -> bool:
        match = _POST_ID.match(target.external_id)
        return target.source == self.network and bool(match) and match["host"] == self.host

    def _headers(self) -> dict[str, str]:
        return {"Api-Key": secret(self.settings.api_key), "Api-Username": self.settings.api_username or "",
                "Accept": "application/json"}

    def _post(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        topic, number = _numbers(target)
        body = {"raw": text, "topic_id": topic, "reply_to_post_number": number}
        post = json_of(request(self.client, "POST", self.base + "/posts.json", posting=True, json=body,
                               headers=self._headers()), posting=True)
        if not isinstance(post, dict) or "post_number" not in post:
            raise Failure("lost", "the forum accepted the post but did not describe it")
        return self._result(post.get("topic_id", topic), post["post_number"], post.get("topic_slug"))

    def _find(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        topic, number = _numbers(target)
        params = {"username": self.settings.api_username, "filter": REPLIES_FILTER}
        actions = json_of(request(self.client, "GET", self.base + "/user_actions.json", params=params,
                                  headers=self._headers()))
        for action in (actions or {}).get("user_actions") or []:
            created = parse_time(action.get("created_at"))
            if (action.get("topic_id") == topic and action.get("reply_to_post_number") == number
                    and created is not None and created >= since - timedelta(minutes=1)):
                return self._result(topic, action["post_number"], action.get("slug"))
        return None

    def _result(self, topic: int, number: int, slug: str | None) -> SendResult:
        return SendResult(True, remote_id=f"{self.host}/t/{topic}/{number}",
                          url=f"{self.base}/t/{slug or '-'}/{topic}/{number}")


def _numbers(target: ReplyTarget) -> tuple[int, int]:
    match = _POST_ID.match(target.external_id)
    if not match:
        raise Failure("rejected", f"not a Discourse post id: {target.external_id!r}")
    return int(match["topic"]), int(match["number"])
