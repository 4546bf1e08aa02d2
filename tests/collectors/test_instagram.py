"""Instagram: media with nested comments and replies, more comment pages, tagged media, the
window that stops paging at older media, snapshots, Meta's errors and the shared failure rows."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from collectors.graph import TokenExpired, UsageHigh
from collectors.instagram import InstagramCollector, InstagramSettings
from networks.errors import RateLimited
from tests.collectors.table import Case, failure_rows, run_case
from tests.http_kit import LOCAL, Answer

IG = "17841400008460056"
M1 = "17895695668004550"
MEDIA = f"GET /v23.0/{IG}/media"
TAGS = f"GET /v23.0/{IG}/tags"
MORE_COMMENTS = f"GET /v23.0/{M1}/comments"
NOW = datetime(2024, 11, 12, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("networks.times.now", lambda: NOW)


def make_with(**extra):
    def make(client):
        settings = InstagramSettings(type="instagram", name="ig-acme", ig_user_id=IG, access_token="IGFAKETOKEN",
                                     base_url=LOCAL, **extra)
        return InstagramCollector(settings, client)
    return make


def ig(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, name, headers or {}, network="instagram")


def check_success(result, replayer) -> None:
    by_id = {m.external_id: m for m in result.mentions}
    # our own reply (17873440459141031) is not a mention; the hidden spam comment is (it is kept)
    assert set(by_id) == {"17873440459141021", "17873440459141032", "17870913679156914", "17870913679156999",
                          "17895695668004551"}
    top, reply = by_id["17873440459141021"], by_id["17873440459141032"]
    assert top.author.handle == "kasia.nowak" and top.in_reply_to == M1 and top.conversation_key == M1
    assert reply.in_reply_to == top.external_id and reply.conversation_key == M1
    assert top.url == "https://www.instagram.com/p/Cz1AbCdEfGh/"
    tagged = by_id["17895695668004551"]
    assert tagged.author.handle == "ewa.lis" and tagged.conversation_key == tagged.external_id
    assert [(t.root_key, sorted(t.present)) for t in result.threads] == [(M1, sorted([
        M1, "17873440459141021", "17873440459141031", "17873440459141032", "17870913679156914",
        "17870913679156999"]))]
    paths = [request.url.path for request in replayer.requests]
    # the second media is older than the window: no next media page, no read of its comments
    assert paths == [f"/v23.0/{IG}/media", f"/v23.0/{M1}/comments", f"/v23.0/{IG}/tags"]
    assert replayer.requests[1].url.params["after"] == "QVFIUmlnMg"
    assert "replies{" in replayer.requests[1].url.params["fields"]


def needs_new_token(error, replayer) -> None:
    assert error.message.startswith("needs a new token") and "IGFAKETOKEN" not in error.message


CASES = [
    Case("media with comments, replies, paging and tags",
         {MEDIA: [ig("media_page1.json")], MORE_COMMENTS: [ig("comments_page2.json")], TAGS: [ig("tags.json")]},
         check=check_success),
    Case("empty", {MEDIA: [ig("empty.json")], TAGS: [ig("empty.json")]},
         check=lambda result, replayer: result.mentions == [] and result.threads == []),
    Case("190", {MEDIA: [ig("token_expired.json", 400)]}, raises=TokenExpired, check=needs_new_token),
    Case("80002 with usage headers", {MEDIA: [ig("rate_limit.json", 400, {"X-Business-Use-Case-Usage": json.dumps(
        {IG: [{"type": "instagram", "call_count": 100, "total_cputime": 3, "total_time": 4,
               "estimated_time_to_regain_access": 30}]})})]},
         raises=RateLimited, check=lambda error, replayer: error.retry_after == 1800),
    Case("usage at 91% pauses", {MEDIA: [ig("media_page1.json", 200,
                                            {"X-App-Usage": '{"call_count":91,"total_cputime":5,"total_time":5}'})]},
         raises=UsageHigh),
    *failure_rows(MEDIA),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_instagram(case: Case, no_sleep: list[float]) -> None:
    run_case(case, make_with(), no_sleep)


def test_own_comments_recognised_by_username_too() -> None:
    collector = make_with(username="@Acme.Polska")(None)
    assert collector._ours({"username": "acme.polska", "from": {"id": "17841499999999999"}})
    assert not collector._ours({"username": "kasia.nowak", "from": {"id": "17841401111111111"}})
    assert not make_with()(None)._ours({"username": None})


def test_brand_is_set_on_every_mention_when_configured(no_sleep) -> None:
    routes = {MEDIA: [ig("media_page1.json")], MORE_COMMENTS: [ig("comments_page2.json")], TAGS: [ig("tags.json")]}
    result = run_case(Case("brand", routes), make_with(brand="Acme"), no_sleep)
    assert {m.brand for m in result.mentions} == {"Acme"}
