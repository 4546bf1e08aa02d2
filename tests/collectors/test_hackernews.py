"""Hacker News (Algolia search_by_date): mapping, paging, per-term cursors, failure rows."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.hackernews import HackerNewsCollector, HackerNewsSettings
from tests.collectors.table import Case, failure_rows, run_case
from tests.http_kit import LOCAL, Answer

ROUTE = "GET /api/v1/search_by_date"


def make(client):
    settings = HackerNewsSettings(type="hackernews", name="hn", base_url=f"{LOCAL}/api/v1")
    return HackerNewsCollector(settings, client)


def hn(name: str) -> Answer:
    return Answer(200, name, network="hackernews")


def check_paging(result, replayer) -> None:
    comment = next(m for m in result.mentions if m.external_id == "41234567")
    assert comment.author.handle == "throwaway_42" and comment.author.followers is None
    assert comment.created_at == datetime(2024, 11, 12, 9, 31, 10, tzinfo=timezone.utc)
    assert comment.in_reply_to == "41234500" and comment.conversation_key == "41234000"
    assert comment.text == ("I switched away from Acme last year. Their support took four days "
                            "to answer/refund.\n\nNever again.")
    assert comment.url == "https://news.ycombinator.com/item?id=41234567"
    ask = next(m for m in result.mentions if m.external_id == "41233500")
    assert ask.text == "Ask HN: Acme API down?\n\nIs anyone else seeing 502 from the Acme API?"
    assert ask.conversation_key == "41233500" and ask.in_reply_to is None
    assert len(result.mentions) == 3  # the same items from three terms are one mention each
    assert result.cursor == {"since": {t: 1731403870 for t in ("acme", '"acme shop"', "dział")}}
    first = replayer.requests[0].url.params
    assert first["numericFilters"] == "created_at_i>1731389700"  # the cursor less 5 minutes
    assert first["tags"] == "(story,comment)" and first["query"] == "acme"
    assert [r.url.params["page"] for r in replayer.requests[:2]] == ["0", "1"]
    assert [r.url.params["query"] for r in replayer.requests[::2]] == ["acme", '"acme shop"', "dział"]


def check_first_round(result, replayer) -> None:
    assert len(replayer.requests) == 3  # one page per term, no numericFilters, no backfill
    assert all("numericFilters" not in r.url.params for r in replayer.requests)
    assert result.cursor["since"]["acme"] == 1731403870


def check_empty(result, replayer) -> None:
    assert result.mentions == []
    assert result.cursor == {"since": {"acme": 1731390000}}


SINCE = {"since": {"acme": 1731390000, '"acme shop"': 1731390000, "dział": 1731390000}}

CASES = [
    Case("success and paging", {ROUTE: [hn("page0.json"), hn("page1.json")] * 3}, cursor=SINCE,
         check=check_paging),
    Case("first round reads one page", {ROUTE: [hn("page0.json")]}, check=check_first_round),
    Case("empty keeps cursor", {ROUTE: [hn("empty.json")]}, terms=["acme"],
         cursor={"since": {"acme": 1731390000, "dropped term": 5}}, check=check_empty),
    *failure_rows(ROUTE, rate_headers={"Retry-After": "30"}),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hackernews(case: Case, no_sleep: list[float]) -> None:
    run_case(case, make, no_sleep)
