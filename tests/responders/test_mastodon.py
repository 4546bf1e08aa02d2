"""Mastodon responder against recorded answers: the reply addresses the right status on our
instance, carries the idempotency key, and every failure comes back typed with its reason."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from responders.mastodon import MastodonResponder, MastodonResponderSettings
from tests.http_kit import LOCAL, Answer, Replayer, fixture_json
from tests.responders.table import failure_rows

POST = "POST /api/v1/statuses"
OK = {"GET /api/v2/search": Answer(body=fixture_json("mastodon", "resolve.json")),
      POST: Answer(body=fixture_json("mastodon", "status.json"))}


def responder(replayer: Replayer) -> MastodonResponder:
    settings = MastodonResponderSettings(base_url=LOCAL, access_token="secret-token")
    return MastodonResponder(settings, replayer.client())


def test_reply_goes_to_the_local_status_with_key_and_mention(target_for):
    replayer = Replayer(OK)
    result = responder(replayer).send(target_for("mastodon"), "Cześć Kasiu, już sprawdzamy.", "key-1")
    assert result.sent and result.remote_id == "https://social.example/users/acme/statuses/222"
    assert result.url == "https://social.example/@acme/222"
    lookup = replayer.sent("/api/v2/search", "GET")[0]
    assert lookup.url.params["q"] == target_for("mastodon").external_id and lookup.url.params["resolve"] == "true"
    post = replayer.sent("/api/v1/statuses", "POST")[0]
    body = json.loads(post.content)
    assert body["in_reply_to_id"] == "111"
    assert body["status"] == "@kasia@fosstodon.org Cześć Kasiu, już sprawdzamy."
    assert post.headers["Idempotency-Key"] == "key-1"
    assert post.headers["Authorization"] == "Bearer secret-token"


@pytest.mark.parametrize(("row", "answers", "kind"), failure_rows(POST), ids=[r[0] for r in failure_rows(POST)])
def test_failures_are_typed(target_for, row, answers, kind):
    result = responder(Replayer({**OK, **answers})).send(target_for("mastodon"), "hello", "key-1")
    assert not result.sent and result.error_kind == kind
    assert "secret-token" not in result.message
    if kind == "rate_limited":
        assert result.retry_after == 120
    assert result.uncertain == (kind in ("lost", "unavailable"))


def test_validation_refusal_is_definite_with_the_servers_reason(target_for):
    refusal = Answer(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
    result = responder(Replayer({**OK, POST: refusal})).send(target_for("mastodon"), "x" * 600, "k")
    assert result.definite and result.error_kind == "rejected"
    assert "character limit of 500" in result.message


def test_a_post_the_instance_cannot_find_is_not_found_and_nothing_is_posted(target_for):
    replayer = Replayer({**OK, "GET /api/v2/search": Answer(body={"accounts": [], "statuses": [], "hashtags": []})})
    result = responder(replayer).send(target_for("mastodon"), "hello", "k")
    assert result.error_kind == "not_found" and not replayer.sent("/api/v1/statuses", "POST")


def test_a_timeout_while_resolving_is_safe_to_retry(target_for):
    import httpx

    replayer = Replayer({**OK, "GET /api/v2/search": Answer(fault=httpx.ReadTimeout)})
    result = responder(replayer).send(target_for("mastodon"), "hello", "k")
    assert result.error_kind == "unreachable" and not result.uncertain


def test_find_sent_picks_our_reply_from_the_context(target_for):
    routes = {**OK, "GET /api/v1/statuses/111/context": Answer(body=fixture_json("mastodon", "context.json")),
              "GET /api/v1/accounts/verify_credentials": Answer(body=fixture_json("mastodon", "verify_credentials.json"))}
    found = responder(Replayer(routes)).find_sent(target_for("mastodon"), "hello",
                                                  since=datetime(2026, 1, 5, 10, 15, tzinfo=timezone.utc))
    assert found is not None and found.sent and found.remote_id.endswith("/statuses/222")
    later = responder(Replayer(routes)).find_sent(target_for("mastodon"), "hello",
                                                  since=datetime(2026, 1, 5, 11, 0, tzinfo=timezone.utc))
    assert later is None
