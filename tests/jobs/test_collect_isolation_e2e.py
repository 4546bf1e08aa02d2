"""End to end: one round of `nasluch collect --once --json` against a local 127.0.0.1 server where
one source breaks in a way no collector foresaw, one lists a malformed comment among good ones and
one serves a windows-1250 feed that declares no charset. Every good post is stored all the same."""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

import pytest
import yaml

from monitor.cli.main import main
from tests.local_server import JsonHandler, LocalServer

FEED = ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Forum Acme PL</title><language>pl</language>'
        "<lastBuildDate>Thu, 03 Dec 2026 09:00:00 GMT</lastBuildDate>"
        "<item><title>Acme: zwrot pieniędzy</title><description>Czekam dwa tygodnie na zwrot, infolinia Acme "
        "milczy. Żadnej odpowiedzi, świetna obsługa.</description><guid>https://forum.example.pl/t/1</guid>"
        "<pubDate>Thu, 03 Dec 2026 08:00:00 GMT</pubDate></item>"
        "<item><title>Ekspres Acme</title><description>Ekspres Acme przecieka, gwarancja ważna do przyszłego "
        "roku.</description><guid>https://forum.example.pl/t/2</guid>"
        "<pubDate>Thu, 03 Dec 2026 07:00:00 GMT</pubDate></item></channel></rss>")


def thing(kind: str, name: str, created: float, **data: str) -> dict:
    return {"kind": kind, "data": {"name": name, "id": name[3:], "author": "someone", "created_utc": created,
                                   "subreddit": "acme", **data}}


LISTINGS = {
    "/r/acme/new": [thing("t3", "t3_1h1new1", 1796284800.0, title="Acme kettle lid broke",
                          selftext="Acme kettle lid broke after a week.", permalink="/r/acme/comments/1h1new1/x/")],
    "/r/acme/comments": [
        thing("t1", "t1_n1good1", 1796284900.0, body="Acme replaced mine for free.", link_id="t3_1h1new1",
              parent_id="t3_1h1new1"),  # no permalink: the URL is built from the ids
        {"kind": "t1", "data": {"name": "t1_n1odd22", "created_utc": 1796284850.0, "link_id": "t3_1h1new1"}},
        thing("t1", "t1_n1good3", 1796284800.0, body="Same Acme lid problem here.", link_id="t3_1h1new1",
              parent_id="t1_n1good1"),
    ],
}


class Web(LocalServer):
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        class Handler(JsonHandler):
            def do_POST(self) -> None:  # Reddit's token endpoint
                self._json(200, {"access_token": "made-up-app-token", "token_type": "bearer", "expires_in": 3600})

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path in LISTINGS:
                    self._json(200, {"kind": "Listing", "data": {"after": None, "children": LISTINGS[path]}})
                elif path == "/odd/posts.json":  # a proxy answering a JSON shape no Discourse has
                    self._json(200, {"latest_posts": [["not", "a", "post"]]})
                elif path == "/pl.rss":
                    body = FEED.encode("windows-1250")
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")  # no charset
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self._json(404, {"error": "not found"})

        return Handler


@pytest.fixture
def nasluch(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NASLUCH_DB", raising=False)
    monkeypatch.setenv("REDDIT_ID", "made-up-client-id")
    monkeypatch.setenv("REDDIT_SECRET", "made-up-client-secret")
    with Web() as web:
        config = {
            "brands": [{"name": "Acme", "queries": ["acme"]}],
            "sources": [
                {"type": "discourse", "name": "odd-forum", "base_url": f"{web.url}/odd", "search": False,
                 "latest": True},
                {"type": "reddit", "name": "reddit", "client_id": {"$env": "REDDIT_ID"},
                 "client_secret": {"$env": "REDDIT_SECRET"}, "base_url": web.url,
                 "auth_url": f"{web.url}/api/v1/access_token", "subreddits": ["acme"], "search": False},
                {"type": "rss", "name": "forum-pl", "url": f"{web.url}/pl.rss"},
            ],
        }
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        db = f"sqlite:///{tmp_path / 'isolation.db'}"

        def run(*argv: str):
            code = main(["--config", str(path), "--db", db, *argv])
            captured = capsys.readouterr()
            run.log = captured.err  # logs go to stderr, the JSON document to stdout
            return code, json.loads(captured.out)

        yield run


def test_one_broken_source_and_one_bad_item_cost_nothing_else(nasluch):
    code, summary = nasluch("collect", "--once", "--json")
    assert code == 0

    odd = summary["odd-forum"]
    assert odd["fetched"] == 0 and odd["inserted"] == 0
    assert odd["error"].startswith("unexpected error in the discourse collector (TypeError")
    log = nasluch.log
    assert "source odd-forum failed unexpectedly" in log and "Traceback" in log  # the details are in the log, not in the health line

    assert summary["reddit"] == {"fetched": 3, "inserted": 3, "skipped": 1, "error": None}
    assert "skipped a malformed Reddit item without the field 'body'" in log

    assert summary["forum-pl"] == {"fetched": 2, "inserted": 2, "skipped": 0, "error": None}

    _, found = nasluch("search", "acme", "--json")
    texts = {m["text"] for m in found["mentions"]}
    assert ("Acme: zwrot pieniędzy\n\nCzekam dwa tygodnie na zwrot, infolinia Acme milczy. "
            "Żadnej odpowiedzi, świetna obsługa.") in texts  # not mojibake
    urls = {m["url"] for m in found["mentions"]}
    assert "https://www.reddit.com/comments/1h1new1/_/n1good1/" in urls
    assert found["count"] == 5

    _, health = nasluch("sources", "--json")
    assert health["odd-forum"]["status"] == "failing"
    assert "unexpected error" in health["odd-forum"]["last_error"]
    assert health["reddit"]["status"] == "ok" and health["forum-pl"]["status"] == "ok"
