"""Reddit responder: a user-token comment reply; Reddit's 200-with-errors refusals are typed."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import parse_qs

import pytest

from responders.reddit import RedditResponder, RedditResponderSettings
from tests.http_kit import LOCAL, Answer, Replayer, fixture_json
from tests.responders.table import failure_rows

POST = "POST /api/comment"
OK = {"POST /api/v1/access_token": Answer(body=fixture_json("reddit", "user_token.json")),
      POST: Answer(body=fixture_json("reddit", "comment.json"))}


def responder(replayer: Replayer) -> RedditResponder:
    settings = RedditResponderSettings(base_url=LOCAL, auth_url=LOCAL + "/api/v1/access_token", client_id="cid",
                                       client_secret="csecret", username="AcmeSupport", password="pw")
    return RedditResponder(settings, replayer.client())


def test_comment_reply_to_the_parent_fullname(target_for):
    replayer = Replayer(OK)
    result = responder(replayer).send(target_for("reddit"), "Hi kasia, we are on it.", "k")
    assert result.sent and result.remote_id == "t1_def456"
    assert result.url == "https://www.reddit.com/r/acme/comments/x/y/def456/"
    form = parse_qs(replayer.sent("/api/comment", "POST")[0].content.decode())
    assert form["thing_id"] == ["t1_abc123"] and form["api_type"] == ["json"]
    token = parse_qs(replayer.sent("/api/v1/access_token", "POST")[0].content.decode())
    assert token["grant_type"] == ["password"] and token["username"] == ["AcmeSupport"]


@pytest.mark.parametrize(("row", "answers", "kind"), failure_rows(POST), ids=[r[0] for r in failure_rows(POST)])
def test_failures_are_typed(target_for, row, answers, kind):
    result = responder(Replayer({**OK, **answers})).send(target_for("reddit"), "hello", "k")
    assert not result.sent and result.error_kind == kind


def test_reddit_refusals_in_a_200(target_for):
    limited = responder(Replayer({**OK, POST: Answer(body=fixture_json("reddit", "ratelimit.json"))}))
    result = limited.send(target_for("reddit"), "hello", "k")
    assert result.error_kind == "rate_limited" and result.retry_after == 7 * 60
    locked = responder(Replayer({**OK, POST: Answer(body=fixture_json("reddit", "locked.json"))}))
    result = locked.send(target_for("reddit"), "hello", "k")
    assert result.definite and "THREAD_LOCKED" in result.message


def test_a_refused_login_is_auth(target_for):
    replayer = Replayer({**OK, "POST /api/v1/access_token": Answer(body={"error": "invalid_grant"})})
    result = responder(replayer).send(target_for("reddit"), "hello", "k")
    assert result.error_kind == "auth" and not replayer.sent("/api/comment", "POST")


def test_find_sent_matches_parent_and_text(target_for):
    routes = {**OK, "GET /user/AcmeSupport/comments": Answer(body=fixture_json("reddit", "user_comments.json"))}
    since = datetime(2026, 1, 5, 9, 55, tzinfo=timezone.utc)
    found = responder(Replayer(routes)).find_sent(target_for("reddit"), "Hi kasia, we are on it.", since)
    assert found is not None and found.remote_id == "t1_def456"
