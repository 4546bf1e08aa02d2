"""Inbox and outbox tests: a small seeded database and a scripted responder."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from monitor.mention import Author, Mention
from monitor.store.ingest import ingest
from responders import ReplyTarget, SendResult
from responders.base import Responder

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)


def seed(engine) -> dict[str, int]:
    """Three conversations: Kasia on Mastodon (two posts), Bob on X, Ewa on Reddit (closed later)."""
    mentions = [
        Mention("mastodon", "https://fosstodon.org/users/kasia/statuses/111", "acme nie działa", T0,
                Author("kasia@fosstodon.org", "Kasia"), url="https://fosstodon.org/@kasia/111", brand="Acme", lang="pl"),
        Mention("mastodon", "https://fosstodon.org/users/kasia/statuses/112", "halo?", T0 + timedelta(minutes=5),
                Author("kasia@fosstodon.org", "Kasia"), in_reply_to="https://fosstodon.org/users/kasia/statuses/111",
                brand="Acme", lang="pl"),
        Mention("x", "1790000000000000001", "acme app broke", T0 + timedelta(minutes=20), Author("bob"),
                url="https://x.com/bob/status/1790000000000000001", brand="Acme", lang="en"),
        Mention("reddit", "t1_abc", "acme question", T0 + timedelta(minutes=30), Author("ewa"), brand="Other",
                lang="en", conversation_key="t3_x"),
    ]
    ids = ingest(engine, mentions).inserted_ids
    return {"kasia": ids[0], "kasia2": ids[1], "bob": ids[2], "ewa": ids[3]}


class ScriptedResponder(Responder):
    """Answers from a script; counts every post it was asked to make, per idempotency key."""

    network = "mastodon"
    max_length = 500

    def __init__(self, results: list[SendResult], *, idempotent: bool = False, found: SendResult | None = None,
                 network: str = "mastodon") -> None:
        self.results, self.found, self.network = list(results), found, network
        self.idempotent = idempotent
        self.idempotency_window = timedelta(minutes=50)
        self.posts: list[tuple[str, str]] = []
        self.lookups = 0
        self.lock = threading.Lock()

    def send(self, target: ReplyTarget, text: str, idempotency_key: str) -> SendResult:
        with self.lock:
            self.posts.append((idempotency_key, text))
            return self.results.pop(0) if len(self.results) > 1 else self.results[0]

    def find_sent(self, target: ReplyTarget, text: str, since: datetime) -> SendResult | None:
        self.lookups += 1
        return self.found

    def _post(self, *args):  # pragma: no cover - send is overridden
        raise NotImplementedError

    def _find(self, *args):  # pragma: no cover
        raise NotImplementedError


SENT = SendResult(True, remote_id="https://social.example/users/acme/statuses/222", url="https://social.example/@acme/222")


@pytest.fixture
def seeded(sqlite_engine):
    return sqlite_engine, seed(sqlite_engine)
