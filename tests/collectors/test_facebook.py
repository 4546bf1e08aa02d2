"""Facebook Page: the feed with nested comments and cursor paging, tagged posts, thread snapshots
for edits and deletions, Meta's error codes (190, 4/17/32, permissions), usage headers that pause
the source *before* the limit, and the shared failure rows."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from collectors.facebook import FacebookCollector, FacebookSettings
from collectors.graph import TokenExpired, UsageHigh
from networks.errors import AuthFailed, RateLimited
from networks.graph import estimate_wait, usage
from tests.collectors.table import Case, failure_rows, run_case
from tests.http_kit import LOCAL, Answer

PAGE = "104857392011"
FEED = f"GET /v23.0/{PAGE}/feed"
MORE_COMMENTS = f"GET /v23.0/{PAGE}_555001/comments"
TAGGED = f"GET /v23.0/{PAGE}/tagged"
NOW = datetime(2024, 11, 12, 10, 0, tzinfo=timezone.utc)
TOKEN = "EAAFAKEPAGETOKEN0000"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("networks.times.now", lambda: NOW)


def make_with(**extra):
    def make(client):
        settings = FacebookSettings(type="facebook", name="fb-acme", page_id=PAGE, page_access_token=TOKEN,
                                    base_url=LOCAL, **extra)
        return FacebookCollector(settings, client)
    return make


def fb(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, name, headers or {}, network="facebook")


def usage_headers(percent: int, regain_minutes: int = 0) -> dict[str, str]:
    return {"X-App-Usage": json.dumps({"call_count": percent, "total_cputime": 12, "total_time": 20}),
            "X-Business-Use-Case-Usage": json.dumps({PAGE: [{
                "type": "pages", "call_count": percent, "total_cputime": 10, "total_time": 10,
                "estimated_time_to_regain_access": regain_minutes}]})}


OK_ROUTES = {FEED: [fb("feed_page1.json"), fb("feed_page2.json")], MORE_COMMENTS: [fb("comments_page2.json")],
             TAGGED: [fb("tagged.json")]}


def check_success(result, replayer) -> None:
    by_id = {m.external_id: m for m in result.mentions}
    # the page's own post and its own reply (555001_9002) are the brand speaking: not mentions
    assert set(by_id) == {"555001_9001", "555001_9003", "555001_9004", "555003_9101",
                          f"{PAGE}_555002", "7050_880001"}  # not the old tagged post (1 October)
    top, reply, photo = by_id["555001_9001"], by_id["555001_9003"], by_id["555001_9004"]
    assert top.author.handle == "7010" and top.author.name == "Kasia Nowak"
    assert top.in_reply_to == f"{PAGE}_555001" and top.conversation_key == f"{PAGE}_555001"
    assert reply.in_reply_to == "555001_9001" and reply.conversation_key == f"{PAGE}_555001"
    assert top.created_at == datetime(2024, 11, 12, 8, 30, tzinfo=timezone.utc)
    assert photo.text == "[photo]" and top.url.endswith("comment_id=9001")
    visitor = by_id[f"{PAGE}_555002"]
    assert visitor.text.startswith("Acme, kiedy") and visitor.conversation_key == visitor.external_id
    assert by_id["7050_880001"].conversation_key == "7050_880001"  # tagged: its own conversation
    assert all(m.source == "facebook" and m.source_name == "fb-acme" for m in result.mentions)
    assert {t.root_key: t.present for t in result.threads} == {
        f"{PAGE}_555001": {f"{PAGE}_555001", "555001_9001", "555001_9002", "555001_9003", "555001_9004"},
        f"{PAGE}_555002": {f"{PAGE}_555002"},
        f"{PAGE}_555003": {f"{PAGE}_555003", "555003_9101"},
    }
    assert result.cursor == {"read_until": "2024-11-12T10:00:00Z"}
    first, more, second, tagged = replayer.requests
    assert first.url.params["since"] == str(int(datetime(2024, 11, 9, 10, tzinfo=timezone.utc).timestamp()))
    assert "comments.filter(stream)" in first.url.params["fields"]
    assert more.url.params["after"] == "QVFIUmNvbW1lbnRzMg" and more.url.params["filter"] == "stream"
    assert second.url.params["after"] == "QVFIUmZAlZAWQy" and second.url.host == "127.0.0.1"
    for request in replayer.requests:  # the token only ever travels in the header
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in str(request.url) and "access_token" not in request.url.params


def check_incremental(result, replayer) -> None:
    since = int(replayer.requests[0].url.params["since"])
    # the last round ended 5 days ago: read back to it (less the overlap), not just the lookback
    assert since == int(datetime(2024, 11, 7, 9, 55, tzinfo=timezone.utc).timestamp())


def check_empty(result, replayer) -> None:
    assert result.mentions == [] and result.threads == []
    assert result.cursor == {"read_until": "2024-11-12T10:00:00Z"}


def needs_new_token(error, replayer) -> None:
    assert isinstance(error, TokenExpired) and error.message.startswith("needs a new token")
    assert "Session has expired" in error.message and TOKEN not in error.message


def throttled_with_estimate(error, replayer) -> None:
    assert not isinstance(error, UsageHigh)
    assert error.retry_after == 17 * 60  # Meta's estimated_time_to_regain_access, in minutes


def paused_before_the_limit(error, replayer) -> None:
    assert isinstance(error, UsageHigh) and "93%" in error.message
    assert len(replayer.requests) == 1  # no further call once the budget is nearly spent


CASES = [
    Case("feed with nested comments, paging and tagged posts", OK_ROUTES, check=check_success),
    Case("increments from the cursor", {FEED: [fb("empty.json")], TAGGED: [fb("empty.json")]},
         cursor={"read_until": "2024-11-07T10:00:00Z"}, check=check_incremental),
    Case("empty", {FEED: [fb("empty.json")], TAGGED: [fb("empty.json")]}, check=check_empty),
    Case("190 expired token", {FEED: [fb("token_expired.json", 400)]}, raises=TokenExpired,
         check=needs_new_token),
    Case("190 revoked token on 401", {FEED: [fb("token_revoked.json", 401)]}, raises=TokenExpired),
    Case("missing permission", {FEED: [fb("permission.json", 403)]}, raises=AuthFailed),
    *[Case(f"error {code} with usage headers", {FEED: [fb(f"rate_limit_{code}.json", 400, usage_headers(100, 17))]},
           raises=RateLimited, check=throttled_with_estimate) for code in (4, 17, 32)],
    Case("usage at 93% pauses before the limit", {FEED: [fb("feed_page1.json", 200, usage_headers(93))]},
         raises=UsageHigh, check=paused_before_the_limit),
    *failure_rows(FEED),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_facebook(case: Case, no_sleep: list[float]) -> None:
    run_case(case, make_with(), no_sleep)


def test_tagged_can_be_switched_off(no_sleep) -> None:
    case = Case("no tagged", {FEED: [fb("empty.json")]},
                check=lambda result, replayer: [r.url.path for r in replayer.requests] == [f"/v23.0/{PAGE}/feed"])
    run_case(case, make_with(tagged=False), no_sleep)


def test_a_thread_cut_short_is_not_a_snapshot(no_sleep) -> None:
    """With only one comment page allowed, the post's comments are not all read: no snapshot,
    or storage would mark the unread ones deleted."""
    case = Case("cut short", {FEED: [fb("feed_page1.json"), fb("feed_page2.json")], TAGGED: [fb("empty.json")]},
                check=lambda result, replayer: None)
    result = run_case(case, make_with(comment_pages=1), no_sleep)
    assert f"{PAGE}_555001" not in {t.root_key for t in result.threads}
    assert "555001_9003" in {m.external_id for m in result.mentions}


def test_appsecret_proof_is_sent_when_configured(no_sleep) -> None:
    case = Case("proof", {FEED: [fb("empty.json")], TAGGED: [fb("empty.json")]})
    result_check = []
    case.check = lambda result, replayer: result_check.append(replayer.requests[0].url.params["appsecret_proof"])
    run_case(case, make_with(app_secret="made-up-secret"), no_sleep)
    assert len(result_check[0]) == 64


@pytest.mark.parametrize(("percent", "regain", "expected"), [
    (95, 0, 60 * 60 * 15 / 95),   # calls spread over the rolling hour fall to 80% in ~9.5 min
    (100, 0, 60 * 60 * 20 / 100),
    (99, 7, 7 * 60),               # Meta's own estimate wins
    (81, 0, 60),                   # never less than a minute
])
def test_wait_estimate(percent, regain, expected) -> None:
    assert estimate_wait(percent, regain * 60 or None, 90) == pytest.approx(max(expected, 60))


def test_usage_reads_every_header_and_ignores_garbage() -> None:
    import httpx
    headers = httpx.Headers({"X-App-Usage": '{"call_count": "n/a", "total_cputime": 40, "total_time": 3}',
                             "X-Page-Usage": "not json",
                             "X-Business-Use-Case-Usage": json.dumps({"1": [{"call_count": 5, "total_time": 61,
                                                                             "estimated_time_to_regain_access": 2}]})})
    assert usage(headers) == (61.0, 120.0)


def test_ids_pasted_unquoted_in_yaml_are_text() -> None:
    assert FacebookSettings(type="facebook", page_id=104857392011).page_id == PAGE
