"""Dashboard queries at 1,000,000 mentions in SQLite or PostgreSQL: each page's queries against the naive way.

    python benchmarks/dashboard.py [--mentions 1000000] [--weeks 52] [--db PATH|postgresql://...] [--rebuild]

Builds (once, then reuses) a SQLite database (or fills the PostgreSQL one: its tables are emptied
first, rows go in by COPY, then VACUUM ANALYZE) of realistic mentions: texts, brands, languages and
authors drawn from the demo generator, times with the demo's weekly rhythm, 85% scored. Rows go in
with one bulk `executemany`, then the rollup is recounted with one GROUP BY (what the 0002
migration does for an existing database). Then, for every page, it times the functions the page
calls (median of 3 warm runs; the page's default period: the last 8 weeks) beside the naive way:
read every row the page needs into pandas and aggregate there.
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.alerts.settings import SpikeRule  # noqa: E402
from monitor.config import build  # noqa: E402
from monitor.demo.generator import DAY_WEIGHTS, HOUR_WEIGHTS, generate  # noqa: E402
from monitor.jobs.collect import health  # noqa: E402
from monitor.reports import overview, staffing, themes
from monitor.reports.counts import default_filters  # noqa: E402
from monitor.store import (
    fulltext,
    rollups,  # noqa: E402
)
from monitor.store.bulk_pg import copy_rows  # noqa: E402
from monitor.store.engine import make_engine, upgrade  # noqa: E402

TZ = "Europe/Warsaw"
END = datetime(2026, 11, 20, tzinfo=timezone.utc)
SOURCES = ["x", "reddit", "mastodon", "bluesky", "rss", "hackernews", "discourse", "youtube"]
COLUMNS = ("source", "source_name", "external_id", "url", "author_handle", "author_name", "author_followers", "text",
           "lang", "created_at", "collected_at", "brand", "matched", "sentiment", "status")


def _times(rng: np.random.Generator, count: int, weeks: int) -> np.ndarray:
    """Epoch seconds with the demo's weekday and hour rhythm (Warsaw is about UTC+1)."""
    weights = np.outer(DAY_WEIGHTS, HOUR_WEIGHTS).ravel()
    slots = rng.choice(168, size=count, p=weights / weights.sum())
    week = rng.integers(0, weeks, size=count)
    start = int((END - timedelta(weeks=weeks)).timestamp()) // 604800 * 604800 + 4 * 86400 - 3600  # a Monday
    return start + week * 604800 + slots * 3600 + rng.integers(0, 3600, size=count)


def _rows(count: int, weeks: int, seed: int = 5, ordered: bool = True):
    rng = np.random.default_rng(seed)
    pool = generate(seed=seed, mentions=20_000, weeks=8, end=END).mentions
    picks = rng.integers(0, len(pool), size=count)
    # Mentions arrive in time order (collectors poll forward, archives are chronological), so
    # the database is written in time order: created_at and row order agree, as in real use.
    times = np.sort(_times(rng, count, weeks)) if ordered else _times(rng, count, weeks)
    sources = rng.choice(SOURCES, size=count, p=[0.3, 0.12, 0.09, 0.1, 0.12, 0.03, 0.09, 0.15])
    labels = rng.choice(["negative", "neutral", "positive", ""], size=count, p=[0.34, 0.26, 0.25, 0.15])
    for index in range(count):
        mention = pool[picks[index]]
        created = datetime.fromtimestamp(int(times[index]), timezone.utc)
        stamp = created.strftime("%Y-%m-%d %H:%M:%S.000000")
        yield (str(sources[index]), str(sources[index]), f"b{index}", mention.url, mention.author.handle,
               mention.author.name, mention.author.followers, mention.text, mention.lang, stamp, stamp,
               mention.brand, "[]", str(labels[index]) or None, "open")


def build_postgres(url: str, count: int, weeks: int, ordered: bool = True) -> None:
    """The same rows into PostgreSQL: emptied tables, COPY in chunks, then the same recounts."""
    from sqlmodel import SQLModel

    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    with engine.begin() as connection:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        fulltext.drop(connection)  # rebuilt below: one GIN build instead of a million inserts
    rows = _rows(count, weeks, ordered=ordered)
    while chunk := [row for _, row in zip(range(50_000), rows)]:
        with engine.begin() as connection:
            copy_rows(connection, "mention", COLUMNS, chunk)
    print(f"inserted {count:,} mentions in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    _recount(engine)
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    print(f"vacuum analyze in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    engine.dispose()


def _recount(engine) -> None:
    started = time.perf_counter()
    with engine.begin() as connection:
        cells = rollups.rebuild(connection)
    print(f"rollup: {cells:,} cells in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    with engine.begin() as connection:
        indexed = fulltext.rebuild(connection)
    print(f"search index: {indexed:,} mentions in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def build_database(path: Path, count: int, weeks: int, ordered: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    statement = f"INSERT INTO mention ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    rows = _rows(count, weeks, ordered=ordered)
    while chunk := [row for _, row in zip(range(50_000), rows)]:
        connection.executemany(statement, chunk)
        connection.commit()
    connection.close()
    print(f"inserted {count:,} mentions in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    engine = make_engine(f"sqlite:///{path}")
    _recount(engine)
    engine.dispose()


def timed(function, runs: int = 3) -> float:
    function()  # warm: SQLite's page cache, polars' and SQLAlchemy's compiled statements
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def naive(engine, sql: str, aggregate) -> float:
    """Read every row the page needs into pandas and aggregate there (one run: it is slow)."""
    started = time.perf_counter()
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            frame = pd.read_sql(sql, connection.connection.driver_connection, parse_dates=["created_at"])
        else:
            frame = pd.read_sql(sa.text(sql), connection, parse_dates=["created_at"])
    aggregate(frame)
    return time.perf_counter() - started


def _by_hour(frame: pd.DataFrame) -> pd.DataFrame:
    local = frame["created_at"].dt.tz_localize("UTC").dt.tz_convert(TZ)
    return frame.groupby([local.dt.day_of_week, local.dt.hour, frame.get("sentiment", local.dt.hour)]).size()


def pages(engine, config) -> dict:
    """Each page's own calls, with the page's defaults."""
    filters = default_filters(engine)
    half = filters.since + (filters.until - filters.since) / 2
    rule, inputs = SpikeRule(), staffing.StaffingInputs()
    return {
        "Overview": lambda: (overview.overview(engine, filters, TZ, "day", rule), overview.top_authors(engine, filters),
                             overview.latest_mentions(engine, filters)),
        "Peak hours": lambda: (overview.weekday_hours(engine, filters, TZ),
                               overview.compare_periods(engine, filters, TZ, (filters.since, half), (half, filters.until))),
        "Staffing": lambda: staffing.plan(staffing.weekly_volume(engine, filters, TZ, 4), inputs),
        "Complaint themes (query only)": lambda: themes.negative_sample(engine, filters, 400),
        "Sources": lambda: (health(engine, config), overview.source_volume(engine, filters, TZ)),
        "Alerts": lambda: overview.spike_table(engine, filters, TZ, rule),
        "Overview, all time": lambda: overview.overview(engine, replace(filters, since=None), TZ, "week", rule),
        "Top authors, 4 narrow filters": lambda: overview.top_authors(
            engine, replace(filters, brands=("Kawka",), sources=("x",), langs=("de",), sentiments=("positive",))),
        "Overview, text query": lambda: overview.overview(engine, replace(filters, query='"nie działa" OR delivery*'),
                                                        TZ, "day", rule),
    }


NAIVE = {
    "Overview": ("SELECT created_at, brand, source, lang, sentiment, author_handle, author_name, author_followers, "
                 "text FROM mention",
                 lambda f: (f.groupby([f["created_at"].dt.floor("D"), "brand"]).size(),
                            f.groupby(["source", "lang", "brand", "sentiment"], dropna=False).size(),
                            f.nlargest(10, "author_followers"), f.nlargest(50, "created_at"))),
    "Peak hours": ("SELECT created_at, sentiment FROM mention", _by_hour),
    "Staffing": ("SELECT created_at FROM mention", _by_hour),
    "Complaint themes (query only)": ("SELECT created_at, text, sentiment FROM mention",
                                      lambda f: f[f["sentiment"] == "negative"].nlargest(400, "created_at")),
    "Sources": ("SELECT created_at, source, source_name, collected_at FROM mention",
                lambda f: f.groupby([f["created_at"].dt.floor("D"), "source"]).size()),
    "Alerts": ("SELECT created_at, brand FROM mention",
               lambda f: f.groupby([f["created_at"].dt.floor("h"), "brand"]).size()),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--db", default=None, help="a SQLite path or a PostgreSQL URL; default "
                        ".bench/dashboard.db (.bench/dashboard-shuffled.db with --shuffled)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--shuffled", action="store_true",
                        help="write the rows in random time order (the worst case for period reads)")
    args = parser.parse_args()
    postgres = bool(args.db and args.db.startswith("postgres"))
    if not postgres:
        args.db = Path(args.db or (".bench/dashboard-shuffled.db" if args.shuffled else ".bench/dashboard.db"))
    url = args.db if postgres else f"sqlite:///{args.db}"
    engine = make_engine(url)
    fresh = args.rebuild or not (postgres or args.db.exists())
    if not fresh:
        upgrade(engine)  # an older benchmark database gets the newer tables (and their backfill)
        with engine.connect() as connection:
            fresh = rollups.drift(connection)["mentions"] != args.mentions
        if not fresh:
            with engine.begin() as connection:  # written before the index existed
                if not fulltext.consistent(connection):
                    fulltext.rebuild(connection)
    if fresh:
        engine.dispose()
        if postgres:
            build_postgres(url, args.mentions, args.weeks, ordered=not args.shuffled)
        else:
            build_database(args.db, args.mentions, args.weeks, ordered=not args.shuffled)
        engine = make_engine(url)
    config = build({"sources": [{"type": s, "name": s} for s in ("hackernews",)]})
    order = "random time order" if args.shuffled else "time order"
    print(f"{args.mentions:,} mentions over {args.weeks} weeks in {engine.dialect.name}, written in {order}; "
          "default period: the last 8 weeks")
    print(f"{'page':<32}{'ours (s)':>10}{'naive (s)':>11}{'speed-up':>10}")
    for name, function in pages(engine, config).items():
        ours = timed(function)
        if name in NAIVE:
            slow = naive(engine, *NAIVE[name])
            print(f"{name:<32}{ours:>10.3f}{slow:>11.2f}{slow / ours:>9.0f}×")
        else:
            print(f"{name:<32}{ours:>10.3f}{'':>11}")
    engine.dispose()


if __name__ == "__main__":
    main()
