"""Ingest throughput into SQLite and PostgreSQL in the same run: ours (dedupe + query matching +
threads + rollups + full-text index, one transaction per batch) beside a naive baseline (one ORM
add + commit per row) and the same rows bare into the same table (no matching, no dedupe, no
threads, no rollups, no index rows: SQLite's driver `executemany`, PostgreSQL's `COPY`).

    python benchmarks/ingest.py [--mentions 200000] [--db postgresql://...] [--only sqlite|postgresql]

Without `--db` a throwaway PostgreSQL server is started on 127.0.0.1 (Debian's `postgresql`
package, as the tests do); with it, the tables of that database are emptied before each run.
Prints mentions/s for each.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlmodel import Session, SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.demo.brands import DEMO_BRANDS  # noqa: E402
from monitor.demo.generator import generate  # noqa: E402
from monitor.query.parser import BrandMatcher  # noqa: E402
from monitor.store import bulk_pg, schema  # noqa: E402
from monitor.store.engine import make_engine, upgrade  # noqa: E402
from monitor.store.ingest import _driver_rows, batched, ingest  # noqa: E402


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


def bare(engine, mentions, binary: bool = True) -> float:
    """The same rows straight into the table with the driver's bulk path, 50,000 per transaction
    (PostgreSQL: binary COPY, or text COPY with `binary=False`)."""
    start = time.perf_counter()
    rows = bare_rows(mentions)
    table, names = schema.MentionRow.__table__, list(rows[0])
    dialect = engine.dialect.name
    for chunk in batched(rows, 50_000):
        values = _driver_rows(table, {name: [row[name] for row in chunk] for name in names}, dialect)
        with engine.begin() as connection:
            if dialect == "postgresql":
                types = bulk_pg.copy_types(connection, table.name, names) if binary else None
                bulk_pg.copy_rows(connection, table.name, names, values, types)
            else:
                sql = f'INSERT INTO mention ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
                connection.exec_driver_sql(sql, values)
    return len(mentions) / (time.perf_counter() - start)


def ours(engine, mentions) -> tuple[float, int]:
    matcher = BrandMatcher(DEMO_BRANDS)
    start = time.perf_counter()
    result = ingest(engine, mentions, matcher)
    return len(mentions) / (time.perf_counter() - start), result.inserted


class Databases:
    """Fresh, migrated databases of one kind, one per run."""

    def __init__(self, kind: str, url: str | None, folder: Path) -> None:
        self.kind, self.url, self.folder, self.server = kind, url, folder, None
        if kind == "postgresql" and url is None:
            from tests.pg import LocalPostgres

            self.server = LocalPostgres()
            self.url = self.server.start()

    def fresh(self, name: str):
        if self.kind == "sqlite":
            engine = make_engine(f"sqlite:///{self.folder / name}.db")
            upgrade(engine)
            return engine
        engine = make_engine(self.url)
        upgrade(engine)
        with engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return engine

    def close(self) -> None:
        if self.server:
            self.server.stop()


def run(kind: str, url: str | None, mentions, naive_sample: int, folder: Path) -> None:
    databases = Databases(kind, url, folder)
    try:
        naive_rate = naive(databases.fresh("naive"), mentions[:naive_sample])
        bare_rate = bare(databases.fresh("bare"), mentions)
        text_rate = bare(databases.fresh("bare_text"), mentions, binary=False) if kind == "postgresql" else None
        engine = databases.fresh("ours")
        ours_rate, inserted = ours(engine, mentions)
        rerun_rate, _ = ours(engine, mentions)
        engine.dispose()
    finally:
        databases.close()
    print(f"{kind}:")
    print(f"  naive (ORM add + commit per row, {naive_sample:,} rows): {naive_rate:>10,.0f} mentions/s")
    print(f"  bare (same rows into the same table, driver bulk path):  {bare_rate:>10,.0f} mentions/s")
    if text_rate is not None:
        print(f"  bare, text COPY (what ingest wrote before binary COPY):  {text_rate:>10,.0f} mentions/s")
    print(f"  ours (dedupe + queries + threads + rollups + index):     {ours_rate:>10,.0f} mentions/s "
          f"({inserted:,} stored)")
    print(f"  ours, the same {len(mentions):,} again (all duplicates):     {rerun_rate:>10,.0f} mentions/s",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--naive-sample", type=int, default=5_000, help="rows for the slow baseline")
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (its tables are emptied)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    mentions = generate(seed=11, mentions=args.mentions).mentions
    print(f"generated {len(mentions):,} mentions in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("sqlite", "postgresql"):
            if args.only in (None, kind):
                run(kind, args.db if kind == "postgresql" else None, mentions, args.naive_sample, Path(folder))


if __name__ == "__main__":
    main()
