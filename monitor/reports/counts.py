"""The dashboard's read side: global filters in, small polars DataFrames out.

Counts come from the hourly rollup (`monitor.store.rollups`) grouped in the database, so a page reads a
few thousand cells whatever the number of mentions. A text query (the query language) cannot be
pre-counted: then the mentions of the chosen period are read and matched in polars, which is the
one slow path (it scales with the period, not with the whole database). On SQLite the full-text
index (`monitor.store.fulltext`) first narrows the period to the mentions that may match.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.store import fulltext, schema
from monitor.store.frames import filter_query
from monitor.store.rollups import KEY, hour_of, pieces

log = logging.getLogger(__name__)
ROLLUP = schema.MentionRollupRow.__table__
BRAND_ROLLUP = schema.BrandRollupRow.__table__
MENTION = schema.MentionRow.__table__
PENDING = "scoring pending"
NO_BRAND = "(no brand)"
UNKNOWN_LANG = "unknown"
SENTIMENTS = ("negative", "neutral", "positive", PENDING)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_BLANKS = {"brand": NO_BRAND, "lang": UNKNOWN_LANG, "sentiment": PENDING}
_COUNT_SCHEMA = {"hour": pl.Int64, "brand": pl.Utf8, "source": pl.Utf8, "lang": pl.Utf8, "sentiment": pl.Utf8}


@dataclass(frozen=True)
class Filters:
    """What every page honours. Empty tuples mean "all"; times are UTC, `until` exclusive.

    `sentiments` uses the page labels, so "scoring pending" selects mentions not scored yet.
    """

    since: datetime | None = None
    until: datetime | None = None
    brands: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    query: str = ""


@dataclass(frozen=True)
class Grouping:
    """One count the page wants: these columns, over this period (default: the filters')."""

    by: tuple[str, ...]
    since: datetime | None = None
    until: datetime | None = None


def _stored(column: str, values: Sequence[str]) -> list[str]:
    """Page labels back to what the rollup stores ("" for blanks)."""
    blank = _BLANKS.get(column)
    return ["" if value == blank else value for value in values]


def _rollup_for(filters: Filters, by: Sequence[str]) -> sa.Table:
    """The narrow hour × brand × sentiment rollup when neither source nor language is needed."""
    needs_full = filters.sources or filters.langs or {"source", "lang"} & set(by)
    return ROLLUP if needs_full else BRAND_ROLLUP


def _rollup_where(statement: sa.Select, table: sa.Table, filters: Filters, low: int | None,
                  high: int | None, column: str = "hour") -> sa.Select:
    """The filters on a rollup table, `low <= column < high` in that table's time unit."""
    if low is not None:
        statement = statement.where(table.c[column] >= low)
    if high is not None:
        statement = statement.where(table.c[column] < high)
    for name, values in (("brand", filters.brands), ("source", filters.sources), ("lang", filters.langs),
                         ("sentiment", filters.sentiments)):
        if values:
            statement = statement.where(table.c[name].in_(_stored(name, values)))
    return statement


def _labelled(frame: pl.DataFrame) -> pl.DataFrame:
    """Blanks as words a person reads: "scoring pending", "(no brand)", "unknown"."""
    return frame.with_columns(
        pl.when(pl.col(column) == "").then(pl.lit(label)).otherwise(pl.col(column)).alias(column)
        for column, label in _BLANKS.items() if column in frame.columns)


def _rollup_counts(connection: sa.Connection, filters: Filters, grouping: Grouping) -> pl.DataFrame:
    """Counts from the rollups. Whole hours of the period count; without "hour" in the grouping the
    period is read as whole weeks, whole days and edge hours (`rollups.pieces`), so a long period
    costs a few cells per week rather than one per hour."""
    first = hour_of(grouping.since) if grouping.since is not None else None
    end = hour_of(grouping.until - timedelta(microseconds=1)) + 1 if grouping.until is not None else None
    parts = pieces(first, end) if "hour" not in grouping.by else [(None, "hour", first, end)]
    dtypes = {name: _COUNT_SCHEMA[name] for name in grouping.by} | {"mentions": pl.Int64}
    rows: list = []
    for table, column, low, high in parts:
        table = _rollup_for(filters, grouping.by) if table is None else table
        columns = [table.c[name] for name in grouping.by]
        statement = sa.select(*columns, sa.func.sum(table.c.mentions).label("mentions"))
        statement = _rollup_where(statement, table, filters, low, high, column)
        if columns:
            statement = statement.group_by(*columns)
        rows += connection.execute(statement).all()
    frame = pl.DataFrame(rows, schema=dtypes, orient="row") if rows else pl.DataFrame(schema=dtypes)
    frame = frame.filter(pl.col("mentions").is_not_null())
    if len(parts) > 1:
        frame = (frame.group_by(list(grouping.by)).agg(pl.col("mentions").sum()) if grouping.by
                 else frame.select(pl.col("mentions").sum()))
    return _labelled(frame.filter(pl.col("mentions") > 0))


def _epoch_seconds(connection: sa.Connection) -> sa.ColumnElement[int]:
    if connection.dialect.name == "postgresql":
        return sa.cast(sa.extract("epoch", MENTION.c.created_at), sa.BigInteger)
    return sa.cast(sa.func.strftime("%s", MENTION.c.created_at), sa.Integer)


def _mention_where(statement: sa.Select, filters: Filters, since: datetime | None, until: datetime | None,
                   *, indexed: frozenset[str] | None = None) -> sa.Select:
    """The filters as WHERE clauses on `mention`. Columns left out of `indexed` (default: all in)
    are hidden from the planner (coalesce(x, x) is x, but no index matches it), for when walking
    another index in order is cheaper than what the planner would pick."""
    def column(name: str) -> sa.ColumnElement:
        if indexed is None or name in indexed:
            return MENTION.c[name]
        return sa.func.coalesce(MENTION.c[name], MENTION.c[name])

    if since is not None:
        statement = statement.where(column("created_at") >= since)
    if until is not None:
        statement = statement.where(column("created_at") < until)
    for name, values in (("brand", filters.brands), ("source", filters.sources), ("lang", filters.langs),
                         ("sentiment", filters.sentiments)):
        if values:
            stored = _stored(name, values)
            condition = column(name).in_([v for v in stored if v])
            if "" in stored:
                condition = sa.or_(condition, MENTION.c[name].is_(None))
            statement = statement.where(condition)
    return statement


def matching_mentions(connection: sa.Connection, filters: Filters, since: datetime | None,
                      until: datetime | None, extra: Sequence[str] = ()) -> pl.DataFrame:
    """Mentions of the period that pass every filter, the text query included: read (on SQLite only
    the full-text index's candidates), then matched exactly."""
    columns = [_epoch_seconds(connection).label("epoch"), MENTION.c.brand, MENTION.c.source, MENTION.c.lang,
               MENTION.c.sentiment, MENTION.c.text, MENTION.c.author_handle, *(MENTION.c[name] for name in extra)]
    statement = _mention_where(sa.select(*columns), filters, since, until)
    names, rows = fulltext.fetch(connection, statement, filters.query, MENTION.c.id)
    dtypes = {name: pl.Utf8 for name in names} | {"epoch": pl.Int64}
    dtypes |= {name: pl.Int64 for name in extra if name in ("id", "author_followers")}
    frame = pl.DataFrame(rows, schema=dtypes, orient="row") if rows else pl.DataFrame(schema=dtypes)
    return filter_query(frame, filters.query) if filters.query else frame


def _group_raw(frame: pl.DataFrame, grouping: Grouping) -> pl.DataFrame:
    if grouping.since is not None:
        frame = frame.filter(pl.col("epoch") >= int(grouping.since.timestamp()))
    if grouping.until is not None:
        frame = frame.filter(pl.col("epoch") < int(grouping.until.timestamp()))
    frame = frame.with_columns((pl.col("epoch") // 3600).alias("hour"),
                               *(pl.col(c).fill_null("") for c in ("brand", "lang", "sentiment")))
    by = list(grouping.by)
    counted = frame.group_by(by).len("mentions") if by else frame.select(pl.len().alias("mentions"))
    return _labelled(counted.with_columns(pl.col("mentions").cast(pl.Int64)))


def counts(engine: Engine, filters: Filters, groupings: Mapping[str, Grouping]) -> dict[str, pl.DataFrame]:
    """Mention counts for each named grouping, from the rollup (or, with a text query, from the
    matching mentions, read once for all groupings)."""
    groupings = {name: replace(g, since=g.since or filters.since, until=g.until or filters.until)
                 for name, g in groupings.items()}
    for grouping in groupings.values():
        unknown = set(grouping.by) - set(KEY)
        if unknown:
            raise ValueError(f"cannot count by {sorted(unknown)}; expected some of {KEY}")
    with engine.connect() as connection:
        if not filters.query:
            return {name: _rollup_counts(connection, filters, g) for name, g in groupings.items()}
        since = min((g.since for g in groupings.values() if g.since), default=None)
        until = max((g.until for g in groupings.values() if g.until), default=None)
        if any(g.since is None for g in groupings.values()):
            since = None
        frame = matching_mentions(connection, filters, since, until)
    return {name: _group_raw(frame, g) for name, g in groupings.items()}


def with_time(frame: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Add `time` (the hour's start in `tz`) to a frame with an `hour` column."""
    return frame.with_columns(
        pl.from_epoch(pl.col("hour") * 3600, time_unit="s").dt.replace_time_zone("UTC")
        .dt.convert_time_zone(tz).alias("time"))


def with_slot(frame: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Add local `weekday` (Monday = 0) and `hour_of_day` to a frame with an `hour` column."""
    timed = with_time(frame, tz)
    return timed.with_columns((pl.col("time").dt.weekday() - 1).cast(pl.Int8).alias("weekday"),
                              pl.col("time").dt.hour().cast(pl.Int8).alias("hour_of_day"))


def whole_hour_zone(tz: str) -> bool:
    """True when `tz` is a whole number of hours from UTC (then UTC hours map onto local hours)."""
    zone = ZoneInfo(tz)
    year = datetime.now(timezone.utc).year
    moments = [datetime(y, m, 1, tzinfo=timezone.utc) for y in (year - 1, year) for m in (1, 4, 7, 10)]
    return all(zone.utcoffset(moment).total_seconds() % 3600 == 0 for moment in moments)


def data_span(engine: Engine) -> tuple[datetime, datetime] | None:
    """First and last hour holding a mention (reads two ends of the rollup's key)."""
    with engine.connect() as connection:  # two queries: each is one index seek
        low = connection.execute(sa.select(sa.func.min(BRAND_ROLLUP.c.hour))).scalar()
        high = connection.execute(sa.select(sa.func.max(BRAND_ROLLUP.c.hour))).scalar()
    if low is None:
        return None
    start = datetime.fromtimestamp(low * 3600, timezone.utc)
    return start, datetime.fromtimestamp((high + 1) * 3600, timezone.utc)


def distinct_values(connection: sa.Connection, column: str) -> list[str | None]:
    """The distinct values of an indexed `mention` column, one index seek per value (a recursive
    query: "the smallest value above the last one"), instead of reading every row."""
    if column not in ("brand", "source", "lang", "sentiment"):
        raise ValueError(f"no index to list {column!r} from")
    found = connection.execute(sa.text(
        f"WITH RECURSIVE seen(v) AS (SELECT min({column}) FROM mention UNION ALL "
        f"SELECT (SELECT min({column}) FROM mention WHERE {column} > seen.v) FROM seen WHERE seen.v IS NOT NULL) "
        "SELECT v FROM seen WHERE v IS NOT NULL")).scalars().all()
    has_null = connection.execute(sa.select(MENTION.c.id).where(MENTION.c[column].is_(None)).limit(1)).first()
    return [*found, *([None] if has_null else [])]


def filter_options(engine: Engine) -> dict[str, list[str]]:
    """The brands, sources and languages that occur, for the filter widgets."""
    options: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for column in ("brand", "source", "lang"):
            values = distinct_values(connection, column)
            options[column] = sorted(_BLANKS.get(column, "") if value is None else value for value in values)
    options["sentiment"] = list(SENTIMENTS)
    return options


def default_filters(engine: Engine, weeks: int = 8) -> Filters:
    """The last `weeks` weeks up to the newest mention (not up to now: imported history is old)."""
    span = data_span(engine)
    if span is None:
        return Filters()
    start, end = span
    return Filters(since=max(start, end - timedelta(weeks=weeks)), until=end)
