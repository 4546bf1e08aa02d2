"""End to end: `nasluch reply` against a local Mastodon-shaped server that accepts the first
post and then times out. The conversation must end with exactly one reply on the server and
one `sent` reply in the outbox."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from monitor.cli.app import App
from monitor.cli.main import build_parser, main
from monitor.config import load
from monitor.inbox import outbox
from monitor.jobs.background import outbox_job
from monitor.store import schema
from monitor.store.engine import make_engine
from responders import build_responders
from tests.inbox.conftest import seed
from tests.inbox.mastodon_server import MastodonServer

KASIA = "https://fosstodon.org/users/kasia/statuses/112"


def _config(tmp_path, url: str):
    path = tmp_path / "config.yaml"
    path.write_text(
        "sla_minutes: 60\n"
        "brands: [{name: Acme, queries: [acme]}]\n"
        f"responders:\n  - {{network: mastodon, base_url: '{url}', access_token: {{$env: MASTODON_TOKEN}},"
        " timeout_seconds: 0.5}\n", encoding="utf-8")
    return path


def test_lost_answer_ends_with_one_post_and_one_sent_reply(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MASTODON_TOKEN", "test-token")
    db = f"sqlite:///{tmp_path / 'e2e.db'}"
    engine = make_engine(db)
    from monitor.store.engine import upgrade
    upgrade(engine)
    ids = seed(engine)
    with MastodonServer({KASIA: "112"}, stall_first=1.5) as server:
        config = _config(tmp_path, server.url)
        code = main(["--config", str(config), "--db", db, "reply", str(ids["kasia2"]),
                     "Cześć {author}, tu {agent} z {brand}.", "--agent", "Ola", "--json"])
        first = json.loads(capsys.readouterr().out)
        assert code == 0 and first["state"] == "queued" and first["error_kind"] == "lost"
        assert len(server.statuses) == 1  # the server did accept it

        responders = build_responders(load(config).responders)
        later = datetime.now(timezone.utc) + timedelta(minutes=5)
        assert outbox.send_due(engine, responders, "worker", now=later)["sent"] == 1
        assert outbox.send_due(engine, responders, "worker", now=later + timedelta(hours=1))["sent"] == 0

    assert len(server.statuses) == 1
    assert len(server.posts) == 2 and server.posts[0]["key"] == server.posts[1]["key"]
    assert server.posts[0]["in_reply_to_id"] == "112"
    assert server.posts[0]["status"] == "@kasia@fosstodon.org Cześć Kasia, tu Ola z Acme."
    with engine.connect() as connection:
        replies = connection.execute(sa.select(schema.ReplyRow.__table__)).all()
    assert [(r.state, r.external_id) for r in replies] == [("sent", server.statuses[0]["uri"])]
    engine.dispose()


def test_reply_is_sent_at_once_when_the_answer_comes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MASTODON_TOKEN", "test-token")
    db = f"sqlite:///{tmp_path / 'ok.db'}"
    with MastodonServer({KASIA: "112"}) as server:
        config = _config(tmp_path, server.url)
        engine = make_engine(db)
        from monitor.store.engine import upgrade
        upgrade(engine)
        ids = seed(engine)
        code = main(["--config", str(config), "--db", db, "reply", str(ids["kasia2"]), "Hej", "--agent", "Ola",
                     "--json"])
        result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["state"] == "sent" and result["url"] == server.statuses[0]["url"]
    engine.dispose()


def test_the_run_scheduler_gets_an_outbox_job(tmp_path, monkeypatch):
    monkeypatch.setenv("MASTODON_TOKEN", "test-token")
    config = _config(tmp_path, "http://127.0.0.1:9")
    app = App(build_parser().parse_args(["--config", str(config), "--db", f"sqlite:///{tmp_path / 'j.db'}", "run"]))
    name, every, job = outbox_job(app.engine, app.config)
    assert name == "outbox" and every <= timedelta(minutes=1)
    assert job() == {"sent": 0, "failed": 0, "queued": 0}
