"""GDPR: erasure leaves no row naming the author (in any table, inbox ones included), a data
subject's export holds what is stored about them, retention deletes old mentions, and contact
details can be redacted at ingest. Real data: the IBM customer-care conversations."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from monitor.cli.app import App
from monitor.cli.main import build_parser, main
from monitor.formats.readers import read_file
from monitor.inbox import actions as inbox_actions
from monitor.inbox import outbox
from monitor.jobs.background import background_jobs
from monitor.jobs.retention import purge_old_mentions
from monitor.mention import Author, Mention
from monitor.store import rollups, schema
from monitor.store.ingest import ingest, ingest_replies
from monitor.trust.privacy import erase_author, export_author
from monitor.trust.redaction import EMAIL, redact_contacts

HANDLE = "CinVakas"
MENTION = schema.MentionRow.__table__


def _load_care(engine, shared_data, redact: bool = False):
    batch = read_file(shared_data / "twitter_care_dev.json", "twitter-care")
    ingest(engine, batch.mentions, redact=redact)
    ingest_replies(engine, batch.replies, redact=redact)
    return batch


def _dump(engine) -> dict[str, str]:
    with engine.connect() as connection:
        return {name: str(connection.execute(sa.text(f'SELECT * FROM "{name}"')).all())
                for name in sa.inspect(engine).get_table_names()}


def _mention_id(engine, handle: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(MENTION.c.id).where(MENTION.c.author_handle == handle)).scalars().first()


def _conversation(engine, mention_id: int) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(MENTION.c.conversation_id).where(MENTION.c.id == mention_id)).scalar()


def _involve_the_inbox(engine, handle: str) -> None:
    """Everything agents do around one customer: and a neighbour's post that names them."""
    mine = _mention_id(engine, handle)
    conv = _conversation(engine, mine)
    inbox_actions.set_tags(engine, conv, ["refund", f"vip-{handle}"], "Ola")
    inbox_actions.add_note(engine, conv, "Ola", f"@{handle} wrote twice, see {handle}'s channel")
    inbox_actions.heartbeat(engine, conv, "Ola", drafting=True)
    inbox_actions.assign(engine, conv, "Ola", "Ola")
    outbox.queue_reply(engine, mine, f"Hi @{handle}, we are on it", "Ola")
    with engine.connect() as connection:
        other = connection.execute(sa.select(MENTION.c.id).where(MENTION.c.author_handle != handle)
                                   .order_by(MENTION.c.id)).scalars().first()
    inbox_actions.add_note(engine, _conversation(engine, other), "Ola", f"same issue as {handle}")
    ingest(engine, [Mention("x", "neighbour-1", f"@{handle} same here! @TeamYouTube help us both",
                            datetime(2020, 4, 2, tzinfo=timezone.utc), Author("neighbour"), brand="TeamYouTube")])


def test_erasure_leaves_no_row_in_any_table_with_the_handle(engine, shared_data):
    _load_care(engine, shared_data)
    _involve_the_inbox(engine, HANDLE)
    before = _dump(engine)
    assert {t for t, text in before.items() if HANDLE.lower() in text.lower()} >= {
        "mention", "reply", "note", "tag", "audit_log"}  # it really was everywhere
    with engine.connect() as connection:
        others = connection.execute(sa.select(sa.func.count()).select_from(MENTION)
                                    .where(MENTION.c.author_handle != HANDLE)).scalar()
    counts = erase_author(engine, HANDLE)
    assert counts["mentions"] >= 1 and counts["replies"] >= 2 and counts["tags"] >= 2 and counts["notes"] >= 1
    assert counts["anonymised"] >= 2 and counts["audit_entries"] >= 1 and counts["other_rows"] >= 1  # the tag name
    for table, text in _dump(engine).items():
        assert HANDLE.lower() not in text.lower(), table
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(MENTION)).scalar() == others
        drift = rollups.drift(connection)
        assert drift["mentions"] == drift["rollup"] == others and drift["pending"] == drift["rollup_pending"]
        note = connection.execute(sa.text("SELECT text FROM note")).scalars().all()
    assert note == ["same issue as @[erased]"]  # a neighbour's thread keeps its note, anonymised


def test_erasing_a_fediverse_author_also_clears_their_urls(sqlite_engine):
    handle = "kasia@fosstodon.org"
    posts = [Mention("mastodon", "https://fosstodon.org/users/kasia/statuses/1", "acme?", datetime(2026, 1, 1, tzinfo=timezone.utc),
                     Author(handle, "Kasia"), url="https://fosstodon.org/@kasia/1"),
             Mention("mastodon", "https://mastodon.social/users/jan/statuses/2", "@kasia@fosstodon.org same",
                     datetime(2026, 1, 1, 1, tzinfo=timezone.utc), Author("jan@mastodon.social"),
                     in_reply_to="https://fosstodon.org/users/kasia/statuses/1",
                     conversation_key="https://fosstodon.org/users/kasia/statuses/1")]
    ingest(sqlite_engine, posts)
    erase_author(sqlite_engine, handle)
    dump = "".join(_dump(sqlite_engine).values()).lower()
    assert handle not in dump and "/users/kasia" not in dump and "/@kasia" not in dump
    assert "jan@mastodon.social" in dump  # the neighbour's post stays


def test_export_author_holds_their_posts_replies_notes_and_tags(sqlite_engine, shared_data, tmp_path, capsys):
    _load_care(sqlite_engine, shared_data)
    _involve_the_inbox(sqlite_engine, HANDLE)
    data = export_author(sqlite_engine, HANDLE)
    assert data["handle"] == HANDLE and data["mentions"][0]["author"]["handle"] == HANDLE
    assert "zekidemir089@gmail.com" in data["mentions"][0]["text"]  # what we hold, as we hold it
    assert {"refund", f"vip-{HANDLE}"} <= set(data["mentions"][0]["tags"])
    assert any(r["agent"] == "TeamYouTube" for r in data["replies"]) and any(r["state"] == "queued" for r in data["replies"])
    assert any(HANDLE in n["text"] for n in data["notes"]) and data["audit"]
    assert export_author(sqlite_engine, "nobody-here")["mentions"] == []
    code = main(["--config", str(tmp_path / "none.yaml"), "--db", str(sqlite_engine.url), "export-author", HANDLE])
    assert code == 0 and json.loads(capsys.readouterr().out)["mentions"][0]["external_id"] == data["mentions"][0]["external_id"]


def test_retention_deletes_old_mentions_and_what_hangs_on_them(engine, shared_data):
    _load_care(engine, shared_data)
    with engine.connect() as connection:
        newest = connection.execute(sa.select(sa.func.max(MENTION.c.created_at))).scalar()
        total = connection.execute(sa.select(sa.func.count()).select_from(MENTION)).scalar()
        keep = connection.execute(sa.select(sa.func.count()).select_from(MENTION)
                                  .where(MENTION.c.created_at >= newest - timedelta(days=2))).scalar()
    assert 0 < keep < total
    counts = purge_old_mentions(engine, 2, now=newest, batch=100)
    assert counts["mentions"] == total - keep and counts["conversations"] > 0 and counts["replies"] > 0
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(MENTION)).scalar() == keep
        drift = rollups.drift(connection)
        assert drift["mentions"] == drift["rollup"] == keep
        orphans = connection.execute(sa.text("SELECT count(*) FROM conversation c WHERE NOT EXISTS "
                                             "(SELECT 1 FROM mention m WHERE m.conversation_id = c.id)")).scalar()
        assert orphans == 0
        actions = connection.execute(sa.select(schema.AuditEntryRow.__table__.c.action)).scalars().all()
    assert "retention.purged" in actions
    assert purge_old_mentions(engine, 2, now=newest) == {}  # nothing left to do


def test_the_scheduler_gets_a_retention_job_only_when_configured(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("privacy: {retention_days: 30}\n", encoding="utf-8")
    app = App(build_parser().parse_args(["--config", str(path), "--db", f"sqlite:///{tmp_path / 'r.db'}", "run"]))
    assert "retention" in [name for name, _, _ in background_jobs(app.engine, app.config)]
    path.write_text("sla_minutes: 60\n", encoding="utf-8")
    app = App(build_parser().parse_args(["--config", str(path), "--db", f"sqlite:///{tmp_path / 'r.db'}", "run"]))
    assert "retention" not in [name for name, _, _ in background_jobs(app.engine, app.config)]


def test_redaction_at_ingest_removes_the_real_addresses(sqlite_engine, shared_data, tmp_path):
    raw = (shared_data / "twitter_care_dev.json").read_text(encoding="utf-8")
    assert len(set(EMAIL.findall(raw))) >= 3  # the data set really holds addresses
    _load_care(sqlite_engine, shared_data, redact=True)
    with sqlite_engine.connect() as connection:
        texts = connection.execute(sa.text("SELECT text FROM mention UNION ALL SELECT text FROM reply")).scalars().all()
    assert not any(EMAIL.search(text) for text in texts)
    assert any("[email]" in text for text in texts)
    plain = tmp_path / "plain.db"
    code = main(["--config", str(tmp_path / "none.yaml"), "--db", f"sqlite:///{plain}", "import",
                 str(shared_data / "twitter_care_dev.json"), "--format", "twitter-care", "--json"])
    assert code == 0
    with sa.create_engine(f"sqlite:///{plain}").connect() as connection:
        kept = connection.execute(sa.text("SELECT text FROM mention")).scalars().all()
    assert any(EMAIL.search(text) for text in kept)  # off by default: texts stored as written


@pytest.mark.parametrize(("text", "expected"), [
    ("mail me: jan.kowalski+acme@poczta.example.pl!", "mail me: [email]!"),
    ("call +48 600 123 456 today", "call [phone] today"),
    ("tel. (22) 123-45-67 or 600123456", "tel. [phone] or [phone]"),
    ("US: +1 (415) 555-0132.", "US: [phone]."),
    ("tweet 1245403438755852288 and order 12345", "tweet 1245403438755852288 and order 12345"),
    ("on 2020-04-01 at 17:31, price 1 299,99 zł", "on 2020-04-01 at 17:31, price 1 299,99 zł"),
    ("https://x.com/a/status/600123456789", "https://x.com/a/status/600123456789"),
    ("@acme nie działa 😡", "@acme nie działa 😡"),
])
def test_redact_contacts(text, expected):
    assert redact_contacts(text) == expected
