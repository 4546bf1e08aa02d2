"""YouTube: commentThreads with searchTerms per target, quota counted in the cursor, Google's
error reasons (quota, bad key, comments disabled), and the shared failure rows."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.youtube import YouTubeCollector, YouTubeSettings, next_pacific_midnight
from networks.errors import AuthFailed, RateLimited
from tests.collectors.table import Case, failure_rows, run_case
from tests.http_kit import LOCAL, Answer

THREADS = "GET /youtube/v3/commentThreads"
NOW = datetime(2024, 11, 12, 10, 0, tzinfo=timezone.utc)  # 02:00 in California
MIDNIGHT_PACIFIC = datetime(2024, 11, 13, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("networks.times.now", lambda: NOW)


def make_with(**extra):
    def make(client):
        settings = YouTubeSettings(type="youtube", name="yt", api_key="made-up-key",
                                   base_url=f"{LOCAL}/youtube/v3",
                                   channels=["UCacmeOfficial0000000000"], **extra)
        return YouTubeCollector(settings, client)
    return make


def yt(name: str, status: int = 200) -> Answer:
    return Answer(status, name, network="youtube")


KEY = "channel:UCacmeOfficial0000000000:acme"
CURSOR = {"quota": {"day": "2024-11-12", "used": 5}, "since": {KEY: "2024-11-05T00:00:00Z"}}


def check_success(result, replayer) -> None:
    top, reply = result.mentions  # the 1 November thread is older than the cursor
    assert top.external_id == "UgzN3kFakeThreadId1AaABAg" and top.conversation_key == top.external_id
    assert top.author.handle == "piotr_tech" and top.author.name == "@piotr_tech"
    assert top.created_at == datetime(2024, 11, 12, 9, 31, 10, tzinfo=timezone.utc)
    assert top.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgzN3kFakeThreadId1AaABAg"
    assert reply.in_reply_to == top.external_id and reply.conversation_key == top.external_id
    assert result.cursor == {"quota": {"day": "2024-11-12", "used": 7},
                             "since": {KEY: "2024-11-12T09:40:00Z"}}
    first, second = replayer.requests
    assert first.url.params["searchTerms"] == "acme" and first.url.params["key"] == "made-up-key"
    assert first.url.params["allThreadsRelatedToChannelId"] == "UCacmeOfficial0000000000"
    assert first.url.params["order"] == "time" and "pageToken" not in first.url.params
    assert second.url.params["pageToken"] == "QURTSl9pMmFfZmFrZV90b2tlbg=="


def check_new_day(result, replayer) -> None:
    assert result.mentions == []
    assert result.cursor["quota"] == {"day": "2024-11-12", "used": 1}  # yesterday's count reset


def check_quota_mid_round(result, replayer) -> None:
    assert len(replayer.requests) == 1 and len(result.mentions) == 2
    assert result.cursor["quota"] == {"day": "2024-11-12", "used": 6}


def until_midnight(error, replayer) -> None:
    assert error.reset_at == MIDNIGHT_PACIFIC
    assert error.retry_after == (MIDNIGHT_PACIFIC - NOW).total_seconds()
    assert "Pacific" in error.message


def check_disabled(result, replayer) -> None:
    assert len(replayer.requests) == 2 and result.mentions != []  # the channel was still read


CASES = [
    Case("success and paging", {THREADS: [yt("threads_page1.json"), yt("threads_page2.json")]},
         cursor=CURSOR, terms=["acme"], check=check_success),
    Case("empty on a new day", {THREADS: [yt("empty.json")]}, terms=["acme"],
         cursor={"quota": {"day": "2024-11-11", "used": 9999}}, check=check_new_day),
    Case("quota runs out mid-round", {THREADS: [yt("threads_page1.json"), yt("threads_page2.json")]},
         cursor=CURSOR, terms=["acme"], check=check_quota_mid_round),
    Case("quota reached before the round", {THREADS: [yt("empty.json")]}, terms=["acme"],
         cursor={"quota": {"day": "2024-11-12", "used": 6}}, raises=RateLimited, check=until_midnight),
    Case("403 quotaExceeded", {THREADS: [yt("quota_exceeded.json", 403)]}, terms=["acme"],
         raises=RateLimited, check=until_midnight),
    Case("400 bad key", {THREADS: [yt("key_invalid.json", 400)]}, terms=["acme"], raises=AuthFailed),
    Case("comments disabled on a video",
         {THREADS: [yt("threads_page1.json"), yt("comments_disabled.json", 403)]},
         terms=["acme"], check=check_disabled),
    *failure_rows(THREADS),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_youtube(case: Case, no_sleep: list[float]) -> None:
    extra = {}
    if case.id in ("quota runs out mid-round", "quota reached before the round"):
        extra = {"daily_quota": 6}
    if case.id == "comments disabled on a video":
        extra = {"videos": ["noComments1"]}
    run_case(case, make_with(**extra), no_sleep)


def test_every_search_term_is_one_call_per_target() -> None:
    collector = make_with(videos=["v1"])(None)
    streams = collector._streams(["acme", '"acme shop"', "dział*"])
    assert [params.get("searchTerms") for _, params in streams] == ["acme", "acme shop", "dział"] * 2


def test_next_pacific_midnight_in_summer() -> None:
    assert next_pacific_midnight(datetime(2024, 7, 1, 12, 0, tzinfo=timezone.utc)) == \
        datetime(2024, 7, 2, 7, 0, tzinfo=timezone.utc)
