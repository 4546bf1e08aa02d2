"""Bluesky: `com.atproto.repo.createRecord` of an `app.bsky.feed.post` with a `reply` ref.

A reply ref needs `{uri, cid}` of both the parent and the thread's root. Stored mentions keep
the parent's `uri` (the collector's external id) and the root's `uri` (the conversation key),
but no `cid`: a cid pins one version of a record, so it is read fresh with
`app.bsky.feed.getPosts` right before posting, and the root ref is copied from the parent's own
`reply.root` (or is the parent itself when the parent starts the thread).

atproto has no idempotency key, so after a lost answer the outbox calls `find_sent`, which reads
the parent's thread (`getPostThread`, depth 1) for a post of ours with the same text.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import SecretStr

from networks.bluesky import token_error
from networks.secrets import secret
from networks.times import iso, now, parse_time
from responders.base import Failure, ReplyTarget, Responder, ResponderSettings, SendResult, json_of, request

POST_URL = "https://bsky.app/profile/{handle}/post/{rkey}"


class BlueskyResponderSettings(ResponderSettings):
    network: Literal["bluesky"] = "bluesky"
    base_url: str = "https://bsky.social"
    handle: str | None = None
    app_password: SecretStr | None = None

    required_secrets = ("handle", "app_password")


class BlueskyResponder(Responder):
    network = "bluesky"
    Settings = BlueskyResponderSettings
    max_length = 300  # graphemes
    settings: BlueskyResponderSettings

    def __init__(self, settings: BlueskyResponderSettings, client: Any) -> None:
        super().__init__(settings, client)
        self._session: dict[str, str] | None = None

    def send(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        """A session older than its two hours is refused; log in again once (nothing was posted)."""
        cached = self._session is not None
        result = super().send(target, text, idempotency_key)
        if cached and result.error_kind == "auth":
            self._session = None
            result = super().send(target, text, idempotency_key)
        return result

    def _post(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        parent = self._parent(target)
        session = self._login()
        root = (parent.get("record") or {}).get("reply", {}).get("root") or _ref(parent)
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post", "text": text,
            "createdAt": iso(now()),
            "reply": {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": _ref(parent)},
        }
        if target.lang:
            record["langs"] = [target.lang]
        body = {"repo": session["did"], "collection": "app.bsky.feed.post", "record": record}
        created = self._call("POST", "/xrpc/com.atproto.repo.createRecord", posting=True, json=body,
                             headers=self._auth())
        if not isinstance(created, dict) or not created.get("uri"):
            raise Failure("lost", "the server accepted the post but did not name it")
        return SendResult(True, remote_id=created["uri"], url=self._url(created["uri"]))

    def _parent(self, target: ReplyTarget) -> dict[str, Any]:
        self._login()
        found = self._call("GET", "/xrpc/app.bsky.feed.getPosts", params={"uris": target.external_id},
                           headers=self._auth())
        posts = found.get("posts") if isinstance(found, dict) else None
        if not posts:
            raise Failure("not_found", "the post is gone or hidden")
        return posts[0]

    def _find(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        session = self._login()
        thread = self._call("GET", "/xrpc/app.bsky.feed.getPostThread",
                            params={"uri": target.external_id, "depth": 1}, headers=self._auth())
        for reply in (thread.get("thread") or {}).get("replies") or []:
            post = reply.get("post") or {}
            record = post.get("record") or {}
            created = parse_time(record.get("createdAt"))
            if ((post.get("author") or {}).get("did") == session["did"] and record.get("text") == text
                    and created is not None and created >= since - timedelta(minutes=1)):
                return SendResult(True, remote_id=post["uri"], url=self._url(post["uri"]))
        return None

    def _login(self) -> dict[str, str]:
        """One session per responder: Bluesky allows few logins a day per account."""
        if self._session is None:
            payload = self._call("POST", "/xrpc/com.atproto.server.createSession",
                                 json={"identifier": self.settings.handle,
                                       "password": secret(self.settings.app_password)})
            self._session = {"jwt": payload["accessJwt"], "did": payload["did"]}
        return self._session

    def _call(self, method: str, path: str, *, posting: bool = False, **kwargs: Any) -> Any:
        """One XRPC call's JSON; a 400 that refuses our session is `auth` (`networks.bluesky`)."""
        response = request(self.client, method, self.base + path, posting=posting, refused=token_error,
                           **kwargs)
        return json_of(response, posting)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._login()['jwt']}"}

    def _url(self, uri: str) -> str:
        return POST_URL.format(handle=self.settings.handle, rkey=uri.rsplit("/", 1)[-1])


def _ref(post: dict[str, Any]) -> dict[str, str]:
    return {"uri": post["uri"], "cid": post["cid"]}
