"""Instagram: reply to a comment (`POST /{ig-comment-id}/replies`) or comment on the account's own
media (`POST /{ig-media-id}/comments`); hide and unhide comments (`POST /{ig-comment-id}?hide=`).

Instagram threads are one level deep: a reply to a reply is added under the top-level comment by
Instagram itself, so `find_sent` looks there (the comment's `parent_id`). There is no
idempotency key; after a lost answer the outbox looks for our reply first.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import SecretStr

from networks.graph import GraphId
from responders.base import ReplyTarget, SendResult
from responders.graph import GraphResponder, GraphResponderSettings

FIND_FIELDS = "id,text,timestamp,username,from"


class InstagramResponderSettings(GraphResponderSettings):
    network: Literal["instagram"] = "instagram"
    ig_user_id: GraphId
    access_token: SecretStr | None = None
    username: str | None = None

    required_secrets = ("access_token",)


class InstagramResponder(GraphResponder):
    network = "instagram"
    Settings = InstagramResponderSettings
    max_length = 2200
    settings: InstagramResponderSettings

    def token(self) -> SecretStr | None:
        return self.settings.access_token

    def hide_params(self, hidden: bool) -> dict[str, str]:
        return {"hide": "true" if hidden else "false"}

    def is_ours(self, comment: dict[str, Any]) -> bool:
        if str((comment.get("from") or {}).get("id")) == self.settings.ig_user_id:
            return True
        own = (self.settings.username or "").lower().lstrip("@")
        return bool(own) and str(comment.get("username") or "").lower() == own

    def _on_media(self, target: ReplyTarget) -> bool:
        return target.root_key is None or target.external_id == target.root_key

    def _post(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        edge = "comments" if self._on_media(target) else "replies"
        answer = self.call("POST", f"{target.external_id}/{edge}", {"message": text}, posting=True)
        return SendResult(True, remote_id=self.created(answer), url=target.url)

    def _find(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        if self._on_media(target):
            path = f"{target.external_id}/comments"
        else:
            comment = self.call("GET", target.external_id, {"fields": "id,parent_id"})
            path = f"{(comment or {}).get('parent_id') or target.external_id}/replies"
        found = self.matching(self.call("GET", path, {"fields": FIND_FIELDS}), text, since, "text")
        return None if found is None else SendResult(True, remote_id=str(found["id"]), url=target.url)
