"""What every responder shares: settings, the post being answered, the typed send result, and
one HTTP helper that turns statuses and socket faults into failure kinds.

A responder posts once and reports exactly what happened; it never retries by itself. Whether a
failed try may be repeated is the outbox's decision, and that decision rests on one question the
kinds below answer: *could the network have accepted the post?*

- definite (`auth`, `rejected`, `not_found`, `not_configured`): it did not, and trying again
  cannot help until a person acts; the network's reason is kept for the agent.
- safe to retry (`unreachable`, `rate_limited`): nothing was posted (the request never left, or
  the network refused it before doing anything).
- uncertain (`lost`, `unavailable`): the request went out and the answer never came, or came as
  a 5xx: the post may exist. Before another try the outbox uses the network's idempotency or
  looks for our reply on the network (`find_sent`).
"""
from __future__ import annotations

import abc
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from networks.ratelimit import retry_after
from networks.secrets import mask, missing_secrets

log = logging.getLogger(__name__)

ErrorKind = Literal["auth", "rejected", "not_found", "not_configured", "unreachable", "rate_limited",
                    "lost", "unavailable"]
DEFINITE: frozenset[str] = frozenset({"auth", "rejected", "not_found", "not_configured"})
UNCERTAIN: frozenset[str] = frozenset({"lost", "unavailable"})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
# Reads a refusal of our credentials that the status alone does not show (atproto's 400).
Refused = Callable[[httpx.Response], object]


class ResponderSettings(BaseModel):
    """One `responders:` entry of config.yaml; each network subclasses it with its own keys.

    Secrets are `SecretStr | None` so a missing one is reported (`missing_credentials`) and the
    network falls back to "copy and open" instead of crashing at start.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: str
    name: str = ""
    base_url: str = ""
    timeout_seconds: float = Field(20.0, gt=0, description="per request; an agent waits on a send")

    required_secrets: ClassVar[tuple[str, ...]] = ()

    def model_post_init(self, context: Any) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.network)

    def missing_credentials(self) -> list[str]:
        return missing_secrets(self, self.required_secrets)


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """The stored post a reply answers: all a responder gets to address its reply with.

    `root_key` is the conversation's root post id on the network (a YouTube thread id, an X
    conversation id), which some networks need besides the parent's own id.
    """

    source: str
    external_id: str
    author_handle: str
    url: str | None = None
    author_name: str | None = None
    root_key: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """What one try did. Unlike a bare bool it says why, and whether the post may exist."""

    sent: bool
    remote_id: str | None = None
    url: str | None = None
    error_kind: ErrorKind | None = None
    message: str = ""
    retry_after: float | None = None

    @property
    def definite(self) -> bool:
        return not self.sent and self.error_kind in DEFINITE

    @property
    def uncertain(self) -> bool:
        return not self.sent and self.error_kind in UNCERTAIN


class Failure(Exception):
    """Raised inside a responder; `send` turns it into a failed `SendResult`."""

    def __init__(self, kind: ErrorKind, message: str, retry_after: float | None = None) -> None:
        message = mask(message)  # a network may echo the token it refused: never keep it
        super().__init__(message)
        self.kind, self.message, self.retry_after = kind, message, retry_after

    def result(self) -> SendResult:
        return SendResult(False, error_kind=self.kind, message=self.message, retry_after=self.retry_after)


class Responder(abc.ABC):
    """Posts a reply on one network; never touches storage and never retries on its own."""

    network: ClassVar[str]
    Settings: ClassVar[type[ResponderSettings]]
    max_length: ClassVar[int]
    idempotent: ClassVar[bool] = False  # the network itself drops a repeated idempotency key
    idempotency_window: ClassVar[timedelta] = timedelta(0)

    def __init__(self, settings: ResponderSettings, client: httpx.Client) -> None:
        self.settings = settings
        self.client = client
        self.base = settings.base_url.rstrip("/")

    def can_answer(self, target: ReplyTarget) -> bool:
        return target.source == self.network

    def prepare(self, target: ReplyTarget, text: str) -> str:
        """The text as it will be posted (Mastodon adds the author's @handle)."""
        return text

    def send(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        try:
            return self._post(target, self.prepare(target, text), idempotency_key)
        except Failure as failure:
            log.info("%s reply to %s failed: %s (%s)", self.network, target.external_id, failure.kind,
                     failure.message)
            return failure.result()

    def find_sent(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        """Our reply to `target` posted since `since`, if a lost try did post it.

        Returns a sent result when found, None when surely absent, and a failed result when the
        lookup itself failed (then nobody knows yet, and the outbox asks again later)."""
        try:
            return self._find(target, self.prepare(target, text), since)
        except Failure as failure:
            return failure.result()

    @abc.abstractmethod
    def _post(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        """Post the reply once; raise `Failure` for anything but success."""

    @abc.abstractmethod
    def _find(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        """Look for our reply on the network; raise `Failure` when the lookup fails."""


def request(client: httpx.Client, method: str, url: str, *, posting: bool = False,
            refused: Refused | None = None, **kwargs: Any) -> httpx.Response:
    """One request, no retries. `posting` marks the request that creates the reply: only its
    timeouts and 5xx are uncertain, since a lookup that fails never posted anything."""
    try:
        response = client.request(method, url, **kwargs)
    except _NOT_SENT as error:
        raise Failure("unreachable", f"could not reach the network: {type(error).__name__}") from None
    except httpx.TransportError as error:
        kind: ErrorKind = "lost" if posting else "unreachable"
        raise Failure(kind, f"no answer from the network ({type(error).__name__})") from None
    check(response, posting, refused)
    return response


def check(response: httpx.Response, posting: bool, refused: Refused | None = None) -> None:
    status = response.status_code
    if status < 400:
        return
    reason = f"HTTP {status}: {error_reason(response)}".rstrip(": ")
    if status == 401 or (refused is not None and refused(response)):
        raise Failure("auth", f"the network refused our credentials ({reason})")
    if status == 429:
        raise Failure("rate_limited", f"rate limited ({reason})", retry_after(response.headers))
    if status in (404, 410):
        raise Failure("not_found", f"the post is gone or hidden ({reason})")
    if status < 500:
        raise Failure("rejected", reason)
    raise Failure("unavailable" if posting else "unreachable", f"the network failed ({reason})")


def error_reason(response: httpx.Response) -> str:
    """The network's own words for a failure, from the usual JSON error fields, else the body."""
    try:
        payload = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return " ".join(response.text.split())[:200] if response.content else ""
    return reason_from(payload)[:300]


def reason_from(payload: Any) -> str:
    if isinstance(payload, dict):
        found = [reason_from(payload[key]) for key in ("error", "errors", "reason", "error_description", "message",
                                                       "detail", "title") if payload.get(key)]
        return ": ".join(dict.fromkeys(found)) if found else ""
    if isinstance(payload, list):
        return "; ".join(reason_from(item) for item in payload[:3])
    return str(payload)


def json_of(response: httpx.Response, posting: bool = False) -> Any:
    """The JSON of a 2xx answer. A post that succeeded but answered garbage may well exist, so
    for the posting request that is `lost` (look before posting again)."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise Failure("lost" if posting else "unreachable", "the network's answer was not JSON") from None
