"""Users, password hashes and roles, checked below the UI: a viewer calling the reply action
directly (Python or CLI) is refused, and nothing is stored or sent."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from monitor.cli.main import main
from monitor.config import ConfigError, build
from monitor.inbox import actions, outbox
from monitor.store import schema
from monitor.trust import auth
from tests.inbox.conftest import SENT, ScriptedResponder, seed

PASSWORD = "correct horse battery staple"


@pytest.fixture
def team(engine):
    ids = seed(engine)
    auth.add_user(engine, "vera", "viewer", PASSWORD)
    auth.add_user(engine, "ola", "agent", PASSWORD)
    auth.add_user(engine, "adam", "admin", PASSWORD)
    return engine, ids


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_passwords_are_stored_only_as_argon2id_hashes(team):
    engine, _ = team
    with engine.connect() as connection:
        stored = connection.execute(sa.select(auth.USERS.c.password_hash)).scalars().all()
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in stored)
    assert len(set(stored)) == 3  # salted: the same password never hashes the same
    assert auth.authenticate(engine, "ola", PASSWORD, auth.Throttle()) == auth.User("ola", "agent")
    assert auth.authenticate(engine, "ola", PASSWORD + "x", auth.Throttle()) is None
    assert auth.authenticate(engine, "nobody", PASSWORD, auth.Throttle()) is None
    with pytest.raises(ValueError, match="at least"):
        auth.add_user(engine, "short", "agent", "123")


def test_repeated_wrong_passwords_pause_the_name(team):
    engine, _ = team
    throttle = auth.Throttle()
    for _ in range(auth.FAILURES_BEFORE_PAUSE):
        assert auth.authenticate(engine, "ola", "guess", throttle) is None
    assert throttle.paused("ola") > 0
    assert auth.authenticate(engine, "ola", PASSWORD, throttle) is None  # even the right one waits
    assert auth.authenticate(engine, "adam", PASSWORD, throttle) is not None  # other names are not affected


def test_a_viewer_calling_the_reply_action_directly_is_refused(team):
    engine, ids = team
    responder = ScriptedResponder([SENT])
    with pytest.raises(auth.Forbidden, match="vera is a viewer"):
        actions.send_reply(engine, ids["kasia"], "hi", "vera", [responder])
    with pytest.raises(auth.Forbidden):
        outbox.queue_reply(engine, ids["kasia"], "hi", "vera")
    assert responder.posts == [] and _count(engine, schema.ReplyRow.__table__) == 0
    assert actions.send_reply(engine, ids["kasia"], "hi", "ola", [responder]).state == "sent"


@pytest.mark.parametrize("action", ["status", "assign", "claim", "note", "tags", "manual", "requeue", "saved"])
def test_every_inbox_action_refuses_viewers_and_strangers(team, action):
    engine, ids = team
    with engine.connect() as connection:
        conv = connection.execute(sa.select(schema.MentionRow.__table__.c.conversation_id)
                                  .where(schema.MentionRow.__table__.c.id == ids["bob"])).scalar()
    calls = {
        "status": lambda who: actions.set_status(engine, conv, "closed", who),
        "assign": lambda who: actions.assign(engine, conv, "ola", who),
        "claim": lambda who: actions.claim_conversation(engine, conv, who),
        "note": lambda who: actions.add_note(engine, conv, who, "internal"),
        "tags": lambda who: actions.set_tags(engine, conv, ["refund"], who),
        "manual": lambda who: actions.record_manual_reply(engine, ids["bob"], "by hand", who),
        "requeue": lambda who: outbox.requeue(engine, 1, who),
        "saved": lambda who: actions.add_saved_reply(engine, "t", "x", actor=who),
    }
    audit_before = _count(engine, schema.AuditEntryRow.__table__)
    for stranger in ("vera", "mallory"):
        with pytest.raises(auth.Forbidden):
            calls[action](stranger)
    assert _count(engine, schema.AuditEntryRow.__table__) == audit_before  # nothing happened
    calls[action]("ola")  # an agent may


def test_demotion_and_disabling_take_effect_at_once(team):
    engine, ids = team
    auth.update_user(engine, "ola", role="viewer")
    with pytest.raises(auth.Forbidden):
        outbox.queue_reply(engine, ids["kasia"], "hi", "ola")
    auth.update_user(engine, "ola", role="agent", disabled=True)
    with pytest.raises(auth.Forbidden, match="disabled"):
        outbox.queue_reply(engine, ids["kasia"], "hi", "ola")
    assert auth.authenticate(engine, "ola", PASSWORD, auth.Throttle()) is None


def test_cli_reply_as_a_viewer_from_the_config_is_refused(tmp_path, capsys, sqlite_engine):
    ids = seed(sqlite_engine)
    db = str(sqlite_engine.url)
    config = tmp_path / "config.yaml"
    config.write_text("agents: [{name: Vera, role: viewer}, {name: Ola, role: agent}]\n", encoding="utf-8")
    code = main(["--config", str(config), "--db", db, "reply", str(ids["kasia"]), "hi", "--agent", "Vera", "--json"])
    captured = capsys.readouterr()
    assert code == 3 and captured.out == "" and "Vera is a viewer" in captured.err
    assert _count(sqlite_engine, schema.ReplyRow.__table__) == 0
    code = main(["--config", str(config), "--db", db, "reply", str(ids["kasia"]), "hi", "--agent", "Ola", "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["state"] == "queued"


def test_user_commands_read_the_password_from_stdin_and_never_print_it(tmp_path, capsys, monkeypatch):
    import io

    db = ["--config", str(tmp_path / "none.yaml"), "--db", f"sqlite:///{tmp_path / 'u.db'}"]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main([*db, "user", "add", "ola", "--role", "agent", "--password-stdin"]) == 0
    assert main([*db, "user", "list", "--json"]) == 0
    out = capsys.readouterr().out
    listed = json.loads(out.splitlines()[-1])
    assert listed[0]["name"] == "ola" and listed[0]["has_password"] and PASSWORD not in out and "argon2" not in out
    assert main([*db, "user", "role", "ola", "--role", "admin"]) == 0
    assert main([*db, "user", "role", "nobody", "--role", "admin"]) == 2


def test_config_users_need_a_hash_not_a_password():
    with pytest.raises(ConfigError, match="argon2id hash"):
        build({"agents": [{"name": "Ola", "password_hash": "hunter2hunter2"}]})
    hashed = auth.hash_password(PASSWORD)
    assert build({"agents": [{"name": "Ola", "password_hash": hashed}]}).settings.agents[0].password_hash == hashed


def test_config_users_sync_into_the_users_table(sqlite_engine):
    settings = build({"agents": [{"name": "Ola", "role": "admin", "password_hash": auth.hash_password(PASSWORD)},
                                 {"name": "Ioana", "email": "ioana@acme.example"}]}).settings
    auth.sync_config_users(sqlite_engine, settings.agents)
    auth.sync_config_users(sqlite_engine, settings.agents)  # idempotent
    assert auth.authenticate(sqlite_engine, "Ola", PASSWORD, auth.Throttle()) == auth.User("Ola", "admin")
    assert auth.find_user(sqlite_engine, email="IOANA@acme.example") == auth.User("Ioana", "agent")  # OIDC mapping
    assert auth.find_user(sqlite_engine, email="stranger@acme.example") is None


def test_without_users_the_installation_is_single_user(sqlite_engine):
    ids = seed(sqlite_engine)
    assert outbox.queue_reply(sqlite_engine, ids["kasia"], "hi", "anyone") > 0
