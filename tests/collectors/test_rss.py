"""RSS/Atom: conditional GET, feedparser mapping, and the shared failure rows."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.rss import RssCollector, RssSettings
from networks.errors import ParseError
from tests.collectors.table import Case, failure_rows, run_case
from tests.http_kit import LOCAL, Answer

FEED = f"{LOCAL}/latest.rss"
ROUTE = "GET /latest.rss"


def make(client):
    return RssCollector(RssSettings(type="rss", name="acme-forum", url=FEED), client)


def feed(name: str, **headers: str) -> Answer:
    return Answer(200, name, {"content-type": "application/rss+xml", **headers}, network="rss")


def check_success(result, replayer) -> None:
    first, second = result.mentions
    assert first.source == "rss" and first.source_name == "acme-forum"
    assert first.external_id == f"{FEED}#forum.example-topic-1042"  # bare guid qualified by feed
    assert second.external_id == "https://forum.example/t/acme-shop-delivery-times/1041"
    assert first.author.handle == "kasia_k"
    assert first.created_at == datetime(2024, 11, 12, 8, 15, tzinfo=timezone.utc)
    assert first.lang == "pl"
    assert first.text.startswith("Aplikacja Acme nie działa po aktualizacji\n\nOd wczoraj")
    assert "nie działa & wylogowuje" in first.text and "<p>" not in first.text
    assert first.url == "https://forum.example/t/aplikacja-acme-nie-dziala/1042"
    assert result.cursor == {"etag": '"v2"', "last_modified": "Tue, 12 Nov 2024 09:20:00 GMT"}
    assert "if-none-match" not in replayer.requests[0].headers
    assert "Nasluch" in replayer.requests[0].headers["user-agent"]


def check_atom(result, replayer) -> None:
    (alert,) = result.mentions
    assert alert.external_id == "tag:google.com,2013:googlealerts/feed:1111"
    assert alert.text == ("Acme recalls kettles\n\n"
                          "Acme has recalled 10,000 kettles after reports of faulty lids.")
    assert alert.author.handle == "Google Alert - acme"  # no author: the feed's title stands in
    assert alert.lang == "en"
    assert alert.created_at == datetime(2024, 11, 12, 8, 30, tzinfo=timezone.utc)


def check_not_modified(result, replayer) -> None:
    assert result.mentions == []
    assert result.cursor == {"etag": '"v1"', "last_modified": "Mon, 11 Nov 2024 18:00:00 GMT"}
    sent = replayer.requests[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 11 Nov 2024 18:00:00 GMT"


def check_empty(result, replayer) -> None:
    assert result.mentions == [] and result.cursor == {}


OLD = {"etag": '"v1"', "last_modified": "Mon, 11 Nov 2024 18:00:00 GMT"}

CASES = [
    Case("success", {ROUTE: [feed("feed.rss", etag='"v2"',
                                  **{"last-modified": "Tue, 12 Nov 2024 09:20:00 GMT"})]},
         check=check_success),
    Case("atom", {ROUTE: [Answer(200, "feed.atom", {"content-type": "application/atom+xml"},
                                network="rss")]}, check=check_atom),
    Case("304 is nothing new, cursor kept", {ROUTE: [Answer(304)]}, cursor=OLD,
         check=check_not_modified),
    Case("empty", {ROUTE: [feed("empty.rss")]}, check=check_empty),
    Case("broken feed", {ROUTE: [Answer(200, "broken.html", {"content-type": "text/html"},
                                       network="rss")]}, raises=ParseError),
    Case("redirect followed", {ROUTE: [Answer(301, b"", {"location": f"{LOCAL}/feed.atom"})],
                               "GET /feed.atom": [Answer(200, "feed.atom", network="rss")]},
         check=lambda result, replayer: len(result.mentions) == 1 or pytest.fail("no redirect")),
    *failure_rows(ROUTE),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rss(case: Case, no_sleep: list[float]) -> None:
    run_case(case, make, no_sleep)


def test_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        RssSettings(type="rss", name="x", url="file:///etc/passwd")
