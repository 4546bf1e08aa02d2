"""X responder through tweepy: recorded answers replayed through tweepy's own requests session
(a mounted adapter), so the real tweepy call, its exceptions and our mapping are all under test."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import requests

from responders.x import XResponder, XResponderSettings
from tests.http_kit import Answer, Replayer, RequestsReplayer

TWEETS = "https://api.twitter.com/2/tweets"
POST = "POST /2/tweets"
SEARCH = "GET /2/tweets/search/recent"


def responder(routes: dict[str, Answer]) -> tuple[XResponder, Replayer]:
    settings = XResponderSettings(consumer_key="ck", consumer_secret="cs", access_token="at",
                                  access_token_secret="ats", username="acme")
    x = XResponder(settings, client=None)
    replayer = Replayer(routes)
    x.poster.client.session.mount("https://", RequestsReplayer(replayer))
    return x, replayer


def test_create_tweet_in_reply_to_the_stored_id(target_for):
    x, replayer = responder({POST: Answer(201, "create_tweet.json", network="x")})
    result = x.send(target_for("x"), "Hi Kasia, we are on it.", "k")
    assert result.sent and result.remote_id == "1790000000000000099"
    assert result.url == "https://x.com/acme/status/1790000000000000099"
    request = replayer.requests[0]
    assert str(request.url) == TWEETS and request.method == "POST"
    assert json.loads(request.content) == {"text": "Hi Kasia, we are on it.",
                                           "reply": {"in_reply_to_tweet_id": "1790000000000000001"}}
    assert request.headers["Authorization"].startswith("OAuth ")  # user context, not the app bearer


ROWS = [
    ("401", Answer(401, "unauthorized.json", network="x"), "auth"),
    ("403", Answer(403, "forbidden.json", network="x"), "rejected"),
    ("429", Answer(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": "4102444800"}), "rate_limited"),
    ("503", Answer(503, {"title": "Service Unavailable"}), "unavailable"),
    ("timeout", Answer(fault=requests.ReadTimeout), "lost"),
    ("refused", Answer(fault=requests.ConnectTimeout), "unreachable"),
]


@pytest.mark.parametrize(("row", "answer", "kind"), ROWS, ids=[r[0] for r in ROWS])
def test_failures_are_typed(target_for, row, answer, kind):
    x, _ = responder({POST: answer})
    result = x.send(target_for("x"), "hello", "k")
    assert not result.sent and result.error_kind == kind
    if row == "403":
        assert "not allowed to reply" in result.message


def test_find_sent_searches_the_conversation(target_for):
    x, replayer = responder({SEARCH: Answer(200, "search.json", network="x")})
    since = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
    found = x.find_sent(target_for("x"), "Hi Kasia, we are on it.", since)
    assert found is not None and found.remote_id == "1790000000000000099"
    assert "conversation_id%3A1790000000000000000+from%3Aacme" in str(replayer.requests[0].url)
