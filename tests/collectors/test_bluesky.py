"""Bluesky: app-password session, searchPosts paging with since/cursor, reply links, failures."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.bluesky import BlueskyCollector, BlueskySettings
from networks.errors import AuthFailed
from tests.collectors.table import Case, failure_rows, run_case
from tests.http_kit import LOCAL, Answer, Replayer

SESSION = "POST /xrpc/com.atproto.server.createSession"
SEARCH = "GET /xrpc/app.bsky.feed.searchPosts"


def make(client):
    settings = BlueskySettings(type="bluesky", name="bsky", handle="acme-care.bsky.social",
                               app_password="made-up-app-pass", base_url=LOCAL)
    return BlueskyCollector(settings, client)


def bs(name: str, status: int = 200, **headers: str) -> Answer:
    return Answer(status, name, headers, network="bluesky")


def check_success(result, replayer) -> None:
    assert len(result.mentions) == 3
    zosia = result.mentions[0]
    assert zosia.external_id == "at://did:plc:u2k5ys3ffs3hgkrwzyhtw7qs/app.bsky.feed.post/3lauxyzq7mk2c"
    assert zosia.author.handle == "zosia.bsky.social" and zosia.author.name == "Zosia 🌿"
    assert zosia.url == "https://bsky.app/profile/zosia.bsky.social/post/3lauxyzq7mk2c"
    assert zosia.created_at == datetime(2024, 11, 12, 9, 31, 10, 123000, tzinfo=timezone.utc)
    assert zosia.lang == "pl"
    assert zosia.in_reply_to == "at://did:plc:acmecare000000000000000/app.bsky.feed.post/3laupar3nt22k"
    assert zosia.conversation_key == "at://did:plc:acmecare000000000000000/app.bsky.feed.post/3laur00tpost2"
    review = result.mentions[1]
    assert review.author.name is None and review.conversation_key == review.external_id
    assert result.cursor == {"since": {"acme": "2024-11-12T09:31:10.123000Z"}}
    login = replayer.sent("/xrpc/com.atproto.server.createSession")
    assert len(login) == 1 and b'"password":"made-up-app-pass"' in login[0].content.replace(b" ", b"")
    first, second = replayer.sent("/xrpc/app.bsky.feed.searchPosts")
    assert first.url.params["since"] == "2024-11-12T08:25:00Z"  # cursor less the overlap
    assert first.url.params["sort"] == "latest" and "cursor" not in first.url.params
    assert second.url.params["cursor"] == "2"
    assert first.headers["authorization"] == "Bearer made-up.access.jwt"


def check_empty(result, replayer) -> None:
    assert result.mentions == [] and result.cursor == {"since": {"acme": "2024-11-12T08:30:00Z"}}


CURSOR = {"since": {"acme": "2024-11-12T08:30:00Z"}}

CASES = [
    Case("success and paging", {SESSION: [bs("session.json")],
                                SEARCH: [bs("search_page1.json"), bs("search_page2.json")]},
         cursor=CURSOR, terms=["acme"], check=check_success),
    Case("empty", {SESSION: [bs("session.json")], SEARCH: [bs("empty.json")]}, cursor=CURSOR,
         terms=["acme"], check=check_empty),
    Case("wrong app password", {SESSION: [bs("bad_login.json", 401)]}, raises=AuthFailed,
         check=lambda error, replayer: len(replayer.requests) == 1 or pytest.fail("retried login")),
    *failure_rows(SEARCH, {SESSION: [bs("session.json")]}, cursor=CURSOR,
                  rate_headers={"ratelimit-limit": "3000", "ratelimit-remaining": "0",
                                "ratelimit-reset": "1731404170", "ratelimit-policy": "3000;w=300"}),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bluesky(case: Case, no_sleep: list[float]) -> None:
    if case.id == "429 with headers":  # a Unix reset time 170 s from now
        reset = int(datetime.now(timezone.utc).timestamp()) + 170
        case.routes[SEARCH][0].headers["ratelimit-reset"] = str(reset)
        error = run_case(case, make, no_sleep)
        assert 160 <= error.retry_after <= 171
        return
    run_case(case, make, no_sleep)


def test_expired_session_is_renewed_once() -> None:
    replayer = Replayer({SESSION: [bs("session.json")],
                         SEARCH: [bs("empty.json"), bs("expired.json", 400), bs("empty.json")]})
    collector = make(replayer.client())
    collector.fetch({}, ["acme"])
    collector.fetch({}, ["acme"])  # the cached session has expired in between
    assert len(replayer.sent("/xrpc/com.atproto.server.createSession")) == 2
