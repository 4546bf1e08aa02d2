"""Load: 1,000,000 mentions stored, new ones arriving at 500 mentions/s, and the dashboard queried
at the same time. Reports ingest lag and each page's query times under that load.

    python benchmarks/load.py [--mentions 1000000] [--rate 500] [--seconds 60] [--db PATH]
    python benchmarks/load.py --db postgresql://... [--workers 2] [--replies 1.0] ...

SQLite (a path, the default): the database is built once (the same data as benchmarks/dashboard.py,
in its own file, since this run adds rows) and then reused: each run first deletes what the previous
run ingested. Ingest runs in a thread as `nasluch run` does it: batches of a tick's mentions (rate /
10, every 100 ms) through `monitor.store.ingest.ingest` with brand matching. Lag is the time from a
batch's scheduled arrival to its commit.

PostgreSQL (a URL; its tables are emptied and filled once, then reused like the SQLite file): the
real thing. A local forum server on 127.0.0.1 publishes posts at `--rate` (two Discourse-shaped
sources, half each), `--workers` `nasluch run` processes collect both sources every second (each
worker reads every post: the database keeps one), score with the shipped model and send the
replies an agent thread queues (`--replies` per second) to a local Mastodon-shaped server, while
every page's queries run in a loop here. Sampled every half second: the ingest lag (age of the
newest post stored), the scoring lag (age of the oldest post not yet scored). After `--seconds`
the forum stops publishing and the run waits for the workers to store every post and send every
reply, then asserts that nothing was stored twice and no reply was posted twice.
A steady lag means the workers keep up, a growing one that they do not.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import build  # noqa: E402
from monitor.demo.brands import DEMO_BRANDS  # noqa: E402
from monitor.demo.generator import generate  # noqa: E402
from monitor.inbox import queue  # noqa: E402
from monitor.inbox.outbox import queue_reply  # noqa: E402
from monitor.mention import Author, Mention  # noqa: E402
from monitor.query.parser import BrandMatcher  # noqa: E402
from monitor.store import fulltext, rollups  # noqa: E402
from monitor.store.engine import make_engine, upgrade  # noqa: E402
from monitor.store.ingest import ingest, match_brands  # noqa: E402
from monitor.trust.privacy import delete_mentions  # noqa: E402
from tests.inbox.mastodon_server import MastodonServer  # noqa: E402
from tests.local_server import JsonHandler, LocalServer  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_dashboard", ROOT / "benchmarks" / "dashboard.py")
bench_dashboard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_dashboard)
TICK = 0.1
LIVE = "live-"
PAGE = 500  # posts per forum page


def prepare(path: Path, count: int) -> None:
    """Build the 1M database once; later runs only remove the previous run's live mentions."""
    engine = make_engine(f"sqlite:///{path}")
    if path.exists():
        upgrade(engine)  # a database from an older run gets the newer tables and their backfill
        with engine.begin() as connection:
            if not fulltext.consistent(connection):
                fulltext.rebuild(connection)
        _remove_live(engine)
        with engine.connect() as connection:
            if rollups.drift(connection)["mentions"] == count:
                engine.dispose()
                return
    engine.dispose()
    bench_dashboard.build_database(path, count, 52)


def _remove_live(engine) -> None:
    """Delete what an earlier run added: its mentions (with their replies and conversations), the
    sources' cursors and the audit entries of its sends. The built data set has none of these."""
    with engine.begin() as connection:
        mention = sa.table("mention", sa.column("id"), sa.column("external_id"))
        live = list(connection.execute(sa.select(mention.c.id).where(mention.c.external_id.like(f"%{LIVE}%")))
                    .scalars())
        if live:
            delete_mentions(connection, live)
        for table in ("reply", "conversation", "sourcestate", "audit_log"):
            connection.exec_driver_sql(f"DELETE FROM {table}")


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


def query_pages(engine, seconds: float, running) -> dict[str, list[float]]:
    """Call every page's functions in turn, over and over, while `running()` says so."""
    config = build({"sources": [{"type": "hackernews", "name": "hackernews"}]})
    calls = bench_dashboard.pages(engine, config)
    calls["Inbox queue"] = lambda: queue.queue(engine, 60)
    times: dict[str, list[float]] = {name: [] for name in calls}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and running():
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    return times


def print_pages(times: dict[str, list[float]]) -> None:
    print(f"{'page':<32}{'runs':>6}{'p50 (s)':>10}{'p95 (s)':>10}{'max (s)':>10}")
    for name, samples in times.items():
        if samples:
            print(f"{name:<32}{len(samples):>6}" + "".join(f"{value:>10.3f}" for value in _quantiles(samples)))


def run_sqlite(args: argparse.Namespace) -> None:
    path = Path(args.db)
    prepare(path, args.mentions)
    engine = make_engine(f"sqlite:///{path}")
    worker = Ingest(engine, args.rate, args.seconds)
    worker.start()
    times = query_pages(engine, args.seconds, worker.is_alive)
    worker.join()
    p50, p95, worst = _quantiles(worker.lags)
    print(f"{args.mentions:,} mentions in SQLite; ingesting {args.rate}/s for {args.seconds:.0f} s "
          f"while the dashboard's queries run")
    print(f"ingest: {worker.stored:,} stored ({worker.stored / args.seconds:,.0f}/s); "
          f"lag per batch p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    print_pages(times)
    engine.dispose()


# --- PostgreSQL: `nasluch run` workers collecting from a local forum ----------------------------

class Forum(LocalServer):
    """Discourse-shaped `/<name>/posts.json` streams. Each holds one post until `begin()`, so that
    a worker's first round (which reads one page) sets its cursor; from then on each publishes
    `rate` posts a second (post `n` appears at `start + (n - 1) / rate`), until `stop()`."""

    def __init__(self, names: list[str], rate: float, texts: list[str]) -> None:
        self.names, self.rate, self.texts = names, rate, texts
        self.start, self.stopped_at = time.time(), None
        self.begun = False
        super().__init__()

    def begin(self) -> None:
        self.start, self.begun = time.time(), True

    def published(self) -> int:
        """Posts published so far by each stream."""
        if not self.begun:
            return 1
        now = self.stopped_at or time.time()
        return 1 + max(0, int((now - self.start) * self.rate))

    def stop(self) -> None:
        self.stopped_at = time.time()

    def post(self, name: str, number: int) -> dict:
        topic, position = divmod(number - 1, 4)
        created = datetime.fromtimestamp(self.start + (number - 1) / self.rate, timezone.utc)
        text = self.texts[(number * 7 + len(name)) % len(self.texts)]
        return {"id": number, "username": f"{name}_user_{number % 997}", "name": None, "topic_slug": "t",
                "created_at": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "cooked": f"<p>{text}</p>", "post_number": position + 1, "reply_to_post_number": None,
                "topic_id": topic + 1, "topic_title": ""}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        forum = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                name = parts.path.strip("/").split("/")[0]
                if name not in forum.names or not parts.path.endswith("/posts.json"):
                    return self._json(404, {"errors": ["not found"]})
                top = forum.published()
                before = parse_qs(parts.query).get("before")
                if before:
                    top = min(top, int(before[0]) - 1)
                posts = [forum.post(name, number) for number in range(top, max(0, top - PAGE), -1)]
                return self._json(200, {"latest_posts": posts})

        return Handler


class RecordingMastodon(MastodonServer):
    """The Mastodon-shaped server, noting when each status text first arrived."""

    def __init__(self, known: dict[str, str]) -> None:
        super().__init__(known)
        self.arrived: dict[int, float] = {}

    def create(self, body, key):
        if found := re.search(r"\((\d+)\)", body.get("status", "")):  # the agent's reply number
            self.arrived.setdefault(int(found.group(1)), time.monotonic())
        return super().create(body, key)


def matching_texts(count: int = 2_000) -> list[str]:
    """Texts from the demo generator that some brand query matches, so every post is stored."""
    pool = [m for m in generate(seed=7, mentions=count).mentions if "\n" not in m.text]
    _, matched = match_brands(pool, BrandMatcher(DEMO_BRANDS))
    return [mention.text for mention, hits in zip(pool, matched) if hits]


def prepare_postgres(url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    _remove_live(engine)
    with engine.connect() as connection:
        fresh = rollups.drift(connection)["mentions"] != count or not fulltext.consistent(connection)
    engine.dispose()
    if fresh:
        bench_dashboard.build_postgres(url, count, 52)


def reply_targets(engine, count: int) -> tuple[list[int], dict[str, str]]:
    """Mastodon mentions for the agent thread to answer, and their status URIs with the local ids
    the Mastodon-shaped server resolves them to (the responder looks a status up before replying)."""
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    uris = [f"https://social.example/users/kasia{i}/statuses/{LIVE}{i}" for i in range(count)]
    posts = [Mention("mastodon", uri, f"@acme gdzie moje zamówienie {i}?", now + timedelta(seconds=i),
                     Author(f"kasia{i}@social.example"), lang="pl") for i, uri in enumerate(uris)]
    return ingest(engine, posts).inserted_ids, {uri: str(5_000 + i) for i, uri in enumerate(uris)}


class Agent(threading.Thread):
    """Queues a reply to the next target every `1 / rate` seconds until `stop` is set."""

    def __init__(self, engine, targets: list[int], rate: float, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.engine, self.targets, self.rate, self.stop = engine, targets, rate, stop
        self.queued: dict[int, float] = {}

    def run(self) -> None:
        for index, mention_id in enumerate(self.targets):
            if self.stop.wait(1 / self.rate):
                return
            queue_reply(self.engine, mention_id, f"Dzień dobry, już sprawdzamy ({index}).", "Ola")
            self.queued[index] = time.monotonic()


class Sampler(threading.Thread):
    """Every half second: how old the newest stored forum post is, and the oldest unscored one."""

    def __init__(self, engine, forum: Forum, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.engine, self.forum, self.stop = engine, forum, stop
        self.ingest: list[float] = []
        self.scoring: list[float] = []

    def run(self) -> None:
        since = datetime.fromtimestamp(self.forum.start, timezone.utc)
        newest = sa.text("SELECT max(created_at) FROM mention WHERE source = 'discourse' AND created_at >= :since")
        unscored = sa.text("SELECT min(created_at) FROM mention WHERE sentiment IS NULL AND created_at >= :since "
                           "AND source = 'discourse'")
        while not self.stop.wait(0.5):
            now = datetime.now(timezone.utc)
            with self.engine.connect() as connection:
                stored = connection.execute(newest, {"since": since}).scalar()
                waiting = connection.execute(unscored, {"since": since}).scalar()
            published = self.forum.start + (self.forum.published() - 1) / self.forum.rate
            if stored is not None:  # newest post published minus newest stored: 0 when all are in
                self.ingest.append(max(0.0, published - stored.replace(tzinfo=timezone.utc).timestamp()))
            self.scoring.append(0.0 if waiting is None else (now - waiting.replace(tzinfo=timezone.utc)).total_seconds())


def _scalar(engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(sql)).scalar() or 0)


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def start_workers(count: int, config: Path, url: str, logs: Path) -> list[subprocess.Popen]:
    env = {k: v for k, v in os.environ.items() if k != "NASLUCH_DB"} | {"MASTODON_TOKEN": "test-token"}
    return [subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(config), "--db", url, "run"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=open(logs / f"worker{index}.log", "w"))  # noqa: SIM115
            for index in range(count)]


def stop_workers(workers: list[subprocess.Popen], patience: float = 90) -> list[int | str]:
    """SIGTERM, as a service manager stops them; a worker still busy after `patience` seconds
    (a scoring run of 5,000 mentions in flight on a loaded machine) is killed, which loses
    nothing committed. Returns each exit code, or "killed"."""
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    deadline, codes = time.monotonic() + patience, []
    for worker in workers:
        try:
            codes.append(worker.wait(timeout=max(1.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            codes.append("killed")
    return codes


def run_postgres(args: argparse.Namespace) -> None:
    prepare_postgres(args.db, args.mentions)
    engine = make_engine(args.db)
    targets, known = reply_targets(engine, int(args.replies * args.seconds))
    folder = Path(tempfile.mkdtemp(prefix="nasluch-load-"))
    names = ["forum-a", "forum-b"]
    stop = threading.Event()
    with Forum(names, args.rate / len(names), matching_texts()) as forum, RecordingMastodon(known) as mastodon:
        config = folder / "config.yaml"
        config.write_text(yaml.safe_dump({
            "brands": [{"name": name, "queries": queries} for name, queries in DEMO_BRANDS.items()],
            "sources": [{"type": "discourse", "name": name, "base_url": f"{forum.url}/{name}/{LIVE}", "latest": True,
                         "search": False, "every": "1s", "max_pages": 100} for name in names],
            "responders": [{"network": "mastodon", "base_url": mastodon.url,
                            "access_token": {"$env": "MASTODON_TOKEN"}}]}))
        workers = start_workers(args.workers, config, args.db, folder)
        try:
            cursors = "SELECT count(*) FROM sourcestate WHERE CAST(cursor AS text) LIKE '%latest%'"
            if not _wait(lambda: _scalar(engine, cursors) == len(names), 300):
                raise SystemExit(f"the workers never collected; see {folder}")
            forum.begin()
            agent, sampler = Agent(engine, targets, args.replies, stop), Sampler(engine, forum, stop)
            agent.start()
            sampler.start()
            times = query_pages(engine, args.seconds, lambda: all(w.poll() is None for w in workers))
            forum.stop()
            stop.set()
            published = forum.published() * len(names)
            stored = f"SELECT count(*) FROM mention WHERE source = 'discourse' AND external_id LIKE '%{LIVE}%'"
            caught_up = _wait(lambda: _scalar(engine, stored) >= published, 120)
            sent = _wait(lambda: len(mastodon.statuses) >= len(agent.queued), 120)
        finally:
            codes = stop_workers(workers)
    report(args, engine, forum, mastodon, agent, sampler, times, published, (caught_up, sent, codes), folder)
    engine.dispose()


def report(args, engine, forum, mastodon, agent, sampler, times, published, ends, folder) -> None:
    caught_up, sent, codes = ends
    stored = _scalar(engine, f"SELECT count(*) FROM mention WHERE external_id LIKE '%{LIVE}%' AND source = 'discourse'")
    twice = _scalar(engine, f"SELECT count(*) FROM (SELECT 1 FROM mention WHERE external_id LIKE '%{LIVE}%' "
                            "GROUP BY source, external_id HAVING count(*) > 1) d")
    scored = _scalar(engine, f"SELECT count(*) FROM mention WHERE external_id LIKE '%{LIVE}%' "
                             "AND source = 'discourse' AND sentiment IS NOT NULL")
    keys = Counter(post["key"] for post in mastodon.posts)
    send_lags = [mastodon.arrived[index] - queued for index, queued in agent.queued.items() if index in mastodon.arrived]
    print(f"{args.mentions:,} mentions in PostgreSQL; {args.workers} `nasluch run` workers collecting "
          f"{args.rate}/s from a local forum for {args.seconds:.0f} s while the dashboard's queries run")
    seconds = forum.stopped_at - forum.start  # the page loop ends its round past --seconds
    print(f"ingest: {published:,} published in {seconds:.0f} s, {stored:,} stored ({stored / seconds:,.0f}/s), "
          f"stored twice: {twice}; caught up after the stop: {caught_up}")
    for label, samples in (("ingest lag (newest post published - newest stored)", sampler.ingest),
                           ("scoring lag (age of the oldest unscored post)", sampler.scoring),
                           ("reply send lag (queued - posted)", send_lags)):
        if samples:
            p50, p95, worst = _quantiles(samples)
            print(f"{label}: p50 {p50:.1f} s, p95 {p95:.1f} s, max {worst:.1f} s")
    print(f"scoring: {scored:,} of {stored:,} posts scored by the end ({scored / seconds:,.0f}/s)")
    print(f"replies: {len(agent.queued)} queued, {len(mastodon.statuses)} posted, most posts of one reply: "
          f"{max(keys.values(), default=0)}; all sent: {sent}")
    print(f"workers stopped by SIGTERM: exit codes {codes}; logs in {folder}")
    print_pages(times)
    assert twice == 0, "a mention was stored twice"
    assert max(keys.values(), default=1) == 1 and len(mastodon.statuses) <= len(agent.queued), "a reply was sent twice"
    assert all(code in (0, "killed") for code in codes), f"a worker failed: see {folder}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--rate", type=int, default=500, help="mentions per second to ingest")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--db", default=".bench/load.db", help="a SQLite path or a PostgreSQL URL")
    parser.add_argument("--workers", type=int, default=2, help="PostgreSQL: `nasluch run` processes")
    parser.add_argument("--replies", type=float, default=1.0, help="PostgreSQL: replies queued per second")
    args = parser.parse_args()
    if args.db.startswith("postgres"):
        run_postgres(args)
    else:
        run_sqlite(args)


if __name__ == "__main__":
    main()
