"""Hourly mention counts (`mention_rollup`), kept current in the same transaction as every change.

Why: a dashboard page over 1,000,000 mentions cannot read them all (2.2 s just to load the
timestamps here); it reads a few thousand pre-counted cells instead. The rollup is exact only if
every writer of `mention` tells it what changed, so there are three entry points:

- `rows_added(connection, rows)`: called by `monitor.store.ingest` inside the ingest transaction, with
  the rows it just inserted (no read back).
- `changing(connection, ids)`: a context manager around any UPDATE or DELETE of mentions (scoring
  writes `sentiment` and maybe `lang`; erasing an author deletes rows). It takes the rows' cells
  out before the change and puts them back, as they are then, after it.
- `rescored(connection, labels)`: the scoring code's one call: sets `mention.sentiment` for the
  given ids and moves their counts, in one go.

`rebuild(connection)` recounts everything from `mention` (used by the migration and for repair).
A second, narrower table (`mention_rollup_brand`: hour × brand × sentiment) holds the same counts
for views that need neither source nor language, and two coarser ones (`mention_rollup_day`,
`mention_rollup_week`) hold them per UTC day and per 168-hour week, so a long period is counted
from a few cells per week (`pieces`). All four move together.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa

from monitor.store import bulk_pg, schema

log = logging.getLogger(__name__)
ROLLUP = schema.MentionRollupRow.__table__
BRAND_ROLLUP = schema.BrandRollupRow.__table__
DAY_ROLLUP = schema.DAY_ROLLUP
WEEK_ROLLUP = schema.WEEK_ROLLUP
MENTION = schema.MentionRow.__table__
KEY = ("hour", "brand", "source", "lang", "sentiment")
BRAND_KEY = ("hour", "brand", "sentiment")
#: Coarser levels, coarsest first: (table, its time column, hours per unit).
LEVELS = ((WEEK_ROLLUP, "week", 168), (DAY_ROLLUP, "day", 24))
CHUNK = 5_000
Cell = tuple[int, str, str, str, str]


def hour_of(moment: datetime) -> int:
    """Whole hours since 1970-01-01 UTC: the rollup's time key (a naive time is read as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() // 3600)


Piece = tuple[sa.Table | None, str, int | None, int | None]


def pieces(first: int | None, end: int | None) -> list[Piece]:
    """Split the hours [first, end) (None: unbounded) into whole weeks, then whole days, then
    single hours at the edges: `(table, column, low, high)` with `low <= column < high` in the
    table's own unit; `table` None means the hourly rollup (the caller picks which one)."""
    found: list[Piece] = []

    def split(low: int | None, high: int | None, level: int) -> None:
        if low is not None and high is not None and low >= high:
            return
        if level == len(LEVELS):
            found.append((None, "hour", low, high))
            return
        table, column, size = LEVELS[level]
        start = None if low is None else -(-low // size)  # first whole unit
        stop = None if high is None else high // size     # end of the last whole unit
        if start is not None and stop is not None and start >= stop:
            split(low, high, level + 1)
            return
        found.append((table, column, start, stop))
        if start is not None:
            split(low, start * size, level + 1)
        if stop is not None:
            split(stop * size, high, level + 1)

    split(first, end, 0)
    return found


def _cell(created_at: datetime, brand: str | None, source: str, lang: str | None, sentiment: str | None) -> Cell:
    return hour_of(created_at), brand or "", source, lang or "", sentiment or ""


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _cells_of(connection: sa.Connection, ids: Iterable[int]) -> Counter[Cell]:
    """Count the current rollup cell of each given mention.

    Ingest hands in ids that are nearly contiguous; reading their id range and dropping strangers
    (rows other workers committed in between) is much faster than a long `IN (...)` list.
    """
    wanted = sorted(set(ids))
    cells: Counter[Cell] = Counter()
    if not wanted:
        return cells
    columns = (MENTION.c.id, MENTION.c.created_at, MENTION.c.brand, MENTION.c.source, MENTION.c.lang,
               MENTION.c.sentiment)
    if wanted[-1] - wanted[0] < 2 * len(wanted):
        keep = set(wanted)
        query = sa.select(*columns).where(MENTION.c.id.between(wanted[0], wanted[-1]))
        rows = (row for row in connection.execute(query) if row[0] in keep)
        cells.update(_cell(*row[1:]) for row in rows)
        return cells
    for chunk in _chunks(wanted):
        cells.update(_cell(*row[1:]) for row in connection.execute(sa.select(*columns).where(MENTION.c.id.in_(chunk))))
    return cells


def _upsert_into(connection: sa.Connection, table: sa.Table, key: Sequence[str], cells: Mapping[tuple, int]) -> None:
    """Add counts to cells with one statement for all of them: a driver `executemany` of one
    prepared upsert on SQLite (per-row statement building in SQLAlchemy cost more than the upsert
    itself), one upsert over arrays on PostgreSQL."""
    # Sorted, so concurrent writers lock cells in one order: PostgreSQL would otherwise detect a
    # deadlock when two workers' batches touch the same cells in different orders.
    rows = sorted((*cell, count) for cell, count in cells.items() if count)
    if not rows:
        return
    if connection.dialect.name == "postgresql":  # arrays: one statement whatever the number of cells
        bulk_pg.upsert_counts(connection, table.name, key, rows)
    else:
        sql = (f'INSERT INTO "{table.name}" ({", ".join(key)}, mentions) VALUES ({", ".join(["?"] * (len(key) + 1))}) '
               f'ON CONFLICT ({", ".join(key)}) DO UPDATE SET mentions = "{table.name}".mentions + excluded.mentions')
        connection.exec_driver_sql(sql, rows)
    if any(row[-1] < 0 for row in rows):
        connection.execute(table.delete().where(table.c.mentions <= 0))


def _coarser(cells: Mapping[Cell, int], size: int) -> Counter[tuple]:
    out: Counter[tuple] = Counter()
    for (hour, brand, source, lang, label), count in cells.items():
        out[(hour // size, brand, source, lang, label)] += count
    return out


def _upsert(connection: sa.Connection, cells: Mapping[Cell, int]) -> None:
    """Add signed counts to the cells of every rollup, creating missing ones; cells that reach
    zero are removed."""
    by_brand: Counter[tuple] = Counter()
    for (hour, brand, _source, _lang, label), count in cells.items():
        by_brand[(hour, brand, label)] += count
    _upsert_into(connection, ROLLUP, KEY, cells)
    _upsert_into(connection, BRAND_ROLLUP, BRAND_KEY, by_brand)
    for table, column, size in LEVELS:
        _upsert_into(connection, table, (column, *KEY[1:]), _coarser(cells, size))


@contextmanager
def changing(connection: sa.Connection, ids: Sequence[int]) -> Iterator[None]:
    """Wrap an UPDATE or DELETE of these mentions (same connection, same transaction)."""
    before = _cells_of(connection, ids)
    yield
    after = _cells_of(connection, ids)
    delta = Counter(after)
    delta.subtract(before)
    _upsert(connection, {cell: count for cell, count in delta.items() if count})


def rescored(connection: sa.Connection, labels: Mapping[int, str | None]) -> None:
    """Set `mention.sentiment` for each id (negative/neutral/positive, None to unscore) and keep
    the rollup in step. For the scoring code: call inside its write transaction."""
    by_label: dict[str | None, list[int]] = {}
    for mention_id, label in labels.items():
        by_label.setdefault(label, []).append(mention_id)
    with changing(connection, list(labels)):
        for label, ids in by_label.items():
            for chunk in _chunks(ids):
                connection.execute(MENTION.update().where(MENTION.c.id.in_(chunk)).values(sentiment=label))


def _hour_expression(connection: sa.Connection) -> sa.ColumnElement[int]:
    created = MENTION.c.created_at
    if connection.dialect.name == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", created) / 3600), sa.Integer)
    return sa.cast(sa.func.strftime("%s", created), sa.Integer) // 3600


def rebuild(connection: sa.Connection, levels: bool = True) -> int:
    """Recount every cell from `mention` in the database (one GROUP BY); returns the cell count.
    `levels=False` leaves the day and week rollups alone (for migrations older than them)."""
    hour = _hour_expression(connection).label("hour")
    parts = [hour, sa.func.coalesce(MENTION.c.brand, ""), MENTION.c.source, sa.func.coalesce(MENTION.c.lang, ""),
             sa.func.coalesce(MENTION.c.sentiment, "")]
    grouped = sa.select(*parts, sa.func.count()).group_by(*parts)
    connection.execute(ROLLUP.delete())
    connection.execute(ROLLUP.insert().from_select([*KEY, "mentions"], grouped))
    connection.execute(BRAND_ROLLUP.delete())
    connection.execute(BRAND_ROLLUP.insert().from_select(
        [*BRAND_KEY, "mentions"], sa.select(*(ROLLUP.c[name] for name in BRAND_KEY), sa.func.sum(ROLLUP.c.mentions))
        .group_by(*(ROLLUP.c[name] for name in BRAND_KEY))))
    if levels:
        rebuild_levels(connection)
    cells = connection.execute(sa.select(sa.func.count()).select_from(ROLLUP)).scalar_one()
    log.info("mention rollup rebuilt: %d cells", cells)
    return cells


def rebuild_levels(connection: sa.Connection) -> None:
    """Recount the day and week rollups from the hourly one."""
    hour = ROLLUP.c.hour
    for table, column, size in LEVELS:
        unit = ((hour - (hour % size + size) % size) // size).label(column)  # floor, also below 0
        rest = [ROLLUP.c[name] for name in KEY[1:]]
        connection.execute(table.delete())
        connection.execute(table.insert().from_select(
            [column, *KEY[1:], "mentions"],
            sa.select(sa.cast(unit, sa.Integer), *rest, sa.func.sum(ROLLUP.c.mentions)).group_by(unit, *rest)))


def drift(connection: sa.Connection) -> dict[str, int]:
    """Totals and not-yet-scored counts in `mention` and in the rollup; they differ only if some
    writer changed mentions without telling the rollup. Both sides are index-only counts."""
    pending = sa.select(sa.func.count()).select_from(MENTION).where(MENTION.c.sentiment.is_(None))
    total = sa.select(sa.func.count()).select_from(MENTION)
    summed = sa.select(sa.func.coalesce(sa.func.sum(ROLLUP.c.mentions), 0))
    return {
        "mentions": connection.execute(total).scalar_one(),
        "rollup": int(connection.execute(summed).scalar_one()),
        "pending": connection.execute(pending).scalar_one(),
        "rollup_pending": int(connection.execute(summed.where(ROLLUP.c.sentiment == "")).scalar_one()),
    }


def rows_added(connection: sa.Connection, rows: Iterable[Mapping[str, object]],
               ids: Sequence[int] | None = None) -> None:
    """Count newly inserted mentions from the rows ingest just wrote (no read back); call inside
    the inserting transaction. Rows carry created_at, brand, source, lang and maybe sentiment.
    On PostgreSQL, given their `ids`, the database counts them itself (`_count_added`)."""
    if ids is not None and connection.dialect.name == "postgresql":
        _count_added(connection, ids)
        return
    cells: Counter[Cell] = Counter(
        _cell(row["created_at"], row.get("brand"), row["source"], row.get("lang"), row.get("sentiment"))
        for row in rows)
    _upsert(connection, cells)


def _count_added(connection: sa.Connection, ids: Sequence[int]) -> None:
    """Group the new rows into hourly cells in the database, then add those to every rollup, each
    in key order (so concurrent workers lock cells in one order). Shipping 100,000 cells to and
    fro through psycopg cost more than the whole insert."""
    if not ids:
        return
    hour = _hour_expression(connection).compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    connection.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS added_cells (hour int, brand text, source text, lang text, "
        "sentiment text, mentions int) ON COMMIT DROP")
    connection.exec_driver_sql("TRUNCATE added_cells")
    connection.exec_driver_sql(
        f"INSERT INTO added_cells SELECT {hour}, coalesce(brand, ''), source, coalesce(lang, ''), "
        "coalesce(sentiment, ''), count(*) FROM mention WHERE id = ANY(%s) GROUP BY 1, 2, 3, 4, 5", (list(ids),))
    levels = [(ROLLUP, "hour", 1), (BRAND_ROLLUP, "hour", 1), *((table, column, size) for table, column, size in LEVELS)]
    for table, column, size in levels:
        rest = [name for name in KEY[1:] if name in table.c]
        unit = "hour" if size == 1 else f"floor(hour / {size}.0)::int"
        names = ", ".join([column, *rest])
        connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({names}, mentions) '
            f"SELECT {unit}, {', '.join(rest)}, sum(mentions) FROM added_cells GROUP BY 1, {', '.join(rest)} "
            f"ORDER BY 1, {', '.join(rest)} "
            f'ON CONFLICT ({names}) DO UPDATE SET mentions = "{table.name}".mentions + excluded.mentions')
