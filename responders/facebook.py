"""Facebook Page: reply to a comment or post as the page (`POST /{object-id}/comments`), hide
and unhide comments (`POST /{comment-id}?is_hidden=true|false`).

Facebook threads are two levels deep: a reply to a reply goes under the top-level comment, so
the comment's `parent` is looked up before posting (also a cheap check that it still exists).
There is no idempotency key; after a lost answer `find_sent` reads that object's newest
comments for ours (same text, written by our page).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import SecretStr

from networks.graph import GraphId
from responders.base import ReplyTarget, SendResult
from responders.graph import GraphResponder, GraphResponderSettings

FIND_FIELDS = "id,message,created_time,from{id}"


class FacebookResponderSettings(GraphResponderSettings):
    network: Literal["facebook"] = "facebook"
    page_id: GraphId
    page_access_token: SecretStr | None = None

    required_secrets = ("page_access_token",)


class FacebookResponder(GraphResponder):
    network = "facebook"
    Settings = FacebookResponderSettings
    max_length = 8000
    settings: FacebookResponderSettings

    def token(self) -> SecretStr | None:
        return self.settings.page_access_token

    def hide_params(self, hidden: bool) -> dict[str, str]:
        return {"is_hidden": "true" if hidden else "false"}

    def is_ours(self, comment: dict[str, Any]) -> bool:
        return str((comment.get("from") or {}).get("id")) == self.settings.page_id

    def _object(self, target: ReplyTarget) -> str:
        """Where a reply goes: the post itself, a top-level comment, or a reply's parent."""
        if target.root_key is None or target.external_id == target.root_key:
            return target.external_id
        comment = self.call("GET", target.external_id, {"fields": "id,parent{id}"})
        parent = (comment or {}).get("parent") or {}
        return str(parent.get("id") or target.external_id)

    def _post(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        answer = self.call("POST", f"{self._object(target)}/comments", {"message": text}, posting=True)
        comment_id = self.created(answer)
        return SendResult(True, remote_id=comment_id, url=f"https://www.facebook.com/{comment_id}")

    def _find(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        params = {"fields": FIND_FIELDS, "filter": "stream", "order": "reverse_chronological", "limit": 100}
        comments = self.call("GET", f"{self._object(target)}/comments", params)
        found = self.matching(comments, text, since, "message")
        if found is None:
            return None
        return SendResult(True, remote_id=str(found["id"]), url=f"https://www.facebook.com/{found['id']}")
