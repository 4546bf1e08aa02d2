"""Discourse: search plus full posts per topic, /posts.json, reply links, failure rows."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.discourse import DiscourseCollector, DiscourseSettings
from networks.errors import RateLimited
from tests.collectors.table import Case, failure_rows, run_case
from tests.http_kit import LOCAL, Answer

SEARCH = "GET /search.json"
TOPIC_1042 = "GET /t/1042/posts.json"
TOPIC_1041 = "GET /t/1041/posts.json"
LATEST = "GET /posts.json"
HOST = LOCAL.removeprefix("http://")


def make(client, **extra):
    settings = DiscourseSettings(type="discourse", name="acme-forum", base_url=LOCAL,
                                 api_key="made-up-key", api_username="nasluch", **extra)
    return DiscourseCollector(settings, client)


def dc(name: str, status: int = 200, **headers: str) -> Answer:
    return Answer(status, name, headers, network="discourse")


def check_search(result, replayer) -> None:
    kasia, john = result.mentions
    assert kasia.external_id == f"{HOST}/t/1042/3"
    assert kasia.author.handle == "kasia_k" and kasia.author.name == "Kasia K"
    assert kasia.in_reply_to == f"{HOST}/t/1042/2" and kasia.conversation_key == f"{HOST}/t/1042/1"
    assert kasia.created_at == datetime(2024, 11, 12, 9, 31, 10, 456000, tzinfo=timezone.utc)
    assert kasia.url == f"{LOCAL}/t/aplikacja-acme-nie-dziala/1042/3"
    assert kasia.text == ("Od wczoraj aplikacja Acme nie działa i wylogowuje mnie co chwilę.\n\n"
                          "zrestartuj telefon\n\nRestart nic nie dał & czekam na dział obsługi.")
    assert john.text.startswith("Acme shop delivery times\n\nHow long")  # first post: title too
    assert john.author.name is None and john.in_reply_to is None
    assert result.cursor == {"after_id": {"search:acme": 5213}}
    search = replayer.sent("/search.json")[0]
    assert search.url.params["q"] == "acme order:latest"
    assert search.headers["api-key"] == "made-up-key" and search.headers["api-username"] == "nasluch"
    topic = replayer.sent("/t/1042/posts.json")[0]
    assert topic.url.params.get_list("post_ids[]") == ["5213"]


def check_cursor_filters(result, replayer) -> None:
    assert [m.external_id for m in result.mentions] == [f"{HOST}/t/1042/3"]
    assert replayer.sent("/t/1041/posts.json") == []  # an old hit costs no full-text request
    assert result.cursor == {"after_id": {"search:acme": 5213}}


def check_empty(result, replayer) -> None:
    assert result.mentions == [] and result.cursor == {"after_id": {}}  # next round: first again


TOPICS = {TOPIC_1042: [dc("topic_1042_posts.json")], TOPIC_1041: [dc("topic_1041_posts.json")]}

CASES = [
    Case("success", {SEARCH: [dc("search.json")], **TOPICS}, terms=["acme"], check=check_search),
    Case("cursor skips seen posts", {SEARCH: [dc("search.json")], **TOPICS}, terms=["acme"],
         cursor={"after_id": {"search:acme": 5200}}, check=check_cursor_filters),
    Case("empty", {SEARCH: [dc("empty_search.json")]}, terms=["acme"], check=check_empty),
    Case("429 with Discourse's body", {SEARCH: [dc("rate_limited.json", 429, **{"Retry-After": "39"})]},
         terms=["acme"], raises=RateLimited,
         check=lambda error, _: error.retry_after == 39 or pytest.fail("retry_after")),
    *failure_rows(SEARCH, TOPICS),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_discourse(case: Case, no_sleep: list[float]) -> None:
    run_case(case, make, no_sleep)


def check_latest(result, replayer) -> None:
    reply, kasia = result.mentions  # 5100 is at the cursor: not read again
    assert reply.author.handle == "acme_support"
    assert reply.in_reply_to == f"{HOST}/t/1042/1"  # a reply to the topic answers its first post
    assert kasia.text == "Od wczoraj aplikacja Acme nie działa."
    assert result.cursor == {"after_id": {"latest": 5214}}
    assert replayer.sent("/search.json") == []


@pytest.mark.parametrize("case", [
    Case("latest posts", {LATEST: [dc("latest_posts.json")]}, cursor={"after_id": {"latest": 5100}},
         check=check_latest),
    *failure_rows(LATEST, cursor={"after_id": {"latest": 5100}}),
], ids=lambda case: case.id)
def test_discourse_latest(case: Case, no_sleep: list[float]) -> None:
    run_case(case, lambda client: make(client, search=False, latest=True), no_sleep)


def test_posts_made_only_of_links_keep_their_titles_or_addresses(no_sleep) -> None:
    """A video embed or a linked image has no words of its own; stored empty it could neither be
    read nor matched by a query."""
    from tests.http_kit import Replayer

    replayer = Replayer({LATEST: [dc("links_only_posts.json")]})
    result = make(replayer.client(), search=False, latest=True).fetch({}, [])
    video, link, question = result.mentions
    assert video.text == "Acme kettle lid will not close (https://www.youtube.com/watch?v=a1B2c3D4e5F)"
    assert link.text == "https://acme.example/support/returns"
    assert question.text == "Acme kettle lid\n\nThe lid of my Acme kettle does not close any more. Anyone else?"
