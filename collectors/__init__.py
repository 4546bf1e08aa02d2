"""Collectors: one module per network, each turning its API into `Mention` values.

`REGISTRY` maps a config `type:` to its collector class, written out by hand so that what
exists is readable and greppable (no import magic). It lives here, above the network modules,
so that nothing below imports back up into the package.
"""
from __future__ import annotations

from typing import Any

import httpx

from collectors.base import Collector, Fetched, SourceSettings
from collectors.bluesky import BlueskyCollector
from collectors.discourse import DiscourseCollector
from collectors.facebook import FacebookCollector
from collectors.hackernews import HackerNewsCollector
from collectors.instagram import InstagramCollector
from collectors.mastodon import MastodonCollector
from collectors.reddit import RedditCollector
from collectors.rss import RssCollector
from collectors.x import XCollector
from collectors.youtube import YouTubeCollector

REGISTRY: dict[str, type[Collector]] = {
    cls.type: cls
    for cls in (
        RssCollector,
        HackerNewsCollector,
        RedditCollector,
        MastodonCollector,
        BlueskyCollector,
        XCollector,
        DiscourseCollector,
        YouTubeCollector,
        FacebookCollector,
        InstagramCollector,
    )
}


def build_collector(raw: dict[str, Any], client: httpx.Client) -> Collector:
    """Validate one resolved `sources:` entry and construct its collector (for callers' ease)."""
    cls = REGISTRY[raw["type"]]
    return cls(cls.Settings.model_validate(raw), client)


__all__ = ["REGISTRY", "Collector", "Fetched", "SourceSettings", "build_collector"]
