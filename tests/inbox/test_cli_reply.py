"""`nasluch reply`: placeholders filled, stored in the outbox, state printed."""
from __future__ import annotations

import json

import sqlalchemy as sa

from monitor.cli.main import main
from monitor.store import schema
from monitor.store.engine import make_engine, upgrade
from tests.inbox.conftest import seed


def _setup(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(db)
    upgrade(engine)
    ids = seed(engine)
    config = tmp_path / "config.yaml"
    config.write_text("responders:\n  - {network: mastodon, base_url: 'http://127.0.0.1:9', "
                      "access_token: {$env: NOT_SET_ANYWHERE}}\n", encoding="utf-8")
    return engine, ids, ["--config", str(config), "--db", db]


def test_without_a_configured_responder_the_reply_stays_queued(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    engine, ids, base = _setup(tmp_path)
    code = main([*base, "reply", str(ids["kasia"]), "Cześć {author}, {agent} ({brand})", "--agent", "Ola", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["state"] == "queued" and out["source"] == "mastodon" and out["error"] is None
    with engine.connect() as connection:
        text = connection.execute(sa.select(schema.ReplyRow.__table__.c.text)).scalar()
    assert text == "Cześć Kasia, Ola (Acme)"
    code = main([*base, "reply", str(ids["bob"]), "hi", "--agent", "Ola"])
    assert code == 0 and capsys.readouterr().out.strip() == "reply 2: queued"


def test_unknown_mention_is_a_clear_error(tmp_path, capsys):
    _, _, base = _setup(tmp_path)
    code = main([*base, "reply", "999", "hi", "--agent", "Ola", "--json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and "no mention with id 999" in captured.err
