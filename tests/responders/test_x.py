"""X responder through tweepy: a requests adapter mounted on tweepy's session replays recorded
answers, so the real tweepy call, its exceptions and our mapping are all under test."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import requests

from responders.x import XResponder, XResponderSettings
from tests.responders.kit import recorded

TWEETS = "https://api.twitter.com/2/tweets"


class Recorded(requests.adapters.BaseAdapter):
    """Answers in order (the last repeats); an exception class in the list is raised instead."""

    def __init__(self, answers: list) -> None:
        super().__init__()
        self.answers, self.requests = list(answers), []

    def send(self, request, **kwargs):
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, type) and issubclass(answer, Exception):
            raise answer("recorded fault")
        status, body, headers = answer
        response = requests.Response()
        response.status_code, response.url, response.request = status, request.url, request
        response._content = json.dumps(body).encode()
        response.headers.update({"content-type": "application/json", **headers})
        return response

    def close(self) -> None:
        pass


def responder(answers: list) -> tuple[XResponder, Recorded]:
    settings = XResponderSettings(consumer_key="ck", consumer_secret="cs", access_token="at",
                                  access_token_secret="ats", username="acme")
    x = XResponder(settings, client=None)
    adapter = Recorded(answers)
    x.poster.client.session.mount("https://", adapter)
    return x, adapter


def test_create_tweet_in_reply_to_the_stored_id(target_for):
    x, adapter = responder([(201, recorded("x", "create_tweet.json"), {})])
    result = x.send(target_for("x"), "Hi Kasia, we are on it.", "k")
    assert result.sent and result.remote_id == "1790000000000000099"
    assert result.url == "https://x.com/acme/status/1790000000000000099"
    request = adapter.requests[0]
    assert request.url == TWEETS and request.method == "POST"
    assert json.loads(request.body) == {"text": "Hi Kasia, we are on it.",
                                        "reply": {"in_reply_to_tweet_id": "1790000000000000001"}}
    assert request.headers["Authorization"].startswith("OAuth ")  # user context, not the app bearer


ROWS = [
    ("401", [(401, recorded("x", "unauthorized.json"), {})], "auth"),
    ("403", [(403, recorded("x", "forbidden.json"), {})], "rejected"),
    ("429", [(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": "4102444800"})], "rate_limited"),
    ("503", [(503, {"title": "Service Unavailable"}, {})], "unavailable"),
    ("timeout", [requests.ReadTimeout], "lost"),
    ("refused", [requests.ConnectTimeout], "unreachable"),
]


@pytest.mark.parametrize(("row", "answers", "kind"), ROWS, ids=[r[0] for r in ROWS])
def test_failures_are_typed(target_for, row, answers, kind):
    x, _ = responder(answers)
    result = x.send(target_for("x"), "hello", "k")
    assert not result.sent and result.error_kind == kind
    if row == "403":
        assert "not allowed to reply" in result.message


def test_find_sent_searches_the_conversation(target_for):
    x, adapter = responder([(200, recorded("x", "search.json"), {})])
    since = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
    found = x.find_sent(target_for("x"), "Hi Kasia, we are on it.", since)
    assert found is not None and found.remote_id == "1790000000000000099"
    assert "conversation_id%3A1790000000000000000+from%3Aacme" in adapter.requests[0].url
