"""Instagram responder: replies on a comment's `replies` edge, comments on our media, Meta's
errors, `find_sent` under the top-level comment, hiding comments."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from responders import ReplyTarget
from responders.instagram import InstagramResponder, InstagramResponderSettings
from tests.http_kit import LOCAL, Answer, Replayer
from tests.responders.table import failure_rows

IG = "17841400008460056"
MEDIA = "17895695668004550"
TOP, REPLY = "17873440459141021", "17873440459141032"
TEXT = "Cześć Kasiu, sprawdzamy paczkę."
SINCE = datetime(2024, 11, 12, 10, 0, tzinfo=timezone.utc)
ON_REPLY = ReplyTarget("instagram", REPLY, "kasia.nowak", "https://www.instagram.com/p/Cz1AbCdEfGh/", None, MEDIA)
ON_MEDIA = ReplyTarget("instagram", MEDIA, "acme.polska", "https://www.instagram.com/p/Cz1AbCdEfGh/", None, MEDIA)
POST = f"POST /v23.0/{REPLY}/replies"


def ig(name: str, status: int = 200) -> Answer:
    return Answer(status, name, network="instagram")


def responder(replayer: Replayer, **extra) -> InstagramResponder:
    settings = InstagramResponderSettings(base_url=LOCAL, ig_user_id=IG, access_token="IGFAKE", **extra)
    return InstagramResponder(settings, replayer.client())


def test_reply_to_a_comment() -> None:
    replayer = Replayer({POST: ig("reply_created.json")})
    result = responder(replayer).send(ON_REPLY, TEXT, "key")
    assert result.sent and result.remote_id == "17873440459141099" and result.url == ON_REPLY.url
    assert replayer.requests[0].url.params["message"] == TEXT


def test_comment_on_our_media() -> None:
    replayer = Replayer({f"POST /v23.0/{MEDIA}/comments": ig("reply_created.json")})
    assert responder(replayer).send(ON_MEDIA, TEXT, "key").sent


@pytest.mark.parametrize(("row", "answers", "kind"), failure_rows(POST), ids=[r[0] for r in failure_rows(POST)])
def test_shared_failures_are_typed(row, answers, kind) -> None:
    result = responder(Replayer(answers)).send(ON_REPLY, TEXT, "key")
    assert not result.sent and result.error_kind == kind


@pytest.mark.parametrize(("name", "kind"), [("token_expired.json", "auth"), ("rate_limit.json", "rate_limited")])
def test_graph_errors(name, kind) -> None:
    result = responder(Replayer({POST: ig(name, 400)})).send(ON_REPLY, TEXT, "key")
    assert result.error_kind == kind


def test_find_sent_looks_under_the_top_level_comment() -> None:
    replayer = Replayer({f"GET /v23.0/{REPLY}": ig("comment_parent.json"),
                         f"GET /v23.0/{TOP}/replies": ig("replies.json")})
    found = responder(replayer).find_sent(ON_REPLY, TEXT, SINCE)
    assert found is not None and found.remote_id == "17873440459141099"


def test_find_sent_ignores_someone_elses_comment_with_our_text() -> None:
    replayer = Replayer({f"GET /v23.0/{REPLY}": ig("comment_parent.json"),
                         f"GET /v23.0/{TOP}/replies": ig("replies.json")})
    assert responder(replayer).find_sent(ON_REPLY, "Napisałam wczoraj", datetime(2024, 11, 12, tzinfo=timezone.utc)) is None


def test_find_sent_recognises_us_by_username() -> None:
    replayer = Replayer({f"GET /v23.0/{REPLY}": ig("comment_parent.json"),
                         f"GET /v23.0/{TOP}/replies": ig("replies.json")})
    settings = InstagramResponderSettings(base_url=LOCAL, ig_user_id="other", access_token="IGFAKE",
                                          username="acme.polska")
    assert InstagramResponder(settings, replayer.client()).find_sent(ON_REPLY, TEXT, SINCE) is not None


def test_hide_sends_hide_true() -> None:
    replayer = Replayer({f"POST /v23.0/{REPLY}": ig("success.json")})
    assert responder(replayer).set_hidden(ON_REPLY, True).sent
    assert replayer.requests[0].url.params["hide"] == "true"
