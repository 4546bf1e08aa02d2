"""Bluesky responder: the reply ref carries parent and root {uri, cid} read fresh from the
network, one session is reused, and failures come back typed."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from responders.bluesky import BlueskyResponder, BlueskyResponderSettings
from tests.http_kit import LOCAL, Answer, Replayer, fixture_json
from tests.responders.table import failure_rows

POST = "POST /xrpc/com.atproto.repo.createRecord"
OK = {"POST /xrpc/com.atproto.server.createSession": Answer(body=fixture_json("bluesky", "brand_session.json")),
      "GET /xrpc/app.bsky.feed.getPosts": Answer(body=fixture_json("bluesky", "getPosts.json")),
      POST: Answer(body=fixture_json("bluesky", "createRecord.json"))}


def responder(replayer: Replayer) -> BlueskyResponder:
    settings = BlueskyResponderSettings(base_url=LOCAL, handle="acme.bsky.social", app_password="app-pass")
    return BlueskyResponder(settings, replayer.client())


def test_reply_refs_parent_and_thread_root(target_for):
    replayer = Replayer(OK)
    bluesky = responder(replayer)
    result = bluesky.send(target_for("bluesky"), "Cześć Kasiu", "k")
    assert result.sent and result.remote_id == "at://did:plc:acmebrand/app.bsky.feed.post/3kreply"
    assert result.url == "https://bsky.app/profile/acme.bsky.social/post/3kreply"
    body = json.loads(replayer.sent("/xrpc/com.atproto.repo.createRecord", "POST")[0].content)
    assert body["repo"] == "did:plc:acmebrand"
    assert body["record"]["reply"] == {
        "root": {"uri": "at://did:plc:root/app.bsky.feed.post/3kroot", "cid": "bafyreirootcid"},
        "parent": {"uri": "at://did:plc:kasia/app.bsky.feed.post/3kparent", "cid": "bafyreiparentcid"}}
    assert body["record"]["langs"] == ["pl"]
    bluesky.send(target_for("bluesky"), "again", "k2")
    assert len(replayer.sent("/xrpc/com.atproto.server.createSession", "POST")) == 1


def test_a_thread_starter_is_its_own_root(target_for):
    posts = fixture_json("bluesky", "getPosts.json")
    del posts["posts"][0]["record"]["reply"]
    replayer = Replayer({**OK, "GET /xrpc/app.bsky.feed.getPosts": Answer(body=posts)})
    responder(replayer).send(target_for("bluesky"), "hi", "k")
    reply = json.loads(replayer.sent("/xrpc/com.atproto.repo.createRecord", "POST")[0].content)["record"]["reply"]
    assert reply["root"] == reply["parent"] == {"uri": "at://did:plc:kasia/app.bsky.feed.post/3kparent",
                                                 "cid": "bafyreiparentcid"}


@pytest.mark.parametrize(("row", "answers", "kind"), failure_rows(POST), ids=[r[0] for r in failure_rows(POST)])
def test_failures_are_typed(target_for, row, answers, kind):
    result = responder(Replayer({**OK, **answers})).send(target_for("bluesky"), "hello", "k")
    assert not result.sent and result.error_kind == kind


def test_an_expired_session_logs_in_again_once(target_for):
    expired = Answer(400, {"error": "ExpiredToken", "message": "Token has expired"})
    replayer = Replayer({**OK, POST: [Answer(body=fixture_json("bluesky", "createRecord.json")), expired,
                                      Answer(body=fixture_json("bluesky", "createRecord.json"))]})
    bluesky = responder(replayer)
    assert bluesky.send(target_for("bluesky"), "one", "k1").sent
    assert bluesky.send(target_for("bluesky"), "two", "k2").sent
    assert len(replayer.sent("/xrpc/com.atproto.server.createSession", "POST")) == 2


def test_find_sent_matches_our_did_and_text(target_for):
    routes = {**OK, "GET /xrpc/app.bsky.feed.getPostThread": Answer(body=fixture_json("bluesky", "getPostThread.json"))}
    since = datetime(2026, 1, 5, 10, 15, tzinfo=timezone.utc)
    found = responder(Replayer(routes)).find_sent(target_for("bluesky"), "Cześć Kasiu, już sprawdzamy.", since)
    assert found is not None and found.remote_id.endswith("/3kreply")
    assert responder(Replayer(routes)).find_sent(target_for("bluesky"), "other words", since) is None
