"""YouTube responder: replies go under the thread's top-level comment; quota is a wait."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from responders.youtube import YouTubeResponder, YouTubeResponderSettings
from tests.http_kit import LOCAL, Answer, Replayer, fixture_json
from tests.responders.table import failure_rows

POST = "POST /comments"
OK = {"POST /token": Answer(body=fixture_json("youtube", "token.json")),
      POST: Answer(body=fixture_json("youtube", "comment.json"))}


def responder(replayer: Replayer) -> YouTubeResponder:
    settings = YouTubeResponderSettings(base_url=LOCAL, token_url=LOCAL + "/token", client_id="id",
                                        client_secret="s", refresh_token="r", channel_id="UCacme")
    return YouTubeResponder(settings, replayer.client())


def test_reply_under_top_level_comment(target_for):
    replayer = Replayer(OK)
    result = responder(replayer).send(target_for("youtube"), "Hi Kasia, we are on it.", "k")
    assert result.sent and result.remote_id == "Ugz.reply2"
    assert result.url == "https://www.youtube.com/watch?v=vid&lc=Ugz.reply2"
    request = replayer.sent("/comments", "POST")[0]
    assert json.loads(request.content)["snippet"]["parentId"] == "Ugz"
    assert request.headers["Authorization"] == "Bearer ya29.token"


@pytest.mark.parametrize(("row", "answers", "kind"), failure_rows(POST), ids=[r[0] for r in failure_rows(POST)])
def test_failures_are_typed(target_for, row, answers, kind):
    result = responder(Replayer({**OK, **answers})).send(target_for("youtube"), "hello", "k")
    assert not result.sent and result.error_kind == kind


def test_quota_is_rate_limited_and_forbidden_is_definite(target_for):
    quota = responder(Replayer({**OK, POST: Answer(403, fixture_json("youtube", "quota.json"))}))
    result = quota.send(target_for("youtube"), "hello", "k")
    assert result.error_kind == "rate_limited" and result.retry_after
    forbidden = responder(Replayer({**OK, POST: Answer(403, fixture_json("youtube", "forbidden.json"))}))
    assert forbidden.send(target_for("youtube"), "hello", "k").definite


def test_a_revoked_refresh_token_is_auth(target_for):
    replayer = Replayer({**OK, "POST /token": Answer(400, {"error": "invalid_grant"})})
    assert responder(replayer).send(target_for("youtube"), "hello", "k").error_kind == "auth"


def test_find_sent_matches_text_and_channel(target_for):
    routes = {**OK, "GET /comments": Answer(body=fixture_json("youtube", "replies.json"))}
    since = datetime(2026, 1, 5, 10, 5, tzinfo=timezone.utc)
    found = responder(Replayer(routes)).find_sent(target_for("youtube"), "Hi Kasia, we are on it.", since)
    assert found is not None and found.remote_id == "Ugz.reply2"
