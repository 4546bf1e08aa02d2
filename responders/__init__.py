"""Responders: one module per network, each posting a reply and saying exactly what happened.

`REGISTRY` maps a config `network:` to its responder class, written out by hand (no import
magic). `build_responders` makes the configured ones; `responder_for` picks the one that can
answer a given post (a Discourse responder answers only its own forum).
"""
from __future__ import annotations

from collections.abc import Iterable

import httpx

from responders.base import DEFINITE, UNCERTAIN, ReplyTarget, Responder, ResponderSettings, SendResult
from responders.bluesky import BlueskyResponder
from responders.discourse import DiscourseResponder
from responders.facebook import FacebookResponder
from responders.instagram import InstagramResponder
from responders.mastodon import MastodonResponder
from responders.reddit import RedditResponder
from responders.x import XResponder
from responders.youtube import YouTubeResponder

REGISTRY: dict[str, type[Responder]] = {
    cls.network: cls
    for cls in (
        XResponder,
        MastodonResponder,
        BlueskyResponder,
        RedditResponder,
        DiscourseResponder,
        YouTubeResponder,
        FacebookResponder,
        InstagramResponder,
    )
}

# Length limits for networks we can show a counter for even without a responder.
DEFAULT_LIMITS: dict[str, int] = {cls.network: cls.max_length for cls in REGISTRY.values()}


def http_client(timeout: float = 20.0) -> httpx.Client:
    """Short timeouts: an agent waits on a send from the dashboard, and a lost answer is
    handled by the outbox anyway. No redirects: a POST must never be replayed elsewhere."""
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), follow_redirects=False)


def build_responders(settings: Iterable[ResponderSettings], client: httpx.Client | None = None) -> list[Responder]:
    """The configured responders; each gets a client with its own timeout unless one is given."""
    return [REGISTRY[item.network](item, client or http_client(item.timeout_seconds)) for item in settings]


def responder_for(responders: Iterable[Responder], target: ReplyTarget) -> Responder | None:
    return next((responder for responder in responders if responder.can_answer(target)), None)


def length_limit(responders: Iterable[Responder], source: str, target: ReplyTarget | None = None) -> int | None:
    for responder in responders:
        if responder.network == source and (target is None or responder.can_answer(target)):
            return responder.max_length
    return DEFAULT_LIMITS.get(source)


__all__ = ["DEFINITE", "REGISTRY", "UNCERTAIN", "ReplyTarget", "Responder", "ResponderSettings",
           "SendResult", "build_responders", "length_limit", "responder_for"]
