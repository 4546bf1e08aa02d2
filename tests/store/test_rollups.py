"""The hourly rollup stays equal to a recount from `mention` through ingest, rescoring,
deletion and schema upgrades; a drifting rollup would show wrong numbers on every page."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.mention import Author, Mention
from monitor.store import rollups, schema
from monitor.store.engine import MIGRATIONS, make_engine, upgrade
from monitor.store.ingest import ingest

ROLLUP = schema.MentionRollupRow.__table__
MENTION = schema.MentionRow.__table__
START = datetime(2026, 3, 1, 10, 15, tzinfo=timezone.utc)


def mentions(count: int, prefix: str = "m") -> list[Mention]:
    return [Mention(source=("x", "reddit")[i % 2], external_id=f"{prefix}{i}", text=f"acme post {i}",
                    created_at=START + timedelta(minutes=17 * i), author=Author(f"user{i % 7}"),
                    lang=(None, "pl", "en")[i % 3], brand=("Acme", None)[i % 5 == 0])
            for i in range(count)]


def cells(connection: sa.Connection) -> dict[tuple, int]:
    return {tuple(row[:5]): row[5] for row in connection.execute(sa.select(ROLLUP)) if row[5]}


def brand_cells(connection: sa.Connection) -> dict[tuple, int]:
    return {tuple(row[:3]): row[3] for row in connection.execute(sa.select(schema.BrandRollupRow.__table__)) if row[3]}


def narrowed(full: dict[tuple, int]) -> dict[tuple, int]:
    """The full cells summed over source and language: what the narrow rollup must hold."""
    result: dict[tuple, int] = {}
    for (hour, brand, _source, _lang, label), count in full.items():
        result[(hour, brand, label)] = result.get((hour, brand, label), 0) + count
    return result


def level_cells(connection: sa.Connection, table: sa.Table) -> dict[tuple, int]:
    return {tuple(row[:5]): row[5] for row in connection.execute(sa.select(table)) if row[5]}


def coarsened(full: dict[tuple, int], size: int) -> dict[tuple, int]:
    """The hourly cells summed per `size` hours: what the day and week rollups must hold."""
    result: dict[tuple, int] = {}
    for (hour, *rest), count in full.items():
        key = (hour // size, *rest)
        result[key] = result.get(key, 0) + count
    return result


def assert_levels(connection: sa.Connection, expected: dict[tuple, int]) -> None:
    for table, _column, size in rollups.LEVELS:
        assert level_cells(connection, table) == coarsened(expected, size), table.name


def recount(connection: sa.Connection) -> dict[tuple, int]:
    """What the rollup should hold, counted in Python from the mention rows."""
    expected: dict[tuple, int] = {}
    for created, brand, source, lang, label in connection.execute(
            sa.select(MENTION.c.created_at, MENTION.c.brand, MENTION.c.source, MENTION.c.lang, MENTION.c.sentiment)):
        key = (rollups.hour_of(created), brand or "", source, lang or "", label or "")
        expected[key] = expected.get(key, 0) + 1
    return expected


def test_ingest_counts_each_new_mention_once(engine) -> None:
    ingest(engine, mentions(300), batch_size=70)
    ingest(engine, mentions(300), batch_size=70)  # all duplicates: nothing more to count
    with engine.connect() as connection:
        assert sum(cells(connection).values()) == 300
        assert cells(connection) == recount(connection)
        assert_levels(connection, recount(connection))


def test_rescored_moves_counts_between_labels(engine) -> None:
    ingest(engine, mentions(120))
    with engine.begin() as connection:
        ids = connection.execute(sa.select(MENTION.c.id).order_by(MENTION.c.id)).scalars().all()
        rollups.rescored(connection, {i: ("negative", "positive")[i % 2] for i in ids[:80]})
        rollups.rescored(connection, {ids[0]: "neutral", ids[1]: None})
    with engine.connect() as connection:
        assert cells(connection) == recount(connection)
        assert brand_cells(connection) == narrowed(recount(connection))
        assert_levels(connection, recount(connection))
        drift = rollups.drift(connection)
        assert drift["pending"] == drift["rollup_pending"] == 41


def test_changing_follows_updates_and_deletes(engine) -> None:
    ingest(engine, mentions(60))
    with engine.begin() as connection:
        ids = connection.execute(sa.select(MENTION.c.id)).scalars().all()
        with rollups.changing(connection, ids[:10]):
            connection.execute(MENTION.update().where(MENTION.c.id.in_(ids[:5])).values(lang="de"))
            connection.execute(MENTION.delete().where(MENTION.c.id.in_(ids[5:10])))
    with engine.connect() as connection:
        assert cells(connection) == recount(connection)
        assert brand_cells(connection) == narrowed(recount(connection))
        assert_levels(connection, recount(connection))  # emptied day/week cells are removed too
        assert sum(cells(connection).values()) == 55


def test_rebuild_matches_incremental_counts(engine) -> None:
    ingest(engine, mentions(200))
    with engine.connect() as connection:
        incremental = cells(connection)
    with engine.begin() as connection:
        rollups.rebuild(connection)
    with engine.connect() as connection:
        assert cells(connection) == incremental
        assert brand_cells(connection) == narrowed(incremental)
        assert_levels(connection, incremental)


def test_upgrade_fills_the_rollup_from_existing_mentions(tmp_path) -> None:
    from alembic import command
    from alembic.config import Config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    rows = [{"external_id": str(i), "created_at": (START + timedelta(hours=i // 3)).strftime("%Y-%m-%d %H:%M:%S.%f")}
            for i in range(30)]
    with engine.begin() as connection:  # the 0001 schema, whatever later migrations add to `mention`
        connection.execute(sa.text(
            "INSERT INTO mention (source, external_id, author_handle, text, lang, created_at, collected_at, brand, "
            "matched, status) VALUES ('x', :external_id, 'a', 't', 'pl', :created_at, :created_at, 'Acme', '[]', "
            "'open')"), rows)
    upgrade(engine)
    with engine.connect() as connection:
        assert cells(connection) == recount(connection)
        assert len(cells(connection)) == 10
        assert_levels(connection, recount(connection))
    engine.dispose()


@given(st.one_of(st.none(), st.integers(-3000, 3000)), st.one_of(st.none(), st.integers(-3000, 3000)))
@settings(max_examples=300, deadline=None)
def test_pieces_cover_each_hour_once(first, end) -> None:
    """Weeks, days and edge hours tile [first, end) exactly: no hour counted twice or missed."""
    low, high = (-4000 if first is None else first), (4000 if end is None else end)
    covered: list[int] = []
    for table, _column, lo, hi in rollups.pieces(first, end):
        size = 1 if table is None else next(s for t, _c, s in rollups.LEVELS if t is table)
        lo = low // size if lo is None else lo
        hi = -(-high // size) if hi is None else hi
        covered += [h for unit in range(lo, hi) for h in range(unit * size, (unit + 1) * size) if low <= h < high]
    assert sorted(covered) == list(range(low, high))
    assert len(rollups.pieces(first, end)) <= 5  # weeks, two day edges, two hour edges
