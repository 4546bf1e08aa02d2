"""`collect --once`, `sources` and `run`: collection rounds, source health and the scheduler."""
from __future__ import annotations

import argparse
import logging

from monitor.cli.app import AddParser, App, command, emit
from monitor.jobs.background import background_jobs
from monitor.jobs.collect import collect_once, health
from monitor.jobs.scheduler import build_scheduler, run_forever

log = logging.getLogger(__name__)


@command("collect")
def cmd_collect(args: argparse.Namespace, app: App) -> int:
    if not args.once:
        log.error("collect needs --once (use `nasluch run` to keep collecting on a schedule)")
        return 2
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
    report = health(app.engine, app.config)
    emit(args, report, "\n".join(
        f"{name:<20} {s['status']:<22} last ok {s['last_success'] or '-':<26} 24h {s['volume_24h']:>6}"
        + (f"  {s['last_error']}" if s["last_error"] else "") for name, s in report.items()) or "no sources configured")
    return 0


@command("run")
def cmd_run(args: argparse.Namespace, app: App) -> int:
    run_forever(build_scheduler(app.engine, app.config, background_jobs(app.engine, app.config)))
    return 0


def add_parsers(add: AddParser) -> None:
    p = add("collect", "one collection round")
    p.add_argument("--once", action="store_true")
    p.add_argument("--source", help="only this source (its name in the config)")
    add("sources", "each source's health")
    add("run", "the scheduler: collect, score, alert, send queued replies", json_flag=False)
