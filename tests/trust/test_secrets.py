"""Secrets never appear in logs, errors, the database or command output.

A full cycle (collect from three sources, one of which echoes the refused key back; reply
through a Mastodon-shaped responder) runs with recognisable fake secrets set through
`{$env: ...}`, once in this process (every log record at DEBUG) and once as `nasluch -v`
subprocesses (stderr at DEBUG); then every table is dumped and grepped.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from monitor.config import load
from monitor.inbox.actions import send_reply
from monitor.jobs.collect import collect_once
from monitor.mention import Author, Mention
from monitor.store.engine import make_engine, upgrade
from monitor.store.ingest import ingest
from responders import build_responders
from tests.trust.fake_network import FakeNetwork

SECRETS = {"YT_KEY": "yt-SECRET-9f8e7d6c5b", "FORUM_KEY": "forum-SECRET-1a2b3c4d5e",
           "MASTODON_TOKEN": "masto-SECRET-0a9b8c7d6e", "SMTP_PASSWORD": "smtp-SECRET-5566778899"}


def _config(tmp_path, base: str):
    path = tmp_path / "config.yaml"
    path.write_text(f"""
brands: [{{name: Acme, queries: ['acme OR router']}}]
sources:
  - {{type: youtube, name: yt, base_url: '{base}/yt', api_key: {{$env: YT_KEY}}, videos: [dQw4w9WgXcQ]}}
  - {{type: discourse, name: forum, base_url: '{base}/forum', api_key: {{$env: FORUM_KEY}}, latest: true, search: false}}
  - {{type: discourse, name: echo, base_url: '{base}/echo', api_key: {{$env: FORUM_KEY}}, latest: true, search: false}}
responders:
  - {{network: mastodon, base_url: '{base}', access_token: {{$env: MASTODON_TOKEN}}}}
alerts:
  email: {{host: 127.0.0.1, port: 9, sender: a@example.org, recipients: [b@example.org], password: {{$env: SMTP_PASSWORD}}}}
""", encoding="utf-8")
    return path


def _seed_mastodon(engine, base: str) -> int:
    mention = Mention("mastodon", f"{base}/users/kasia/statuses/112", "acme nie działa",
                      datetime(2026, 1, 5, 10, tzinfo=timezone.utc), Author("kasia@example.social", "Kasia"),
                      url=f"{base}/@kasia/112", brand="Acme")
    return ingest(engine, [mention]).inserted_ids[0]


def _dump(engine) -> str:
    with engine.connect() as connection:
        return "\n".join(str(connection.execute(sa.text(f'SELECT * FROM "{name}"')).all())
                         for name in sa.inspect(engine).get_table_names())


def _assert_clean(text: str, where: str) -> None:
    for name, value in SECRETS.items():
        assert value not in text, f"{name} leaked into {where}"


@pytest.fixture
def secrets_env(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NASLUCH_DB", raising=False)


def test_in_process_cycle_logs_and_stores_no_secret(tmp_path, secrets_env, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    with FakeNetwork(SECRETS["YT_KEY"], SECRETS["FORUM_KEY"], SECRETS["MASTODON_TOKEN"]) as network:
        config = load(_config(tmp_path, network.url))
        engine = make_engine(f"sqlite:///{tmp_path / 'in.db'}")
        upgrade(engine)
        summary = collect_once(engine, config)
        mention_id = _seed_mastodon(engine, network.url)
        outcome = send_reply(engine, mention_id, "Cześć {author}", "Ola", build_responders(config.responders))
    assert summary["yt"]["inserted"] >= 1 and summary["forum"]["inserted"] == 1, summary
    assert "401" in summary["echo"]["error"] and "[secret]" in summary["echo"]["error"]  # the echo, masked
    from networks.errors import AuthFailed

    assert SECRETS["FORUM_KEY"] not in str(AuthFailed(f"HTTP 401: bad key {SECRETS['FORUM_KEY']}"))  # exceptions too
    assert outcome.state == "sent" and len(network.statuses) == 1
    assert any("HTTP Request" in r.getMessage() and "[secret]" in r.getMessage() for r in caplog.records), \
        "httpx's request line (with the key in its query) should be logged, masked"
    _assert_clean("\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records), "log records")
    _assert_clean(caplog.text, "formatted logs")
    captured = capfd.readouterr()
    _assert_clean(captured.out + captured.err, "stdout/stderr")
    _assert_clean(_dump(engine), "the database")
    _assert_clean(repr(config), "the config's repr")
    engine.dispose()


def test_cli_cycle_at_debug_prints_no_secret(tmp_path, secrets_env):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ}
    with FakeNetwork(SECRETS["YT_KEY"], SECRETS["FORUM_KEY"], SECRETS["MASTODON_TOKEN"]) as network:
        config = _config(tmp_path, network.url)
        base = [sys.executable, "-m", "monitor.cli", "-v", "--config", str(config), "--db", db]
        outputs = [subprocess.run([*base, "collect", "--once", "--json"], env=env, capture_output=True, text=True,
                                  timeout=120)]
        engine = make_engine(db)
        mention_id = _seed_mastodon(engine, network.url)
        outputs.append(subprocess.run([*base, "reply", str(mention_id), "hej", "--agent", "Ola", "--json"], env=env,
                                      capture_output=True, text=True, timeout=120))
        outputs.append(subprocess.run([*base, "sources", "--json"], env=env, capture_output=True, text=True, timeout=60))
    for result in outputs:
        assert result.returncode == 0, result.stderr[-2000:]
        _assert_clean(result.stdout + result.stderr, f"`{' '.join(result.args[-3:])}` output")
    assert '"state": "sent"' in outputs[1].stdout
    assert "DEBUG httpcore" in outputs[0].stderr and "HTTP Request" in outputs[0].stderr  # really at DEBUG
    _assert_clean(_dump(engine), "the database")
    engine.dispose()


def test_config_errors_do_not_echo_a_secret(tmp_path, monkeypatch):
    from monitor.config import ConfigError, build

    monkeypatch.setenv("NUMBER_SECRET", "not-a-number-SECRET-77")
    with pytest.raises(ConfigError) as error:
        build({"sla_minutes": {"$env": "NUMBER_SECRET"}})
    assert "sla_minutes" in str(error.value) and "not-a-number-SECRET-77" not in str(error.value)
