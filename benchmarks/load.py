"""Load: 1,000,000 mentions stored, the collector path ingesting 500 mentions/s, and the dashboard
queried at the same time. Reports ingest lag and each page's query times under that load.

    python benchmarks/load.py [--mentions 1000000] [--rate 500] [--seconds 60] [--db PATH]

The database is built once (the same data as benchmarks/dashboard.py, in its own file, since this
run adds rows) and then reused: each run first deletes what the previous run ingested. Ingest runs
in a thread as `nasluch run` does it: batches of a tick's mentions (rate / 10, every 100 ms) through
`monitor.store.ingest.ingest` with brand matching. Lag is the time from a batch's scheduled arrival to its
commit; a steady lag means ingest keeps up, a growing one that it does not.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import build  # noqa: E402
from monitor.demo.brands import DEMO_BRANDS  # noqa: E402
from monitor.inbox import queue  # noqa: E402
from monitor.mention import Author, Mention  # noqa: E402
from monitor.query.parser import BrandMatcher  # noqa: E402
from monitor.store import fulltext, rollups
from monitor.store.engine import make_engine, upgrade  # noqa: E402
from monitor.store.ingest import ingest  # noqa: E402
from monitor.trust.privacy import delete_mentions  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_dashboard", ROOT / "benchmarks" / "dashboard.py")
bench_dashboard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_dashboard)
TICK = 0.1
LIVE = "live-"


def prepare(path: Path, count: int) -> None:
    """Build the 1M database once; later runs only remove the previous run's live mentions."""
    engine = make_engine(f"sqlite:///{path}")
    if path.exists():
        upgrade(engine)  # a database from an older run gets the newer tables and their backfill
        with engine.begin() as connection:
            if not fulltext.consistent(connection):
                fulltext.rebuild(connection)
        with engine.begin() as connection:
            mention = sa.table("mention", sa.column("id"), sa.column("external_id"))
            live = list(connection.execute(sa.select(mention.c.id).where(mention.c.external_id.like(LIVE + "%")))
                        .scalars())
            if live:
                delete_mentions(connection, live)
            if rollups.drift(connection)["mentions"] == count:
                engine.dispose()
                return
    engine.dispose()
    bench_dashboard.build_database(path, count, 52)


class Ingest(threading.Thread):
    """Arrivals at a fixed rate, ingested tick by tick; lag measured per batch."""

    def __init__(self, engine, rate: int, seconds: float) -> None:
        super().__init__(daemon=True)
        self.engine, self.per_tick, self.seconds = engine, max(1, rate // 10), seconds
        self.matcher = BrandMatcher(DEMO_BRANDS)
        self.lags: list[float] = []
        self.stored = 0

    def batch(self, tick: int) -> list[Mention]:
        now = datetime.now(timezone.utc)
        return [Mention("x", f"{LIVE}{tick}-{i}", f"@acme nie działa od rana, zamówienie {tick}-{i}", now,
                        Author(f"live_user_{i % 300}"), lang="pl") for i in range(self.per_tick)]

    def run(self) -> None:
        start, tick = time.perf_counter(), 0
        while time.perf_counter() - start < self.seconds:
            due = start + tick * TICK
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            self.stored += ingest(self.engine, self.batch(tick), self.matcher).inserted
            self.lags.append(time.perf_counter() - due)
            tick += 1


def _quantiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))], ordered[-1]


def query_pages(engine, seconds: float, ingest_thread: Ingest) -> dict[str, list[float]]:
    """Call every page's functions in turn, over and over, while ingest runs."""
    config = build({"sources": [{"type": "hackernews", "name": "hackernews"}]})
    calls = bench_dashboard.pages(engine, config)
    calls["Inbox queue"] = lambda: queue.queue(engine, 60)
    times: dict[str, list[float]] = {name: [] for name in calls}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and ingest_thread.is_alive():
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--rate", type=int, default=500, help="mentions per second to ingest")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--db", type=Path, default=Path(".bench/load.db"))
    args = parser.parse_args()
    prepare(args.db, args.mentions)
    engine = make_engine(f"sqlite:///{args.db}")
    worker = Ingest(engine, args.rate, args.seconds)
    worker.start()
    times = query_pages(engine, args.seconds, worker)
    worker.join()
    p50, p95, worst = _quantiles(worker.lags)
    print(f"{args.mentions:,} mentions in SQLite; ingesting {args.rate}/s for {args.seconds:.0f} s "
          f"while the dashboard's queries run")
    print(f"ingest: {worker.stored:,} stored ({worker.stored / args.seconds:,.0f}/s); "
          f"lag per batch p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    print(f"{'page':<32}{'runs':>6}{'p50 (s)':>10}{'p95 (s)':>10}{'max (s)':>10}")
    for name, samples in times.items():
        if samples:
            print(f"{name:<32}{len(samples):>6}" + "".join(f"{value:>10.3f}" for value in _quantiles(samples)))
    engine.dispose()


if __name__ == "__main__":
    main()
