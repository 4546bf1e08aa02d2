"""What the Facebook and Instagram responders share: Graph API calls whose error bodies become
the send result kinds the outbox's never-twice rules rest on, and hiding a comment.

Meta answers most failures with HTTP 400 and a code in the body, so the status alone would make
an expired token (190) or a throttle (4, 17, 32, 613) look like a definite rejection of the
text. They are read first: 190 is `auth` ("needs a new token"), throttles are `rate_limited`
(nothing was posted), codes 1 and 2 (Meta's own temporary faults) on the posting request are
`unavailable` (the comment may exist), a missing object is `not_found`.

Neither network takes an idempotency key, so after a lost answer the outbox calls `find_sent`,
which reads the thread's comments for one with our text written by our own page or account.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from networks.graph import (
    DEFAULT_BASE_URL,
    DEFAULT_VERSION,
    GraphError,
    api_root,
    credentials,
    estimate_wait,
    graph_error,
    usage,
)
from networks.times import parse_time
from responders.base import _NOT_SENT, Failure, ReplyTarget, Responder, ResponderSettings, SendResult, check, json_of

TEMPORARY_CODES = {1, 2}
MISSING_SUBCODES = {33}
CLOCK_SLACK = timedelta(minutes=1)  # the network's clock against ours


class GraphResponderSettings(ResponderSettings):
    base_url: str = DEFAULT_BASE_URL
    api_version: str = DEFAULT_VERSION
    app_secret: SecretStr | None = None


class GraphResponder(Responder):
    """A responder on the Graph API; subclasses say where a reply goes and who "we" are."""

    settings: GraphResponderSettings

    def __init__(self, settings: GraphResponderSettings, client: Any) -> None:
        super().__init__(settings, client)
        self.root = api_root(self.base, settings.api_version)

    def token(self) -> SecretStr | None:
        raise NotImplementedError

    def call(self, method: str, path: str, params: dict[str, Any] | None = None, *,
             posting: bool = False) -> Any:
        """One Graph request, no retries; failures raised as `Failure` of the right kind."""
        headers, proof = credentials(self.token(), self.settings.app_secret)
        try:
            response = self.client.request(method, f"{self.root}/{path.lstrip('/')}",
                                           params={**(params or {}), **proof}, headers=headers)
        except _NOT_SENT as error:
            raise Failure("unreachable", f"could not reach Meta: {type(error).__name__}") from None
        except httpx.TransportError as error:
            kind = "lost" if posting else "unreachable"
            raise Failure(kind, f"no answer from Meta ({type(error).__name__})") from None
        error = graph_error(response)
        if error is not None:
            raise failure_for(error, response.headers, posting)
        check(response, posting)
        return json_of(response, posting)

    def set_hidden(self, target: ReplyTarget, hidden: bool) -> SendResult:
        """Hide or show a comment on the network (spam, abuse, personal data posted publicly).
        Repeating it is harmless, so unlike a reply it needs no never-twice care."""
        try:
            answer = self.call("POST", target.external_id, self.hide_params(hidden))
        except Failure as failure:
            return failure.result()
        if isinstance(answer, dict) and answer.get("success") is False:
            return SendResult(False, error_kind="rejected", message="Meta did not change the comment")
        return SendResult(True, remote_id=target.external_id)

    def hide_params(self, hidden: bool) -> dict[str, str]:
        raise NotImplementedError

    def created(self, answer: Any) -> str:
        """The id of what the posting request made; without one the post may still exist."""
        if not isinstance(answer, dict) or not answer.get("id"):
            raise Failure("lost", "Meta accepted the comment but did not name it")
        return str(answer["id"])

    def matching(self, comments: Any, text: str, since: datetime, text_key: str) -> dict[str, Any] | None:
        """Our comment among a page of comments: same text, by us, written since `since`."""
        for comment in (comments or {}).get("data") or []:
            created = parse_time(comment.get("created_time") or comment.get("timestamp"))
            if (str(comment.get(text_key) or "").strip() == text.strip() and self.is_ours(comment)
                    and created is not None and created >= since - CLOCK_SLACK):
                return comment
        return None

    def is_ours(self, comment: dict[str, Any]) -> bool:
        raise NotImplementedError


def failure_for(error: GraphError, headers: httpx.Headers, posting: bool) -> Failure:
    """The send result kind a Graph error means (see the module docstring)."""
    if error.token_refused:
        return Failure("auth", f"needs a new token: Meta refused the access token ({error.text})")
    if error.throttled:
        percent, regain = usage(headers)
        return Failure("rate_limited", f"Meta rate limit reached ({error.text})",
                       estimate_wait(max(percent, 100.0), regain, 90.0))
    if error.lacks_permission:
        return Failure("auth", f"the token lacks a permission: {error.text}")
    if error.code == 100 and error.subcode in MISSING_SUBCODES:
        return Failure("not_found", f"the comment or post is gone or hidden from us ({error.text})")
    if error.code in TEMPORARY_CODES:
        return Failure("unavailable" if posting else "unreachable", f"Meta failed ({error.text})")
    return Failure("rejected", error.text)
