"""Each dashboard page's queries on the demo data: what a first visit waits for.

    python benchmarks/pages_demo.py [--db sqlite:///demo.db] [--config config.yaml] [--runs 3] [--browser]

Load the demo first (`nasluch --db sqlite:///demo.db demo --no-dashboard`, then `nasluch score`
for labels and theme vectors). For every page, the `monitor.*` functions the page calls, with the
page's default inputs (the sidebar's default period: the last 8 weeks), timed cold (the first
call, as after a restart) and warm (median of `--runs` more). Drawing in the browser comes on top;
the pages cache these results for a minute.

`--browser` also times what a person waits for in Chromium: from the click on "Sign in" to the
first page drawn (its script done, its first chart drawn), on a freshly started server (its first sign-in) and on a second sign-in
in a new session; on a copy of a SQLite database with a user of its own, so the demo is not touched.
Name and password are typed at a quick typist's pace, as the server sees them from a person.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.alerts.notify import history
from monitor.config import database_url, load
from monitor.inbox import queue
from monitor.jobs.collect import health
from monitor.jobs.scoring import correction_log
from monitor.reports import overview, response_times, staffing, themes
from monitor.reports.counts import Filters, data_span, filter_options
from monitor.store.engine import make_engine
from monitor.trust import auth

SLOW_PAGE_S = 2.0
TYPING_MS = 80  # a quick typist: the sign-in screen's 2 s or so of typing, as a person gives it


def sidebar_period(engine, tz: str) -> Filters:
    """The sidebar's default: the last 8 weeks of whole local days up to the newest mention."""
    zone = ZoneInfo(tz)
    first, last = (moment.astimezone(zone).date() for moment in data_span(engine))
    start = max(first, last - timedelta(weeks=8))
    midnight = lambda day: datetime.combine(day, datetime.min.time(), zone).astimezone(UTC)
    return Filters(since=midnight(start), until=midnight(last + timedelta(days=1)))


def pages(engine, config) -> dict[str, Callable[[], object]]:
    settings = config.settings
    tz, rule, sla = settings.timezone, settings.alerts.rule, settings.sla_minutes
    period = sidebar_period(engine, tz)
    middle = period.since + (period.until - period.since) / 2
    sidebar = lambda: (data_span(engine), filter_options(engine))
    return {
        "Overview": lambda: (sidebar(), overview.overview(engine, period, tz, "day", rule),
                             overview.top_authors(engine, period), overview.latest_mentions(engine, period)),
        "Peak hours": lambda: (sidebar(), overview.weekday_hours(engine, period, tz),
                               overview.compare_periods(engine, Filters(), tz, (period.since, middle),
                                                        (middle, period.until))),
        "Complaint themes (stored vectors)": lambda: (sidebar(), themes.stored_themes(engine, period, 400)),
        "Alerts": lambda: (sidebar(), overview.spike_table(engine, period, tz, rule), history(engine, tz)),
        "Inbox": lambda: (sidebar(), queue.queue(engine, sla, queue.QueueFilter()), queue.filter_choices(engine)),
        "Response times": lambda: (sidebar(), response_times.response_times(engine, sla)),
        "Staffing": lambda: (sidebar(), staffing.staffing_grid(engine, period, tz, staffing.StaffingInputs())),
        "Sources": lambda: (sidebar(), health(engine, config, datetime.now(UTC)),
                            overview.source_volume(engine, period, tz)),
        "Sentiment model": lambda: (sidebar(), correction_log(engine)),
        "Users": lambda: (sidebar(), auth.list_users(engine)),
    }


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def sign_in_times(url: str, config_file: str, runs: int) -> list[float]:
    """Seconds from "Sign in" to the landing page idle: a fresh server's first sign-in, then `runs`
    more, each in a new browser context (a new session)."""
    import shutil
    import tempfile

    import yaml

    from tests.browser_kit import chromium, idle, new_tab, shows, streamlit

    with tempfile.TemporaryDirectory(prefix="pages-demo-") as folder:
        copy = Path(folder) / "demo.db"
        shutil.copy(url.removeprefix("sqlite:///"), copy)
        engine = make_engine(f"sqlite:///{copy}")
        password = "bench-" + str(time.time_ns())
        auth.add_user(engine, "bench", "admin", password)
        engine.dispose()
        settings = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
        settings["auth"] = {"required": True}
        (Path(folder) / "config.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
        times = []
        with streamlit(f"sqlite:///{copy}", Path(folder) / "config.yaml") as base, chromium() as browser:
            for _ in range(runs + 1):
                tab = new_tab(browser)
                tab.goto(base)
                idle(tab)
                tab.get_by_role("textbox", name="Name").press_sequentially("bench", delay=TYPING_MS)
                tab.get_by_role("textbox", name="Password").press_sequentially(password, delay=TYPING_MS)
                start = time.perf_counter()
                tab.get_by_role("button", name="Sign in").click()
                shows(tab, tab.locator('[data-testid="stSidebarNav"]'))
                shows(tab, tab.locator("h1").first, "Overview")
                idle(tab)
                shows(tab, tab.locator('[data-testid="stVegaLiteChart"]').locator("canvas, svg.marks").first)
                times.append(time.perf_counter() - start)
                tab.context.close()
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="else $NASLUCH_DB, else the config's database.url")
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--browser", action="store_true",
                        help="also time sign-in to the first page in Chromium (SQLite only)")
    parser.add_argument("--servers", type=int, default=1,
                        help="with --browser: fresh servers to start, one after the other (the median is printed)")
    parser.add_argument("--no-queries", action="store_true", help="skip the query table (with --browser)")
    args = parser.parse_args()
    config = load(args.config)
    url = database_url(config, args.db)
    if not (args.no_queries and args.browser):
        query_table(url, config, args.runs)
    if args.browser:
        firsts, agains = [], []
        for _ in range(args.servers):
            first, *again = sign_in_times(url, args.config, args.runs)
            firsts.append(first)
            agains += again
        first = statistics.median(firsts)
        flag = "  over 2 s" if first > SLOW_PAGE_S else ""
        print(f"Chromium, sign-in to the first page drawn: fresh server {first:.2f} s{flag} (median of "
              f"{len(firsts)}: {', '.join(f'{t:.2f}' for t in firsts)}); again, in a new session: "
              f"{statistics.median(agains):.2f} s (median of {len(agains)})")


def query_table(url: str, config, runs: int) -> None:
    engine = make_engine(url)
    print(f"{url}: first visit (cold) and again (warm, median of {runs})")
    print(f"{'page':<36}{'cold (s)':>10}{'warm (s)':>10}")
    for name, function in pages(engine, config).items():
        cold = timed(function)
        warm = statistics.median(timed(function) for _ in range(runs))
        flag = "  over 2 s" if cold > SLOW_PAGE_S else ""
        print(f"{name:<36}{cold:>10.3f}{warm:>10.3f}{flag}")
    engine.dispose()


if __name__ == "__main__":
    main()
