"""X: recorded v2 JSON replayed through tweepy's own requests session (a mounted adapter), so
the real tweepy call, our adapter's error mapping and the JSON-to-Mention mapping are all run."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from collectors.x import XCollector, XSettings, tweets_to_mentions
from networks.errors import AuthFailed, ParseError, RateLimited, SourceUnavailable
from networks.x import snowflake_at
from tests.collectors.table import Case, run_case
from tests.http_kit import LOCAL, Answer, Replayer, RequestsReplayer, fixture_json

SEARCH = "GET /2/tweets/search/recent"


def make_with(replayer: Replayer):
    def make(_client):
        settings = XSettings(type="x", name="x", bearer_token="made-up-bearer", base_url=LOCAL)
        collector = XCollector(settings, _client)
        collector.api.client.session.mount(LOCAL, RequestsReplayer(replayer))
        return collector
    return make


def xr(name: str, status: int = 200, **headers: str) -> Answer:
    return Answer(status, name, {"content-type": "application/json", **headers}, network="x")


QUERY = '(acme OR "acme shop" OR dział) -is:retweet'
RECORDED_ON = datetime(2024, 11, 12, 10, 0, tzinfo=timezone.utc)  # when the fixtures were made
RECENT_ID = str(snowflake_at(RECORDED_ON - timedelta(hours=1)))


@pytest.fixture(autouse=True)
def recorded_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("networks.times.now", lambda: RECORDED_ON)


def check_success(result, replayer) -> None:
    marta, long_post, short = result.mentions
    assert marta.author.handle == "marta_w" and marta.author.followers == 1523
    assert marta.author.name == "Marta 🇵🇱" and marta.lang == "pl"
    assert marta.created_at == datetime(2024, 11, 12, 9, 31, 10, tzinfo=timezone.utc)
    assert marta.in_reply_to == "1856250000000000000"
    assert marta.conversation_key == "1856250000000000000"
    assert marta.url == "https://x.com/marta_w/status/1856261234567890123"
    assert long_post.text.endswith("how support handled it...")  # note_tweet: the full text
    assert short.lang is None  # "und"
    assert result.cursor == {"since_id": {QUERY: "1856261234567890123"}}
    first, second = replayer.requests
    assert str(first.url).startswith(LOCAL + "/2/tweets/search/recent")  # base_url honoured
    assert first.url.params["query"] == QUERY and first.url.params["since_id"] == RECENT_ID
    assert first.url.params["expansions"] == "author_id"
    assert "public_metrics" in first.url.params["user.fields"]
    assert "conversation_id" in first.url.params["tweet.fields"]
    assert second.url.params["next_token"] == "b26v89c19zqg8o3fr5rnoc5xs0ntlm6tpr6kxwvulcb5p"
    assert first.headers["authorization"] == "Bearer made-up-bearer"


def check_empty(result, replayer) -> None:
    assert result.mentions == [] and result.cursor == {"since_id": {QUERY: RECENT_ID}}


def check_old_cursor(result, replayer) -> None:
    params = replayer.requests[0].url.params
    assert "since_id" not in params and params["start_time"].startswith("2024-11-05T11:00:00")


CURSOR = {"since_id": {QUERY: RECENT_ID}}

CASES = [
    Case("success and paging", {SEARCH: [xr("search_page1.json"), xr("search_page2.json")]},
         cursor=CURSOR, check=check_success),
    Case("empty", {SEARCH: [xr("empty.json")]}, cursor=CURSOR, check=check_empty),
    Case("cursor older than 7 days", {SEARCH: [xr("empty.json")]},
         cursor={"since_id": {QUERY: "1656261234567890123"}}, check=check_old_cursor),
    Case("401", {SEARCH: [xr("unauthorized.json", 401)]}, raises=AuthFailed),
    Case("429 with headers", {SEARCH: [xr("too_many.json", 429, **{"x-rate-limit-limit": "450",
                                                                   "x-rate-limit-remaining": "0",
                                                                   "x-rate-limit-reset": "0"})]},
         raises=RateLimited),
    Case("500 retried", {SEARCH: [xr("too_many.json", 503)]}, raises=SourceUnavailable),
    Case("malformed", {SEARCH: [Answer(200, b"<html>oops</html>", {"content-type": "text/html"})]},
         raises=ParseError),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_x(case: Case, no_sleep: list[float]) -> None:
    if case.id == "429 with headers":
        reset = int(datetime.now(timezone.utc).timestamp()) + 600
        case.routes[SEARCH][0].headers["x-rate-limit-reset"] = str(reset)
    replayer = Replayer(case.routes)
    outcome = run_case(case, make_with(replayer), no_sleep, replayer)
    if case.id == "429 with headers":
        assert 590 <= outcome.retry_after <= 601
    if case.id == "500 retried":
        assert outcome.status == 503 and no_sleep == [2, 4] and len(replayer.requests) == 3


def test_mapping_from_recorded_json_alone() -> None:
    (mention,) = tweets_to_mentions(fixture_json("x", "search_page2.json"), "x")
    assert mention.author.followers == 88 and mention.external_id == "1856255555555555555"


def test_long_term_lists_are_split_to_fit_512_characters() -> None:
    collector = XCollector(XSettings(type="x", bearer_token="t"), None)
    queries = collector.queries([f"term{i:03d}" for i in range(80)])
    assert len(queries) > 1 and all(len(query) <= 512 for query in queries)
