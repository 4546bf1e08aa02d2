"""Plain values that cross room boundaries: collectors and importers produce them, storage maps
them to rows. Nothing here imports SQLModel, so a collector can never touch the database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone


def now_utc(at: datetime | None = None) -> datetime:
    """`at` when a caller (a test, a batch) fixes the time, else the clock; always UTC-aware."""
    return at or datetime.now(timezone.utc)


def utc(moment: datetime) -> datetime:
    """Every stored time is UTC-aware; naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True, slots=True)
class Author:
    handle: str
    name: str | None = None
    followers: int | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """One public post by someone else, as a network gave it to us.

    `source` is the network ("x", "reddit", "rss", "mastodon", ...); `(source, external_id)` is
    unique in storage. `conversation_key` is the network's id of the thread's root post when the
    network says it (X conversation_id, a Reddit submission, a Discourse topic); otherwise storage
    follows `in_reply_to` to a stored parent, or starts a new conversation.
    """

    source: str
    external_id: str
    text: str
    created_at: datetime
    author: Author
    url: str | None = None
    lang: str | None = None
    in_reply_to: str | None = None
    conversation_key: str | None = None
    brand: str | None = None
    source_name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_at", utc(self.created_at))
        object.__setattr__(self, "external_id", str(self.external_id))


@dataclass(frozen=True, slots=True)
class ThreadSnapshot:
    """Every post and comment a network shows *now* under one thread root, read in full.

    Why: comments are edited and deleted on Facebook and Instagram, and the API has no feed of
    deletions. A collector that re-reads whole threads reports what it saw, so storage can mark a
    stored comment missing from `present` as deleted (and update edited texts) instead of either
    forgetting the change or storing a second copy.
    """

    source: str
    root_key: str
    present: frozenset[str]


@dataclass(frozen=True, slots=True)
class ImportedReply:
    """A brand's post from history (an agent's answer), linked to the post it answers."""

    source: str
    external_id: str
    agent: str
    text: str
    created_at: datetime
    in_reply_to: str | None = None
    conversation_key: str | None = None
    brand: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_at", utc(self.created_at))
        object.__setattr__(self, "external_id", str(self.external_id))


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int
    reason: str


@dataclass(slots=True)
class ImportBatch:
    """What an importer read from a file: good posts, and rows it could not take, with why."""

    mentions: list[Mention] = field(default_factory=list)
    replies: list[ImportedReply] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    read: int = 0
