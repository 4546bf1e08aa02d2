"""Collectors: one module per network, each turning its API into `Mention` values.

`REGISTRY` maps a config `type:` to its collector class, written out by hand so that what
exists is readable and greppable (no import magic).
"""
from __future__ import annotations

from collectors.base import Collector, Fetched, SourceSettings, build_collector
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

__all__ = ["REGISTRY", "Collector", "Fetched", "SourceSettings", "build_collector"]
