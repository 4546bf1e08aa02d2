"""Ingest throughput into SQLite: ours (dedupe + query matching + threads) beside a naive baseline
(one ORM add + commit per row) and the ceiling (a bare bulk insert of the same rows, no matching,
no dedupe), on the same machine in the same run. Prints mentions/s for each."""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlmodel import Session

from monitor.demo.brands import DEMO_BRANDS
from monitor.demo.generator import generate
from monitor.query.parser import BrandMatcher
from monitor.store import schema
from monitor.store.engine import make_engine, upgrade
from monitor.store.ingest import _driver_rows, batched, ingest


def fresh_engine(folder: Path, name: str):
    engine = make_engine(f"sqlite:///{folder / name}.db")
    upgrade(engine)
    return engine


def bare_rows(mentions) -> list[dict]:
    now = datetime.now(timezone.utc)
    return [{"source": m.source, "external_id": m.external_id, "url": m.url, "author_handle": m.author.handle,
             "author_name": m.author.name, "author_followers": m.author.followers, "text": m.text,
             "lang": m.lang, "created_at": m.created_at, "collected_at": now, "brand": m.brand, "matched": [],
             "status": "open"} for m in mentions]


def naive(engine, mentions) -> float:
    start = time.perf_counter()
    for row in bare_rows(mentions):
        with Session(engine) as session:
            session.add(schema.MentionRow(**row))
            session.commit()
    return len(mentions) / (time.perf_counter() - start)


def ceiling(engine, mentions) -> float:
    """The same rows straight into the driver's executemany: no matching, no dedupe, no threads."""
    start = time.perf_counter()
    rows = bare_rows(mentions)
    table = schema.MentionRow.__table__
    names = list(rows[0])
    sql = f'INSERT INTO mention ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
    for chunk in batched(rows, 50_000):
        values = _driver_rows(table, {name: [row[name] for row in chunk] for name in names}, "sqlite")
        with engine.begin() as connection:
            connection.exec_driver_sql(sql, values)
    return len(mentions) / (time.perf_counter() - start)


def driver_floor(engine, mentions, drop_indexes: bool = False) -> float:
    """Only the database's share: rows already converted to driver tuples, one `executemany` per
    50,000 straight on the sqlite3 cursor. With `drop_indexes`, into a copy of the table with no
    constraint and no index, which is what a plain "bulk insert" probe measures."""
    rows = bare_rows(mentions)
    names = list(rows[0])
    values = _driver_rows(schema.MentionRow.__table__, {name: [row[name] for row in rows] for name in names}, "sqlite")
    sql = f'INSERT INTO mention ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if drop_indexes:
            cursor.execute("CREATE TABLE bare AS SELECT * FROM mention WHERE 0")
            sql = sql.replace("INTO mention", "INTO bare")
        start = time.perf_counter()
        for chunk in batched(values, 50_000):
            cursor.executemany(sql, chunk)
            raw.commit()
        return len(mentions) / (time.perf_counter() - start)
    finally:
        raw.close()


def ours(engine, mentions) -> tuple[float, int]:
    matcher = BrandMatcher(DEMO_BRANDS)
    start = time.perf_counter()
    result = ingest(engine, mentions, matcher)
    return len(mentions) / (time.perf_counter() - start), result.inserted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--naive-sample", type=int, default=5_000, help="rows for the slow baseline")
    args = parser.parse_args()
    started = time.perf_counter()
    mentions = generate(seed=11, mentions=args.mentions).mentions
    print(f"generated {len(mentions):,} mentions in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        naive_rate = naive(fresh_engine(folder, "naive"), mentions[: args.naive_sample])
        ceiling_rate = ceiling(fresh_engine(folder, "ceiling"), mentions)
        floor_rate = driver_floor(fresh_engine(folder, "floor"), mentions)
        bare_rate = driver_floor(fresh_engine(folder, "bare"), mentions, drop_indexes=True)
        engine = fresh_engine(folder, "ours")
        ours_rate, inserted = ours(engine, mentions)
        rerun_rate, _ = ours(engine, mentions)
    print(f"naive (ORM add + commit per row, {args.naive_sample:,} rows): {naive_rate:>10,.0f} mentions/s")
    print(f"ceiling (bare bulk insert, no matching, no dedupe):   {ceiling_rate:>10,.0f} mentions/s")
    print(f"  of which the database alone (prepared tuples, the table's 6 indexes): {floor_rate:>10,.0f} rows/s")
    print(f"  the same into a copy without indexes (a plain bulk-insert probe): {bare_rate:>10,.0f} rows/s")
    print(f"ours (dedupe + brand queries + threads), first load:  {ours_rate:>10,.0f} mentions/s ({inserted:,} stored)")
    print(f"ours, same {len(mentions):,} again (all duplicates):       {rerun_rate:>10,.0f} mentions/s")


if __name__ == "__main__":
    main()
