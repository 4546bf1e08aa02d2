"""Responder tests: a post being answered on each network, as the collectors stored it."""
from __future__ import annotations

import pytest

from responders import ReplyTarget


@pytest.fixture
def target_for():
    targets = {
        "mastodon": ReplyTarget("mastodon", "https://fosstodon.org/users/kasia/statuses/111", "kasia@fosstodon.org",
                                "https://fosstodon.org/@kasia/111", "Kasia", None, "pl"),
        "bluesky": ReplyTarget("bluesky", "at://did:plc:kasia/app.bsky.feed.post/3kparent", "kasia.bsky.social",
                               None, "Kasia", "at://did:plc:root/app.bsky.feed.post/3kroot", "pl"),
        "reddit": ReplyTarget("reddit", "t1_abc123", "kasia", "https://www.reddit.com/r/acme/comments/x/y/abc123/",
                              None, "t3_x", "en"),
        "discourse": ReplyTarget("discourse", "127.0.0.1:8765/t/42/3", "kasia", "http://127.0.0.1:8765/t/help/42/3",
                                 None, "127.0.0.1:8765/t/42/1", "en"),
        "youtube": ReplyTarget("youtube", "Ugz.reply1", "Kasia", "https://www.youtube.com/watch?v=vid&lc=Ugz.reply1",
                               "@Kasia", "Ugz", "en"),
        "x": ReplyTarget("x", "1790000000000000001", "kasia", "https://x.com/kasia/status/1790000000000000001",
                         "Kasia", "1790000000000000000", "en"),
    }
    return targets.__getitem__
