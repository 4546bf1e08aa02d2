"""Reddit: app-only token, search and subreddit listings, X-Ratelimit headers, failure rows."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.reddit import RedditCollector, RedditSettings
from networks.errors import AuthFailed, NotConfigured, RateLimited
from tests.collectors.table import Case, failure_rows, run_case
from tests.http_kit import LOCAL, Answer

TOKEN = "POST /api/v1/access_token"
SEARCH = "GET /search"


def settings(**extra) -> RedditSettings:
    return RedditSettings(type="reddit", name="reddit", client_id="made-up-id",
                          client_secret="made-up-secret", base_url=LOCAL,
                          auth_url=f"{LOCAL}/api/v1/access_token", username="acme_care", **extra)


def make(client):
    return RedditCollector(settings(subreddits=["acme"]), client)


def rd(name: str, **headers: str) -> Answer:
    return Answer(200, name, headers, network="reddit")


def base_routes(**more) -> dict:
    return {TOKEN: [rd("token.json")], "GET /r/acme/new": [rd("empty.json")],
            "GET /r/acme/comments": [rd("subreddit_comments.json")], **more}


def check_success(result, replayer) -> None:
    ids = [m.external_id for m in result.mentions]
    assert ids == ["t3_1gp4x2k", "t3_1gp3aaa", "t3_1gp2bbb", "t1_lwq8r7s"]  # t3_1gozzzz was older
    post = result.mentions[0]
    assert post.author.handle == "kowalski_pl"
    assert post.text.startswith("Acme shop - brak przesyłki\n\nZamówiłem w acme shop")
    assert post.created_at == datetime(2024, 11, 12, 9, 31, 10, tzinfo=timezone.utc)
    assert post.url == "https://www.reddit.com/r/poland/comments/1gp4x2k/acme_shop_brak_przesyłki/"
    assert post.conversation_key == "t3_1gp4x2k"
    comment = result.mentions[-1]
    assert comment.in_reply_to == "t3_1gp4x2k" and comment.conversation_key == "t3_1gp4x2k"
    query = 'acme OR "acme shop" OR dział'
    assert result.cursor == {"since": {f"search:{query}": 1731403870.0, "r/acme/new": 1731390000.0,
                                       "r/acme/comments": 1731404000.0}}
    token_request = replayer.sent("/api/v1/access_token")[0]
    assert token_request.content == b"grant_type=client_credentials"
    assert token_request.headers["authorization"].startswith("Basic ")
    search = replayer.sent("/search")
    assert search[0].url.params["q"] == query and search[0].url.params["sort"] == "new"
    assert search[1].url.params["after"] == "t3_1gp3aaa"
    assert search[0].headers["authorization"] == "bearer made-up-app-token-0001"
    assert search[0].headers["user-agent"].endswith("(by /u/acme_care)")
    assert len(replayer.sent("/api/v1/access_token")) == 1  # one token for the whole round


def check_empty(result, replayer) -> None:
    assert result.mentions == []
    assert result.cursor["since"]["r/acme/new"] == 1731390000.0


CURSOR = {"since": {'search:acme OR "acme shop" OR dział': 1731390000.0, "r/acme/new": 1731390000.0,
                    "r/acme/comments": 1731390000.0}}

CASES = [
    Case("success and paging", base_routes(**{SEARCH: [rd("search_page1.json"), rd("search_page2.json")]}),
         cursor=CURSOR, check=check_success),
    Case("empty", base_routes(**{SEARCH: [rd("empty.json")], "GET /r/acme/comments": [rd("empty.json")]}),
         cursor=CURSOR, check=check_empty),
    Case("token refused", {TOKEN: [Answer(401, {"message": "Unauthorized", "error": 401})]},
         raises=AuthFailed),
    Case("remaining zero on a 200",
         base_routes(**{SEARCH: [rd("search_page1.json", **{"X-Ratelimit-Remaining": "0.0",
                                                            "X-Ratelimit-Used": "100",
                                                            "X-Ratelimit-Reset": "412"})]}),
         raises=RateLimited, check=lambda error, _: 411 <= error.retry_after <= 412 or pytest.fail()),
    *failure_rows(SEARCH, base_routes(), cursor=CURSOR,
                  rate_headers={"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "300"}),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_reddit(case: Case, no_sleep: list[float]) -> None:
    run_case(case, make, no_sleep)


def test_missing_secret_is_not_configured() -> None:
    with pytest.raises(NotConfigured, match="client_secret"):
        RedditCollector(RedditSettings(type="reddit", name="r", client_id="x"), None)


def test_comments_without_permalink_keep_the_posts_and_skip_only_the_malformed_one(no_sleep, caplog) -> None:
    """A comments listing whose comments carry no `permalink` (and one removed comment with no
    `body`) once raised for every comment and cost the round its posts and its cursor."""
    from networks.http import counting_skips
    from tests.http_kit import Replayer

    replayer = Replayer({TOKEN: [rd("token.json")], "GET /r/acme/new": [rd("search_page1.json")],
                         "GET /r/acme/comments": [rd("comments_without_permalink.json")]})
    collector = RedditCollector(settings(subreddits=["acme"], search=False), replayer.client())
    with counting_skips() as skipped:
        result = collector.fetch({}, ["acme"])
    posts = [m for m in result.mentions if m.external_id.startswith("t3_")]
    comments = {m.external_id: m for m in result.mentions if m.external_id.startswith("t1_")}
    assert [m.external_id for m in posts] == ["t3_1gp4x2k", "t3_1gp3aaa"]  # the posts of the round are kept
    assert set(comments) == {"t1_m0a1b2c", "t1_m0a1b2d", "t1_m0a1b2f"}
    assert comments["t1_m0a1b2c"].url == "https://www.reddit.com/comments/1h0aaa1/_/m0a1b2c/"
    assert comments["t1_m0a1b2d"].in_reply_to == "t1_m0a1b2c"
    assert skipped.count == 1 and "'body'" in skipped.summary()
    assert "skipped a malformed Reddit item without the field 'body'" in caplog.text
    assert result.cursor["since"]["r/acme/comments"] == 1731404300.0  # the cursor moves on
    assert "r/acme/new" in result.cursor["since"]


def test_a_post_without_permalink_gets_its_short_link() -> None:
    from collectors.reddit import _permalink

    assert _permalink("t3", {"name": "t3_1h0aaa1"}) == "https://www.reddit.com/comments/1h0aaa1/"
