"""What the Overview and Peak hours pages show, as polars DataFrames.

Every function takes the global `Filters` and the configured time zone and reads counts through
`monitor.reports.counts.counts` (the rollup), so a page view costs a few small GROUP BYs.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.reports.counts import (
    MENTION,
    PENDING,
    WEEKDAYS,
    Filters,
    Grouping,
    _mention_where,
    counts,
    matching_mentions,
    with_slot,
    with_time,
)
from monitor.reports.spikes import SpikeRule, score_hours
from monitor.store import fulltext
from monitor.store.frames import filter_query
from monitor.store.rollups import hour_of

BUCKETS = {"hour": "1h", "day": "1d", "week": "1w"}


@dataclass(frozen=True)
class Overview:
    timeline: pl.DataFrame      # time (bucket start, local), brand, mentions
    sentiment: pl.DataFrame     # time, sentiment, mentions, share (of the bucket's mentions)
    by_source: pl.DataFrame     # source, sentiment, mentions
    by_lang: pl.DataFrame       # lang, sentiment, mentions
    by_brand: pl.DataFrame      # brand, sentiment, mentions
    spikes: pl.DataFrame        # time, brand, mentions, usual, baseline (hours that were spikes)
    total: int
    pending: int


def _bucketed(frame: pl.DataFrame, tz: str, bucket: str, by: str) -> pl.DataFrame:
    every = BUCKETS[bucket]
    return (with_time(frame, tz).group_by(pl.col("time").dt.truncate(every), by)
            .agg(pl.col("mentions").sum()).sort("time", by))


def _shares(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns((pl.col("mentions") / pl.col("mentions").sum().over("time")).alias("share"))


def overview(engine: Engine, filters: Filters, tz: str, bucket: str = "day",
             rule: SpikeRule | None = None) -> Overview:
    """Volume, sentiment share, breakdowns and spikes for the filtered period."""
    rule = rule or SpikeRule()
    history = filters.since - timedelta(weeks=rule.baseline_weeks) if filters.since else None
    found = counts(engine, filters, {
        "hourly": Grouping(("hour", "brand", "sentiment"), since=history),
        "mix": Grouping(("brand", "source", "lang", "sentiment")),
    })
    hourly, mix = found["hourly"], found["mix"]
    first = hour_of(filters.since) if filters.since else None
    shown = hourly.filter(pl.col("hour") >= first) if first is not None else hourly
    spikes = _spike_hours(hourly, tz, rule, first)
    return Overview(
        timeline=_bucketed(shown, tz, bucket, "brand"),
        sentiment=_shares(_bucketed(shown, tz, bucket, "sentiment")),
        by_source=mix.group_by("source", "sentiment").agg(pl.col("mentions").sum()).sort("source"),
        by_lang=mix.group_by("lang", "sentiment").agg(pl.col("mentions").sum()).sort("lang"),
        by_brand=mix.group_by("brand", "sentiment").agg(pl.col("mentions").sum()).sort("brand"),
        spikes=spikes,
        total=int(mix["mentions"].sum() or 0),
        pending=int(mix.filter(pl.col("sentiment") == PENDING)["mentions"].sum() or 0),
    )


def _spike_hours(hourly: pl.DataFrame, tz: str, rule: SpikeRule, first: int | None) -> pl.DataFrame:
    per_brand = hourly.group_by("brand", "hour").agg(pl.col("mentions").sum())
    if per_brand.is_empty():
        return pl.DataFrame(schema={"time": pl.Datetime("us", tz), "brand": pl.Utf8, "mentions": pl.Int64,
                                    "usual": pl.Float64, "baseline": pl.Utf8})
    low, high = int(per_brand["hour"].min()), int(per_brand["hour"].max())
    scored = score_hours(per_brand, tz, rule, low, high)
    if first is not None:
        scored = scored.filter(pl.col("hour") >= first)
    return scored.filter(pl.col("spike")).select("time", "brand", "mentions", "usual", "baseline").sort("time")


def spike_table(engine: Engine, filters: Filters, tz: str, rule: SpikeRule) -> pl.DataFrame:
    """Every brand-hour of the period with its usual level and the baseline it comes from (with
    short history a fallback: `monitor.reports.spikes`), for the Alerts page."""
    history = filters.since - timedelta(weeks=rule.baseline_weeks) if filters.since else None
    hourly = counts(engine, filters, {"h": Grouping(("hour", "brand"), since=history)})["h"]
    if hourly.is_empty():
        return score_hours(hourly, tz, rule, 0, 0)
    low, high = int(hourly["hour"].min()), int(hourly["hour"].max())
    scored = score_hours(hourly, tz, rule, low, high)
    return scored.filter(pl.col("hour") >= hour_of(filters.since)) if filters.since else scored


def weekday_hours(engine: Engine, filters: Filters, tz: str) -> pl.DataFrame:
    """All 168 local weekday × hour cells: mentions, negative ones, scored ones."""
    hourly = counts(engine, filters, {"h": Grouping(("hour", "sentiment"))})["h"]
    slots = with_slot(hourly, tz).group_by("weekday", "hour_of_day").agg(
        pl.col("mentions").sum(),
        pl.col("mentions").filter(pl.col("sentiment") == "negative").sum().alias("negative"),
        pl.col("mentions").filter(pl.col("sentiment") != PENDING).sum().alias("scored"))
    grid = pl.DataFrame({"weekday": [d for d in range(7) for _ in range(24)],
                         "hour_of_day": [h for _ in range(7) for h in range(24)]},
                        schema={"weekday": pl.Int8, "hour_of_day": pl.Int8})
    return (grid.join(slots, on=["weekday", "hour_of_day"], how="left")
            .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in ("mentions", "negative", "scored"))
            .with_columns(pl.col("weekday").map_elements(WEEKDAYS.__getitem__, return_dtype=pl.Utf8).alias("day"))
            .sort("weekday", "hour_of_day"))


def busiest_slots(cells: pl.DataFrame, count: int = 5, column: str = "mentions") -> list[str]:
    """The busiest cells in words, by `column`: "Thursday 19–20h: 412 mentions, 61% negative", or
    with column="negative" (complaints), "Thursday 19–20h: 251 complaints, 61% of 412 mentions"."""
    lines = []
    ranked = cells.filter(pl.col(column) > 0).sort(column, "weekday", "hour_of_day", descending=[True, False, False])
    for row in ranked.head(count).iter_rows(named=True):
        hour = row["hour_of_day"]
        share = (f"{round(100 * row['negative'] / row['scored'])}% negative" if row["scored"]
                 else "sentiment scoring pending")
        noun = "mention" if row["mentions"] == 1 else "mentions"
        if column == "negative":
            complaints = "complaint" if row["negative"] == 1 else "complaints"
            text = f"{row['negative']:,} {complaints}, {share.replace(' negative', '')} of {row['scored']:,} scored"
        else:
            text = f"{row['mentions']:,} {noun}, {share}"
        lines.append(f"{WEEKDAYS[row['weekday']]} {hour}–{hour + 1}h: {text}")
    return lines


def compare_periods(engine: Engine, filters: Filters, tz: str, first: tuple[datetime, datetime],
                    second: tuple[datetime, datetime], column: str = "mentions") -> pl.DataFrame:
    """Per week in each weekday × hour cell for two periods, and the change: mentions, or with
    column="negative" complaints (the Peak hours toggle)."""
    frames = []
    for name, (since, until) in (("first", first), ("second", second)):
        weeks = max((until - since) / timedelta(weeks=1), 1 / 7)
        cells = weekday_hours(engine, replace(filters, since=since, until=until), tz)
        frames.append(cells.select("weekday", "hour_of_day", "day",
                                   (pl.col(column) / weeks).alias(f"{name}_per_week")))
    both = frames[0].join(frames[1], on=["weekday", "hour_of_day", "day"])
    return both.with_columns((pl.col("second_per_week") - pl.col("first_per_week")).alias("change"))


AUTHOR_COLUMNS = ("source", "author_handle", "author_name", "author_followers")


REACH_WALK = 50_000


def _reached(connection: sa.Connection, filters: Filters, limit: int) -> pl.DataFrame:
    """Mention rows of the most-followed authors. First among the `REACH_WALK` most-followed
    rows (a bounded walk down the followers index): if that finds `limit` authors the answer is
    exact, since everyone else has fewer followers. Else (narrow filters) the period is read by
    date, which costs more but is bounded by the period."""
    followers = MENTION.c.author_followers
    floor = connection.execute(sa.select(followers).where(followers.isnot(None)).order_by(followers.desc())
                               .offset(REACH_WALK).limit(1)).scalar()
    schema = {"source": pl.Utf8, "author_handle": pl.Utf8, "author_name": pl.Utf8, "author_followers": pl.Int64}
    attempts = [(followers >= floor, frozenset(), limit * 20)] if floor is not None else []
    attempts.append((followers.isnot(None), frozenset({"created_at"}), None))
    for condition, indexed, rows_wanted in attempts:
        statement = _mention_where(sa.select(*(MENTION.c[c] for c in AUTHOR_COLUMNS)).where(condition), filters,
                                   filters.since, filters.until, indexed=indexed)
        statement = statement.order_by(followers.desc()).limit(rows_wanted)
        found = pl.DataFrame(connection.execute(statement).all(), schema=schema, orient="row")
        if found.select("source", "author_handle").n_unique() >= limit:
            break
    return found


def top_authors(engine: Engine, filters: Filters, limit: int = 10) -> pl.DataFrame:
    """The most-followed authors of the period and how often they wrote (names are untrusted text)."""
    with engine.connect() as connection:
        if filters.query:
            found = matching_mentions(connection, filters, filters.since, filters.until,
                                      extra=("author_name", "author_followers"))
            found = found.filter(pl.col("author_followers").is_not_null())
        else:
            found = _reached(connection, filters, limit)
        top = (found.group_by("source", "author_handle")
               .agg(pl.col("author_name").last(), pl.col("author_followers").max())
               .sort("author_followers", "author_handle", descending=[True, False]).head(limit))
        return top.with_columns(pl.Series("mentions", _mention_counts(connection, filters, top), dtype=pl.Int64))


def _mention_counts(connection: sa.Connection, filters: Filters, authors: pl.DataFrame) -> list[int]:
    """How many of the period's mentions each author wrote (uses the (source, author) index)."""
    numbers = []
    for source, handle in authors.select("source", "author_handle").iter_rows():
        statement = sa.select(sa.func.count()).select_from(MENTION).where(
            MENTION.c.source == source, MENTION.c.author_handle == handle)
        numbers.append(connection.execute(_mention_where(statement, replace(filters, query=""), filters.since,
                                                         filters.until)).scalar_one())
    return numbers


LATEST_COLUMNS = ("created_at", "source", "brand", "lang", "sentiment", "author_handle", "text", "url")


def latest_mentions(engine: Engine, filters: Filters, limit: int = 50, scan: int = 5_000) -> pl.DataFrame:
    """The newest mentions passing the filters. With a text query they are matched among the newest
    `scan` mentions of the period; when those hold fewer than `limit` matches, on SQLite, among the
    newest `scan` candidates of the full-text index instead (mentions holding the query's words),
    so a rare query still fills the list. A common query never pays for the index: its candidates
    would be many, the newest mentions already enough."""
    statement = sa.select(*(MENTION.c[c] for c in LATEST_COLUMNS)).order_by(MENTION.c.created_at.desc())
    statement = _mention_where(statement, filters, filters.since, filters.until).limit(scan if filters.query else limit)
    schema = {name: pl.Utf8 for name in LATEST_COLUMNS} | {"created_at": pl.Datetime("us", "UTC")}
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
        frame = _latest_frame(rows, schema, filters.query)
        if filters.query and len(rows) == scan and frame.height < limit:
            found = fulltext.fetch_candidates(connection, statement, filters.query, MENTION.c.id)
            if found is not None:
                frame = _latest_frame(found[1], schema, filters.query)
    return frame.head(limit).with_columns(pl.col("sentiment").fill_null(PENDING))


def _latest_frame(rows: list[sa.Row], schema: dict[str, pl.DataType], query: str) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return filter_query(frame, query) if query else frame


def source_volume(engine: Engine, filters: Filters, tz: str) -> pl.DataFrame:
    """Mentions per source per day over the filtered period (for the Sources page)."""
    daily = counts(engine, filters, {"d": Grouping(("hour", "source"))})["d"]
    return _bucketed(daily, tz, "day", "source")
