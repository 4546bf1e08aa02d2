"""Mastodon: `POST /api/v1/statuses` with `in_reply_to_id` and an `Idempotency-Key` header.

Stored mentions carry the status's ActivityPub `uri` (the collector's external id, the same from
every instance), but `in_reply_to_id` wants the status's id *on our instance*; it is looked up
with `GET /api/v2/search?resolve=true` just before posting (no new storage needed).

Mastodon keeps an `Idempotency-Key` for one hour and answers a repeat with the status it made
the first time, so after a lost answer the outbox simply posts again with the same key within
`idempotency_window`; after that it looks for our reply in the status's context first.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import SecretStr

from networks.secrets import secret
from networks.times import parse_time
from responders.base import Failure, ReplyTarget, Responder, ResponderSettings, SendResult, json_of, request


class MastodonResponderSettings(ResponderSettings):
    network: Literal["mastodon"] = "mastodon"
    base_url: str
    access_token: SecretStr | None = None
    visibility: Literal["public", "unlisted", "private", "direct"] | None = None
    max_length: int = 500

    required_secrets = ("access_token",)


class MastodonResponder(Responder):
    network = "mastodon"
    Settings = MastodonResponderSettings
    max_length = 500
    idempotent = True
    idempotency_window = timedelta(minutes=50)  # Mastodon keeps keys 1 h; leave a margin
    settings: MastodonResponderSettings

    def __init__(self, settings: MastodonResponderSettings, client: Any) -> None:
        super().__init__(settings, client)
        self.max_length = settings.max_length
        self._me: str | None = None

    def prepare(self, target: ReplyTarget, text: str) -> str:
        """Mastodon notifies only accounts mentioned in the text, so greet the author's handle."""
        handle = "@" + target.author_handle.lstrip("@")
        return text if handle.lower() in text.lower() else f"{handle} {text}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret(self.settings.access_token)}"}

    def _post(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        local_id = self._local_id(target)
        body: dict[str, Any] = {"status": text, "in_reply_to_id": local_id}
        if self.settings.visibility:
            body["visibility"] = self.settings.visibility
        if target.lang:
            body["language"] = target.lang
        response = request(self.client, "POST", self.base + "/api/v1/statuses", posting=True, json=body,
                           headers={**self._headers(), "Idempotency-Key": idempotency_key})
        status = json_of(response, posting=True)
        if not isinstance(status, dict) or not status.get("id"):
            raise Failure("lost", "the server accepted the post but did not describe it")
        return SendResult(True, remote_id=status.get("uri") or str(status["id"]), url=status.get("url"))

    def _local_id(self, target: ReplyTarget) -> str:
        """The status's id on our instance, from its ActivityPub uri (or a bare id)."""
        if target.external_id.isdigit():
            return target.external_id
        params = {"q": target.external_id, "type": "statuses", "resolve": "true", "limit": 1}
        found = json_of(request(self.client, "GET", self.base + "/api/v2/search", params=params,
                                headers=self._headers()))
        statuses = found.get("statuses") if isinstance(found, dict) else None
        if not statuses:
            raise Failure("not_found", f"{urlsplit(self.base).netloc} cannot find the post (deleted or private?)")
        return str(statuses[0]["id"])

    def _find(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        local_id = self._local_id(target)
        context = json_of(request(self.client, "GET", f"{self.base}/api/v1/statuses/{local_id}/context",
                                  headers=self._headers()))
        me = self._account_id()
        for status in (context or {}).get("descendants", []):
            created = parse_time(status.get("created_at"))
            if (status.get("in_reply_to_id") == local_id and str(status.get("account", {}).get("id")) == me
                    and created is not None and created >= since - timedelta(minutes=1)):
                return SendResult(True, remote_id=status.get("uri") or str(status["id"]), url=status.get("url"))
        return None

    def _account_id(self) -> str:
        if self._me is None:
            account = json_of(request(self.client, "GET", self.base + "/api/v1/accounts/verify_credentials",
                                      headers=self._headers()))
            self._me = str(account["id"])
        return self._me
