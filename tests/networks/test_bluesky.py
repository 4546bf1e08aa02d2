"""atproto's refused-session errors: one list, read the same way by the collector and the
responder (a 400 naming one of them means "log in again", any other 400 does not)."""
from __future__ import annotations

import httpx
import pytest

from collectors.bluesky import BlueskyCollector, BlueskySettings
from networks.bluesky import TOKEN_ERRORS, token_error
from networks.errors import AuthFailed, SourceUnavailable
from responders import ReplyTarget
from responders.bluesky import BlueskyResponder, BlueskyResponderSettings
from tests.http_kit import LOCAL, Answer, Replayer

SESSION = "POST /xrpc/com.atproto.server.createSession"
SEARCH = "GET /xrpc/app.bsky.feed.searchPosts"
PARENT = "GET /xrpc/app.bsky.feed.getPosts"
TARGET = ReplyTarget("bluesky", "at://did:plc:kasia/app.bsky.feed.post/3kparent", "kasia.bsky.social")
NOT_A_TOKEN_ERROR = "InvalidRequest"


def refusal(error: str) -> Answer:
    return Answer(400, {"error": error, "message": "refused"})


def collect(error: str) -> Exception:
    replayer = Replayer({SESSION: Answer(200, "session.json", network="bluesky"), SEARCH: refusal(error)})
    settings = BlueskySettings(type="bluesky", handle="acme.bsky.social", app_password="app-pass", base_url=LOCAL)
    with pytest.raises((AuthFailed, SourceUnavailable)) as caught:
        BlueskyCollector(settings, replayer.client()).fetch({}, ["acme"])
    return caught.value


def reply(error: str) -> str | None:
    replayer = Replayer({SESSION: Answer(200, "brand_session.json", network="bluesky"), PARENT: refusal(error)})
    settings = BlueskyResponderSettings(base_url=LOCAL, handle="acme.bsky.social", app_password="app-pass")
    return BlueskyResponder(settings, replayer.client()).send(TARGET, "Cześć", "k").error_kind


def test_the_four_names_atproto_uses() -> None:
    assert TOKEN_ERRORS == {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}


@pytest.mark.parametrize("error", sorted(TOKEN_ERRORS))
def test_collector_and_responder_both_read_a_token_error_as_auth(error: str) -> None:
    assert isinstance(collect(error), AuthFailed)
    assert reply(error) == "auth"


def test_any_other_400_is_not_about_the_session() -> None:
    assert isinstance(collect(NOT_A_TOKEN_ERROR), SourceUnavailable)
    assert reply(NOT_A_TOKEN_ERROR) == "rejected"


@pytest.mark.parametrize("response", [
    httpx.Response(401, json={"error": "ExpiredToken"}),  # not atproto's 400: the status says it
    httpx.Response(400, content=b"<html>Bad request</html>"),
    httpx.Response(400, json=["ExpiredToken"]),
])
def test_token_error_reads_only_a_400_with_an_error_name(response: httpx.Response) -> None:
    assert token_error(response) is None
