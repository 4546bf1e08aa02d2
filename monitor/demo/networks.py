"""How each network spells ids, links and accounts, so demo data looks like what the collectors in
`collectors/` produce: X snowflakes that encode their time, Reddit `t1_`/`t3_` fullnames, Mastodon
status URIs, Bluesky `at://` URIs, Hacker News item numbers, forum permalinks as feed guids.

One `Network` instance serves one generated data set and never hands out the same id twice. Ids
grow with time, spaced widely enough that the next free number is almost always the first tried.
Domains that belong to the fictional brands end in `.example`, which can never resolve.
"""
from __future__ import annotations

import base64
import hashlib
import string
from dataclasses import dataclass
from functools import lru_cache
from random import Random

from monitor.demo.phrases import Language
from networks.x import TWITTER_EPOCH_MS

ERA = 1_700_000_000  # ids below grow from here (Nov 2023), as the networks' own counters do
BASE36 = string.digits + string.ascii_lowercase
BASE32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass(slots=True)
class Thread:
    """One conversation on one network; `key` becomes `Mention.conversation_key`.

    Where the network names the thread by its first post (X, Mastodon, Bluesky, YouTube) the key is
    empty until that post is made.
    """

    source: str
    source_name: str
    key: str = ""
    place: str = ""  # network-specific: subreddit path, forum topic, video id
    posts: int = 0


def encode(number: int, alphabet: str, width: int = 0) -> str:
    """Positional encoding, most significant digit first, left-padded to `width`."""
    digits = []
    while number:
        number, digit = divmod(number, len(alphabet))
        digits.append(alphabet[digit])
    return "".join(reversed(digits)).rjust(width, alphabet[0])


@lru_cache(maxsize=1 << 16)
def bluesky_did(handle: str) -> str:
    """A stable did:plc for a handle: the same person keeps one identity across posts."""
    digest = int.from_bytes(hashlib.blake2b(handle.encode(), digest_size=15).digest(), "big")
    return "did:plc:" + encode(digest, BASE32, 24)


@lru_cache(maxsize=None)
def video_id(slug: str, number: int) -> str:
    """A brand's channel has a handful of videos; their ids are fixed, 11 characters as on YouTube."""
    digest = hashlib.blake2b(f"{slug}/{number}".encode(), digest_size=8).digest()
    return base64.urlsafe_b64encode(digest).decode()[:11]


class Network:
    """A network's id space for one data set. Subclasses know their own spelling."""

    name = ""
    social = False  # @handles, display names and follower counts are part of the culture
    display_names = True
    followers = False

    def __init__(self, rng: Random, origin: float) -> None:
        self.rng = rng
        self.origin = origin  # the window's start: small forums number their posts from there
        self._seen: set[int | str] = set()

    def claim(self, candidate: int) -> int:
        """Time-derived ids can collide; the next free number keeps them unique and still ordered."""
        while candidate in self._seen:
            candidate += 1
        self._seen.add(candidate)
        return candidate

    def account(self, base: str, lang: Language) -> str:
        return base

    def brand_account(self, slug: str) -> str:
        return slug

    def open(self, slug: str, lang: Language, ts: float) -> Thread:
        return Thread(self.name, self.name)

    def post(self, thread: Thread, account: str, ts: float) -> tuple[str, str]:
        """A new post in `thread` by `account` at `ts`: its external id and its url."""
        raise NotImplementedError

    @staticmethod
    def _posted(thread: Thread, external_id: str, url: str) -> tuple[str, str]:
        thread.key = thread.key or external_id
        thread.posts += 1
        return external_id, url

    @staticmethod
    def _since_era(ts: float, per_second: float) -> int:
        return int(max(0.0, ts - ERA) * per_second)

    def _since_origin(self, ts: float, per_second: float) -> int:
        return int(max(0.0, ts - self.origin) * per_second)


def underscored(base: str, limit: int = 20) -> str:
    """Most networks allow letters, digits and underscores in usernames, and no dots."""
    return base.replace(".", "_")[:limit]


class X(Network):
    name, social, followers = "x", True, True

    def account(self, base: str, lang: Language) -> str:
        return underscored(base, 15)

    def post(self, thread: Thread, account: str, ts: float) -> tuple[str, str]:
        ms = max(0, int(ts * 1000) - TWITTER_EPOCH_MS)
        tweet = self.claim((ms << 22) | self.rng.getrandbits(22))
        return self._posted(thread, str(tweet), f"https://x.com/{account}/status/{tweet}")


class Mastodon(Network):
    name, social, followers = "mastodon", True, True

    def account(self, base: str, lang: Language) -> str:
        return f"{underscored(base, 30)}@{self.rng.choice(lang.mastodon)}"

    def brand_account(self, slug: str) -> str:
        return f"{slug}@mastodon.social"

    def post(self, thread: Thread, account: str, ts: float) -> tuple[str, str]:
        status = self.claim((int(ts * 1000) << 16) | self.rng.getrandbits(16))
        user, instance = account.split("@")
        uri = f"https://{instance}/users/{user}/statuses/{status}"
        return self._posted(thread, uri, f"https://{instance}/@{user}/{status}")


class Bluesky(Network):
    name, social, followers = "bluesky", True, True

    def account(self, base: str, lang: Language) -> str:
        return base.replace("_", "-").replace(".", "-") + ".bsky.social"

    def brand_account(self, slug: str) -> str:
        return f"{slug}.bsky.social"

    def post(self, thread: Thread, account: str, ts: float) -> tuple[str, str]:
        tid = self.claim((int(ts * 1_000_000) << 10) | self.rng.getrandbits(10))
        rkey = encode(tid, BASE32_SORTABLE, 13)
        uri = f"at://{bluesky_did(account)}/app.bsky.feed.post/{rkey}"
        return self._posted(thread, uri, f"https://bsky.app/profile/{account}/post/{rkey}")


class Reddit(Network):
    name, display_names = "reddit", False

    def account(self, base: str, lang: Language) -> str:
        return underscored(base)

    def brand_account(self, slug: str) -> str:
        return f"{slug}_support"

    def open(self, slug: str, lang: Language, ts: float) -> Thread:
        sub = slug if self.rng.random() < 0.7 else lang.subreddit
        submission = encode(self.claim(2_200_000_000 + self._since_era(ts, 2)), BASE36)
        return Thread(self.name, self.name, f"t3_{submission}", f"r/{sub}/comments/{submission}")

    def post(self, thread: Thread, account: str, ts: float) -> tuple[str, str]:
        comment = encode(self.claim(46_000_000_000 + self._since_era(ts, 25)), BASE36)
        url = f"https://www.reddit.com/{thread.place}/comment/{comment}/"
        return self._posted(thread, f"t1_{comment}", url)


class HackerNews(Network):
    name, display_names = "hackernews", False

    def account(self, base: str, lang: Language) -> str:
        return underscored(base, 15)

    def brand_account(self, slug: str) -> str:
        return f"{slug}_team"

    def open(self, slug: str, lang: Language, ts: float) -> Thread:
        story = self.claim(38_000_000 + self._since_era(ts - 3 * 3600, 1 / 3))  # a few hours older
        return Thread(self.name, "hn", str(story), str(story))

    def post(self, thread: Thread, account: str, ts: float) -> tuple[str, str]:
        item = self.claim(38_000_000 + self._since_era(ts, 1 / 3))
        return self._posted(thread, str(item), f"https://news.ycombinator.com/item?id={item}")


class ForumFeed(Network):
    """A brand's phpBB-style forum read through its RSS feed: the permalink is the item guid."""

    name = "rss"

    def brand_account(self, slug: str) -> str:
        return f"{slug}_support"

    def open(self, slug: str, lang: Language, ts: float) -> Thread:
        topic = self.claim(10_000 + self._since_origin(ts, 1 / 30))
        key = f"https://forum.{slug}.example/viewtopic.php?t={topic}"
        return Thread(self.name, f"{slug}-forum", key, key)

    def post(self, thread: Thread, account: str, ts: float) -> tuple[str, str]:
        post = self.claim(400_000 + self._since_origin(ts, 1 / 4))
        url = f"{thread.place}#p{post}"
        return self._posted(thread, url, url)


class Discourse(Network):
    """A brand's Discourse community; ids and keys spelled as `collectors/discourse.py` does."""

    name = "discourse"

    def brand_account(self, slug: str) -> str:
        return f"{slug}_team"

    def open(self, slug: str, lang: Language, ts: float) -> Thread:
        topic = self.claim(20_000 + self._since_origin(ts, 1 / 30))
        place = f"community.{slug}.example/t/{topic}"
        return Thread(self.name, f"{slug}-community", f"{place}/1", place)

    def post(self, thread: Thread, account: str, ts: float) -> tuple[str, str]:
        post = f"{thread.place}/{thread.posts + 1}"
        return self._posted(thread, post, f"https://{post}")


class YouTube(Network):
    """Comments under a brand's videos: a thread is a top-level comment and its replies."""

    name = "youtube"

    def open(self, slug: str, lang: Language, ts: float) -> Thread:
        return Thread(self.name, self.name, place=video_id(slug, self.rng.randrange(8)))

    def post(self, thread: Thread, account: str, ts: float) -> tuple[str, str]:
        comment = self._fresh(thread.key)
        return self._posted(thread, comment, f"https://www.youtube.com/watch?v={thread.place}&lc={comment}")

    def _fresh(self, parent: str) -> str:
        """Top-level ids look like 'Ugz…4AaABAg'; a reply is its parent's id, a dot, 22 more."""
        while True:
            if parent:
                comment = f"{parent}.{self._noise(16)[:22]}"
            else:
                comment = f"Ug{self.rng.choice('wxyz')}{self._noise(12)}4AaABAg"
            if comment not in self._seen:
                self._seen.add(comment)
                return comment

    def _noise(self, size: int) -> str:
        return base64.urlsafe_b64encode(self.rng.getrandbits(size * 8).to_bytes(size, "big")).decode()


NETWORKS: dict[str, type[Network]] = {
    cls.name: cls for cls in (X, Reddit, Mastodon, Bluesky, ForumFeed, HackerNews, Discourse, YouTube)
}
