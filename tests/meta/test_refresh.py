"""Storage side of edits and deletions: `refresh_mentions` updates rows in place, marks comments
gone from a fully read thread as deleted (and back when seen again), and touches nothing else;
plain `ingest` still only inserts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from monitor.mention import Author, Mention, ThreadSnapshot
from monitor.query.parser import BrandMatcher
from monitor.store import schema
from monitor.store.ingest import ingest
from monitor.store.refresh import refresh_mentions

T0 = datetime(2024, 11, 12, 8, 0, tzinfo=timezone.utc)
MENTION = schema.MentionRow.__table__
ROLLUP = schema.MentionRollupRow.__table__


def comment(external_id: str, text: str, post: str = "p1", minutes: int = 0, source: str = "facebook") -> Mention:
    return Mention(source, external_id, text, T0 + timedelta(minutes=minutes), Author("7010", "Kasia"),
                   in_reply_to=post, conversation_key=post, brand="Acme")


def rows(engine) -> dict[str, sa.Row]:
    with engine.connect() as connection:
        return {row.external_id: row for row in connection.execute(sa.select(MENTION))}


def test_edit_delete_restore(engine):
    first = [comment("c1", "acme nie działa", minutes=1), comment("c2", "acme?", minutes=2),
             comment("x1", "inny wątek", post="p2", minutes=3)]
    ingest(engine, first)
    with engine.begin() as connection:  # pretend c1 was scored, to see it unscored on edit
        connection.execute(MENTION.update().where(MENTION.c.external_id == "c1").values(sentiment="negative"))
    now = T0 + timedelta(hours=1)

    edited = [comment("c1", "acme działa, dzięki", minutes=1)]
    result = refresh_mentions(engine, edited, [ThreadSnapshot("facebook", "p1", frozenset({"p1", "c1"}))], now)
    assert (result.edited, result.deleted, result.restored) == (1, 1, 0)
    stored = rows(engine)
    assert stored["c1"].text == "acme działa, dzięki" and stored["c1"].edited_at == now
    assert stored["c1"].sentiment is None
    assert stored["c2"].deleted_at == now and stored["c2"].text == "acme?"
    assert stored["x1"].deleted_at is None  # another thread: not judged by p1's snapshot

    again = refresh_mentions(engine, [comment("c2", "acme?", minutes=2)],
                             [ThreadSnapshot("facebook", "p1", frozenset({"p1", "c1", "c2"}))], now)
    assert (again.edited, again.deleted, again.restored) == (0, 0, 1)
    assert rows(engine)["c2"].deleted_at is None
    assert len(rows(engine)) == 3


def test_same_text_is_not_an_edit_and_other_sources_are_untouched(engine):
    ingest(engine, [comment("c1", "acme"), comment("c1", "acme", source="instagram")])
    result = refresh_mentions(engine, [comment("c1", "acme"), comment("c1", "changed", source="instagram")],
                              [ThreadSnapshot("instagram", "p1", frozenset({"p1", "c1"}))])
    assert (result.edited, result.deleted) == (1, 0)
    with engine.connect() as connection:
        texts = dict(connection.execute(sa.select(MENTION.c.source, MENTION.c.text)).all())
    assert texts == {"facebook": "acme", "instagram": "changed"}


def test_ingest_still_only_inserts(engine):
    ingest(engine, [comment("c1", "acme")])
    result = ingest(engine, [comment("c1", "acme edited")])
    assert result.inserted == 0 and result.duplicates == 1
    assert rows(engine)["c1"].text == "acme" and rows(engine)["c1"].hidden is False


def test_a_brand_set_by_the_collector_needs_no_query_match(engine):
    matcher = BrandMatcher({"Acme": ["acme"]})
    on_page = comment("c1", "gdzie moja paczka?")
    elsewhere = Mention("facebook", "t1", "gdzie moja paczka?", T0, Author("7020"))
    result = ingest(engine, [on_page, elsewhere], matcher, require_match=True)
    assert result.inserted == 1 and set(rows(engine)) == {"c1"}
    assert rows(engine)["c1"].brand == "Acme"
