"""Storage on SQLite and PostgreSQL: idempotent batches, thread linking, query matches, UTC times."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from monitor.mention import Author, Mention
from monitor.query.parser import BrandMatcher
from monitor.store import ingest, schema
from monitor.store.engine import current_revision, upgrade

T0 = datetime(2026, 11, 5, 18, 30, tzinfo=timezone.utc)


def mention(external_id: str, text: str = "acme nie działa", minutes: int = 0, **extra) -> Mention:
    return Mention(source=extra.pop("source", "mastodon"), external_id=external_id, text=text,
                   created_at=T0 + timedelta(minutes=minutes), author=Author(extra.pop("handle", "ola"), "Ola", 120),
                   **extra)


def rows(engine, sql: str):
    with engine.connect() as connection:
        return connection.execute(sa.text(sql)).all()


def test_upgrade_is_idempotent_and_recorded(engine):
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from monitor.store.engine import MIGRATIONS

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    upgrade(engine)
    assert head is not None and current_revision(engine) == head
    assert {"mention", "reply", "conversation", "note", "tag", "mentiontag", "agent", "sourcestate",
            "audit_log"} <= set(sa.inspect(engine).get_table_names())


def test_ingest_twice_keeps_one_row_per_source_and_external_id(engine):
    batch = [mention(str(i), minutes=i) for i in range(10)] + [mention("3", minutes=99)]
    first = ingest.ingest(engine, batch, batch_size=4)
    again = ingest.ingest(engine, batch, batch_size=3)
    assert (first.inserted, first.duplicates) == (10, 1)
    assert (again.inserted, again.duplicates) == (0, 11)
    assert rows(engine, "SELECT count(*) FROM mention") == [(10,)]


def test_same_id_on_another_network_is_another_mention(engine):
    ingest.ingest(engine, [mention("42"), mention("42", source="reddit")])
    assert rows(engine, "SELECT count(*) FROM mention") == [(2,)]


def test_crash_between_batches_loses_nothing_committed_and_rerun_completes(engine, monkeypatch):
    batch = [mention(str(i), minutes=i) for i in range(9)]
    real, calls = ingest.ingest_batch, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "ingest_batch", failing)
    with pytest.raises(RuntimeError):
        ingest.ingest(engine, batch, batch_size=3)
    assert rows(engine, "SELECT count(*) FROM mention") == [(3,)]
    monkeypatch.setattr(ingest, "ingest_batch", real)
    rerun = ingest.ingest(engine, batch, batch_size=3)
    assert (rerun.inserted, rerun.duplicates) == (6, 3)
    assert rows(engine, "SELECT count(DISTINCT external_id), count(*) FROM mention") == [(9, 9)]


def test_reply_links_follow_stored_parents_across_batches(engine):
    ingest.ingest(engine, [mention("root", minutes=0)])
    ingest.ingest(engine, [mention("child", minutes=5, in_reply_to="root"),
                          mention("grandchild", minutes=9, in_reply_to="child"),
                          mention("other", minutes=7)])
    conversations = dict(rows(engine, "SELECT external_id, conversation_id FROM mention"))
    assert conversations["root"] == conversations["child"] == conversations["grandchild"]
    assert conversations["other"] != conversations["root"]
    assert rows(engine, "SELECT count(*) FROM conversation") == [(2,)]


def test_brand_queries_are_matched_and_stored_and_unmatched_dropped_when_required(engine):
    matcher = BrandMatcher({"Acme": ['"nie dziala" acme*', "acme"], "Volta": ["volta"]})
    posts = [mention("1", "Acmeapp NIE DZIAŁA od rana"), mention("2", "volta i acme"), mention("3", "nic tu nie ma")]
    result = ingest.ingest(engine, posts, matcher, require_match=True)
    assert (result.inserted, result.unmatched) == (2, 1)
    table = schema.MentionRow.__table__
    with engine.connect() as connection:
        stored = {r.external_id: (r.brand, r.matched) for r in connection.execute(sa.select(table))}
    assert stored["1"] == ("Acme", ['Acme: "nie dziala" acme*'])
    assert stored["2"] == ("Acme", ["Acme: acme", "Volta: volta"])


def test_times_come_back_utc_aware(engine):
    warsaw = timezone(timedelta(hours=1))
    ingest.ingest(engine, [Mention("rss", "t", "acme", datetime(2026, 11, 5, 19, 30, tzinfo=warsaw), Author("a"))])
    with engine.connect() as connection:
        created = connection.execute(sa.select(schema.MentionRow.__table__.c.created_at)).scalar()
    assert created == datetime(2026, 11, 5, 18, 30, tzinfo=timezone.utc) and created.utcoffset() == timedelta(0)


def test_every_column_ingest_writes_reads_back_as_given(engine):
    """PostgreSQL writes the rows by binary COPY, where each field is encoded by its column's type:
    texts in every script, quotes, tabs, newlines and backslashes, None, large numbers, JSON and
    times must come back exactly as text COPY (and SQLite) store them."""
    odd = 'Ζ "quoted" \\ back\tslash\nnew line ąęł 😀'
    matcher = BrandMatcher({"Acme": ["acme"]})
    ingest.ingest(engine, [
        Mention("forum", "a1", f"acme {odd}", T0, Author("h\\1", odd, 2_000_000_000), url="https://e.x/a?q=1&b=2",
                lang="el", in_reply_to=None, source_name="Forum ąę"),
        Mention("forum", "a2", "acme", T0 + timedelta(seconds=1), Author("h2", None, None), in_reply_to="a1"),
    ], matcher)
    with engine.connect() as connection:
        got = {row.external_id: row for row in connection.execute(sa.select(schema.MentionRow.__table__))}
    first, second = got["a1"], got["a2"]
    assert (first.text, first.author_name, first.author_handle) == (f"acme {odd}", odd, "h\\1")
    assert (first.author_followers, first.url, first.lang, first.source_name) == (
        2_000_000_000, "https://e.x/a?q=1&b=2", "el", "Forum ąę")
    assert first.created_at == T0 and first.matched == ["Acme: acme"] and first.status == "open"
    assert (second.author_name, second.author_followers, second.in_reply_to) == (None, None, "a1")
    assert second.conversation_id == first.conversation_id


def test_a_value_of_another_type_than_its_column_is_stored_as_before(engine):
    """A collector handing a follower count as text ("1200") is converted as text COPY and SQLite
    always did; on PostgreSQL the binary COPY refuses it and the batch is written as text."""
    ingest.ingest(engine, [Mention("forum", "b1", "acme", T0, Author("h", "H", "1200")),
                           Mention("forum", "b2", "acme", T0, Author("g", "G", 7))])
    assert rows(engine, "SELECT external_id, author_followers FROM mention ORDER BY external_id") == [
        ("b1", 1200), ("b2", 7)]
