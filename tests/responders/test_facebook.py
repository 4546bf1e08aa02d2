"""Facebook responder: replies go under the top-level comment as the page, Meta's error codes
become the outbox's failure kinds, `find_sent` matches text *and* our page, hiding comments."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import httpx
import pytest

from responders import ReplyTarget
from responders.facebook import FacebookResponder, FacebookResponderSettings
from tests.http_kit import LOCAL, Answer, Replayer
from tests.responders.table import failure_rows

PAGE = "104857392011"
POST_ID = f"{PAGE}_555001"
PARENT = "GET /v23.0/555001_9003"
POST = "POST /v23.0/555001_9001/comments"
TEXT = "Cześć Kasiu, sprawdzamy zamówienie."
SINCE = datetime(2024, 11, 12, 10, 0, tzinfo=timezone.utc)
REPLY_TO_REPLY = ReplyTarget("facebook", "555001_9003", "7010", None, "Kasia Nowak", POST_ID, "pl")
ON_POST = ReplyTarget("facebook", f"{PAGE}_555002", "7020", None, "Jan Kowalski", f"{PAGE}_555002", "pl")


def fb(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, name, headers or {}, network="facebook")


OK = {PARENT: fb("comment_parent.json"), POST: fb("comment_created.json")}


def responder(replayer: Replayer, **extra) -> FacebookResponder:
    settings = FacebookResponderSettings(base_url=LOCAL, page_id=PAGE, page_access_token="EAAFAKE", **extra)
    return FacebookResponder(settings, replayer.client())


def test_a_reply_to_a_reply_goes_under_its_top_level_comment() -> None:
    replayer = Replayer(OK)
    result = responder(replayer).send(REPLY_TO_REPLY, TEXT, "key")
    assert result.sent and result.remote_id == "555001_9901"
    assert result.url == "https://www.facebook.com/555001_9901"
    request = replayer.sent("/v23.0/555001_9001/comments", "POST")[0]
    assert request.url.params["message"] == TEXT
    assert request.headers["Authorization"] == "Bearer EAAFAKE" and "EAAFAKE" not in str(request.url)


def test_a_reply_to_a_post_needs_no_lookup() -> None:
    replayer = Replayer({f"POST /v23.0/{PAGE}_555002/comments": fb("comment_created.json")})
    assert responder(replayer).send(ON_POST, TEXT, "key").sent
    assert [r.method for r in replayer.requests] == ["POST"]


@pytest.mark.parametrize(("row", "answers", "kind"), failure_rows(POST), ids=[r[0] for r in failure_rows(POST)])
def test_shared_failures_are_typed(row, answers, kind) -> None:
    result = responder(Replayer({**OK, **answers})).send(REPLY_TO_REPLY, TEXT, "key")
    assert not result.sent and result.error_kind == kind


USAGE = {"X-Business-Use-Case-Usage": json.dumps({PAGE: [{"type": "pages", "call_count": 100, "total_cputime": 9,
                                                          "total_time": 9, "estimated_time_to_regain_access": 12}]})}
GRAPH_ROWS = [
    ("190 expired", fb("token_expired.json", 400), "auth"),
    ("190 revoked", fb("token_revoked.json", 401), "auth"),
    ("4 app limit", fb("rate_limit_4.json", 400, USAGE), "rate_limited"),
    ("17 user limit", fb("rate_limit_17.json", 400, USAGE), "rate_limited"),
    ("32 page limit", fb("rate_limit_32.json", 400, USAGE), "rate_limited"),
    ("10 permission", fb("permission.json", 403), "auth"),
    ("100/33 gone", fb("object_missing.json", 400), "not_found"),
    ("2 temporary", Answer(500, {"error": {"message": "Service temporarily unavailable", "type": "FacebookApiException",
                                           "code": 2, "is_transient": True}}), "unavailable"),
    ("368 blocked", Answer(400, {"error": {"message": "It looks like you were misusing this feature",
                                           "type": "OAuthException", "code": 368}}), "rejected"),
]


@pytest.mark.parametrize(("row", "answer", "kind"), GRAPH_ROWS, ids=[r[0] for r in GRAPH_ROWS])
def test_graph_error_codes(row, answer, kind) -> None:
    result = responder(Replayer({**OK, POST: answer})).send(REPLY_TO_REPLY, TEXT, "key")
    assert result.error_kind == kind
    if kind == "auth" and row.startswith("190"):
        assert result.message.startswith("needs a new token")
    if kind == "rate_limited":
        assert result.retry_after == 12 * 60
    if kind in ("unavailable",):
        assert result.uncertain  # a 5xx on the posting request: the comment may exist


def test_the_parent_lookup_failing_is_not_uncertain() -> None:
    result = responder(Replayer({PARENT: fb("object_missing.json", 400), POST: fb("comment_created.json")})) \
        .send(REPLY_TO_REPLY, TEXT, "key")
    assert result.error_kind == "not_found" and result.definite


FIND = "GET /v23.0/555001_9001/comments"


def test_find_sent_matches_text_and_our_page() -> None:
    replayer = Replayer({**OK, FIND: fb("replies.json")})
    found = responder(replayer).find_sent(REPLY_TO_REPLY, TEXT, SINCE)
    assert found is not None and found.sent and found.remote_id == "555001_9901"
    assert replayer.sent("/v23.0/555001_9001/comments", "GET")[0].url.params["order"] == "reverse_chronological"
    assert not replayer.sent("/v23.0/555001_9001/comments", "POST")


@pytest.mark.parametrize(("text", "since", "page"), [
    ("Dalej nic...", datetime(2024, 11, 12, 9, 0, tzinfo=timezone.utc), PAGE),  # same text, not by us
    (TEXT, datetime(2024, 11, 12, 11, 0, tzinfo=timezone.utc), PAGE),          # ours, but older than this reply
    (TEXT, SINCE, "999"),                                                      # another page's token
])
def test_find_sent_is_none_when_it_is_not_ours(text, since, page) -> None:
    replayer = Replayer({**OK, FIND: fb("replies.json")})
    settings = FacebookResponderSettings(base_url=LOCAL, page_id=page, page_access_token="EAAFAKE")
    assert FacebookResponder(settings, replayer.client()).find_sent(REPLY_TO_REPLY, text, since) is None


def test_find_sent_that_cannot_look_says_so() -> None:
    replayer = Replayer({**OK, FIND: Answer(fault=httpx.ConnectError)})
    found = responder(replayer).find_sent(REPLY_TO_REPLY, TEXT, SINCE)
    assert found is not None and not found.sent and found.error_kind == "unreachable"


@pytest.mark.parametrize("hidden", [True, False])
def test_hide_and_unhide(hidden) -> None:
    replayer = Replayer({"POST /v23.0/555001_9003": fb("success.json")})
    result = responder(replayer).set_hidden(REPLY_TO_REPLY, hidden)
    assert result.sent
    assert replayer.requests[0].url.params["is_hidden"] == ("true" if hidden else "false")


def test_hide_with_an_expired_token_is_auth() -> None:
    result = responder(Replayer({"POST /v23.0/555001_9003": fb("token_expired.json", 400)})).set_hidden(REPLY_TO_REPLY, True)
    assert not result.sent and result.error_kind == "auth"
