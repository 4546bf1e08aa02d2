"""Discourse responder: topic and post number come from the stored id; one forum per responder."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from responders.discourse import DiscourseResponder, DiscourseResponderSettings
from tests.http_kit import LOCAL, Answer, Replayer, fixture_json
from tests.responders.table import failure_rows

POST = "POST /posts.json"
OK = {POST: Answer(body=fixture_json("discourse", "post.json"))}


def responder(replayer: Replayer) -> DiscourseResponder:
    settings = DiscourseResponderSettings(base_url=LOCAL, api_key="forum-key", api_username="acme_support")
    return DiscourseResponder(settings, replayer.client())


def test_reply_to_post_number_in_topic(target_for):
    replayer = Replayer(OK)
    result = responder(replayer).send(target_for("discourse"), "Hi kasia, we are on it.", "k")
    assert result.sent and result.remote_id == "127.0.0.1:8765/t/42/4"
    assert result.url == f"{LOCAL}/t/login-broken/42/4"
    request = replayer.sent("/posts.json", "POST")[0]
    assert json.loads(request.content) == {"raw": "Hi kasia, we are on it.", "topic_id": 42, "reply_to_post_number": 3}
    assert request.headers["Api-Key"] == "forum-key" and request.headers["Api-Username"] == "acme_support"


def test_answers_only_its_own_forum(target_for):
    forum = responder(Replayer(OK))
    assert forum.can_answer(target_for("discourse"))
    assert not forum.can_answer(replace(target_for("discourse"), external_id="forum.other/t/42/3"))


@pytest.mark.parametrize(("row", "answers", "kind"), failure_rows(POST), ids=[r[0] for r in failure_rows(POST)])
def test_failures_are_typed(target_for, row, answers, kind):
    result = responder(Replayer({**OK, **answers})).send(target_for("discourse"), "hello", "k")
    assert not result.sent and result.error_kind == kind


def test_refusal_carries_the_forums_words(target_for):
    result = responder(Replayer({POST: Answer(422, fixture_json("discourse", "too_similar.json"))})).send(
        target_for("discourse"), "hello", "k")
    assert result.definite and "too similar" in result.message


def test_find_sent_reads_our_replies(target_for):
    routes = {"GET /user_actions.json": Answer(body=fixture_json("discourse", "user_actions.json"))}
    since = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
    found = responder(Replayer(routes)).find_sent(target_for("discourse"), "hello", since)
    assert found is not None and found.remote_id == "127.0.0.1:8765/t/42/4"
