"""`collect --once`, `sources` and `run`: collection rounds, source health and the scheduler."""
from __future__ import annotations

import argparse
import logging
from typing import Any

from monitor.cli.app import AddParser, App, command, emit, text_table

log = logging.getLogger(__name__)


@command("collect")
def cmd_collect(args: argparse.Namespace, app: App) -> int:
    if not args.once:
        log.error("collect needs --once (use `nasluch run` to keep collecting on a schedule)")
        return 2
    from monitor.jobs.collect import collect_once  # collectors and httpx: only for this command

    try:
        summary = collect_once(app.engine, app.config, args.source)
    except KeyError:
        log.error("no source named %r in %s", args.source, app.config_path)
        return 2
    emit(args, summary, "\n".join(
        f"{name}: fetched {s['fetched']}, inserted {s['inserted']}" + (f", skipped {s['skipped']}" if s["skipped"] else "")
        + (f", error: {s['error']}" if s["error"] else "")
        for name, s in summary.items()) or "no sources configured")
    return 0


@command("sources")
def cmd_sources(args: argparse.Namespace, app: App) -> int:
    from monitor.jobs.collect import health  # collectors and httpx: only for this command

    report = health(app.engine, app.config)
    emit(args, report, _sources_text(report))
    return 0


def _sources_text(report: dict[str, dict[str, Any]]) -> str:
    """One row per source; times to the minute, in UTC like the JSON."""
    if not report:
        return "no sources configured"
    rows = [[name, s["type"], s["status"], _minute(s["last_success"]), s["volume_24h"], _minute(s["next_run"]),
             s["last_error"] or ""] for name, s in report.items()]
    columns = ("source", "type", "status", "last success (UTC)", "mentions 24 h", "next run (UTC)", "last error")
    return text_table(columns, rows, right=("mentions 24 h",))


def _minute(iso: str | None) -> str | None:
    return iso[:16].replace("T", " ") if iso else None


@command("run")
def cmd_run(args: argparse.Namespace, app: App) -> int:
    # APScheduler, the responders and the model's room load only for the long-running worker
    import threading

    from monitor.jobs.background import background_jobs
    from monitor.jobs.scheduler import build_scheduler, run_forever

    stop = threading.Event()  # set by SIGTERM/Ctrl-C; a scoring run in flight ends after its batch
    run_forever(build_scheduler(app.engine, app.config, background_jobs(app.engine, app.config, stop)), stop)
    return 0


def add_parsers(add: AddParser) -> None:
    p = add("collect", "one collection round")
    p.add_argument("--once", action="store_true", help="required: one round over the sources, then stop "
                                                        "(`nasluch run` keeps collecting)")
    p.add_argument("--source", help="only this source (its name in the config)")
    add("sources", "each source's health: status, last success, mentions posted in the last 24 h, next run")
    add("run", "the scheduler: collect, score, alert, send queued replies", json_flag=False)
