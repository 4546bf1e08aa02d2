"""Mastodon: hashtag timeline and v2 search, uri ids across instances, reply links, failures."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.mastodon import MastodonCollector, MastodonSettings
from tests.collectors.table import Case, failure_rows, run_case
from tests.http_kit import LOCAL, Answer

TAG = "GET /api/v1/timelines/tag/acme"
SEARCH = "GET /api/v2/search"
PARENT = "GET /api/v1/statuses/113469000000000009"


def make(client):
    settings = MastodonSettings(type="mastodon", name="fosstodon", base_url=LOCAL,
                                access_token="made-up-token", hashtags=["#acme"])
    return MastodonCollector(settings, client)


def md(name: str, **headers: str) -> Answer:
    return Answer(200, name, headers, network="mastodon")


def check_success(result, replayer) -> None:
    by_id = {m.external_id: m for m in result.mentions}
    anna = by_id["https://social.example.de/users/anna/statuses/113469999000000123"]
    assert anna.author.handle == "anna@social.example.de" and anna.author.followers == 312
    assert anna.author.name == "Anna K." and anna.lang == "de"
    assert anna.text == "@acme Mein #acme Router startet ständig neu."
    assert anna.in_reply_to == "https://fosstodon.org/users/acme/statuses/113469000000000009"
    bob = by_id["https://fosstodon.org/users/bob/statuses/113470000000000001"]
    assert bob.author.handle == f"bob@{LOCAL.removeprefix('http://')}"  # local account: host added
    assert bob.author.name == "bob"
    assert bob.text == ("rant\n\nAcme support closed my ticket without reading it.\nAgain.\n\n"
                        "\"Works for us\" & that's it.")
    assert bob.created_at == datetime(2024, 11, 12, 9, 0, tzinfo=timezone.utc)
    carol = by_id["https://mastodon.example/users/carol/statuses/555"]
    assert carol.in_reply_to == bob.external_id  # parent found in the same batch, no lookup
    assert carol.url == "https://mastodon.example/@carol/555"
    assert len(replayer.sent("/api/v1/statuses/113469000000000009")) == 1
    tag_requests = replayer.sent("/api/v1/timelines/tag/acme")
    assert tag_requests[0].url.params["min_id"] == str(113460000000000000 - (300_000 << 16))
    assert tag_requests[1].url.params["min_id"] == "113470000000000002"  # walks forward
    assert tag_requests[0].headers["authorization"] == "Bearer made-up-token"
    search = replayer.sent("/api/v2/search")[0].url.params
    assert search["q"] == "acme" and search["type"] == "statuses"
    assert result.cursor["since"]["tag:acme"] == "113470000000000002"
    assert result.cursor["since"]["search:acme"] == "113470000000000003"


def check_empty(result, replayer) -> None:
    assert result.mentions == []
    assert result.cursor["since"]["tag:acme"] == "113460000000000000"
    assert int(result.cursor["since"]["search:dział"]) > 113460000000000000  # new term: from now


CURSOR = {"since": {"tag:acme": "113460000000000000", "search:acme": "113460000000000000",
                    'search:"acme shop"': "113460000000000000"}}
EMPTY_SEARCH = {SEARCH: [md("empty_search.json")]}

CASES = [
    Case("success, paging and reply links",
         {TAG: [md("tag_acme.json"), md("empty_timeline.json")], PARENT: [md("parent.json")],
          SEARCH: [md("search.json"), md("empty_search.json")]},
         cursor=CURSOR, terms=["acme"], check=check_success),
    Case("empty", {TAG: [md("empty_timeline.json")], **EMPTY_SEARCH}, cursor=CURSOR,
         check=check_empty),
    *failure_rows(TAG, cursor=CURSOR,
                  rate_headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                                "X-RateLimit-Reset": "2099-01-01T00:00:00.000Z"}),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_mastodon(case: Case, no_sleep: list[float]) -> None:
    if case.id == "429 with headers":  # an ISO reset far ahead: the wait is long but computed
        case.routes[TAG][0].headers["X-RateLimit-Reset"] = _in_seconds(300)
    run_case(case, make, no_sleep)


def _in_seconds(seconds: int) -> str:
    moment = datetime.now(timezone.utc).timestamp() + seconds
    return datetime.fromtimestamp(moment, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def test_rate_limit_reset_iso_is_read() -> None:
    from networks.ratelimit import rate_limited
    error = rate_limited({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2024-11-12T10:05:00.000Z"},
                         now=datetime(2024, 11, 12, 10, 0, tzinfo=timezone.utc).timestamp())
    assert error.retry_after == 300
    assert error.reset_at == datetime(2024, 11, 12, 10, 5, tzinfo=timezone.utc)
