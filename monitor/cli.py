"""`nasluch` command line. A contract (DESIGN.md): names and JSON shapes stay as they are.

With `--json` a command prints one JSON document on stdout; logs and progress go to stderr.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from monitor import cli_sentiment
from monitor.config import STARTER, Config, ConfigError, load
from monitor.query import QuerySyntaxError

log = logging.getLogger("nasluch")
COMMANDS: dict[str, Callable[[argparse.Namespace, "App"], int]] = {}


class App:
    """What every command needs: the validated config and the database engine, made once."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.config_path = Path(args.config)
        self.config: Config = load(self.config_path)
        self._engine = None

    @property
    def db_url(self) -> str:
        return self.args.db or os.environ.get("NASLUCH_DB") or self.config.settings.database.url

    @property
    def engine(self):
        if self._engine is None:
            from monitor.db import make_engine, upgrade

            self._engine = make_engine(self.db_url)
            upgrade(self._engine)
            if self.config.settings.agents:
                from monitor.auth import sync_config_users

                sync_config_users(self._engine, self.config.settings.agents)
        return self._engine

    def matcher(self):
        from monitor.query import BrandMatcher

        queries = self.config.settings.brand_queries()
        return BrandMatcher(queries) if queries else None


def command(name: str):
    def register(function: Callable[[argparse.Namespace, App], int]):
        COMMANDS[name] = function
        return function
    return register


def emit(args: argparse.Namespace, data: Any, text: str | None = None) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, default=str))
    else:
        print(text if text is not None else json.dumps(data, ensure_ascii=False, indent=2, default=str))


def parse_day(value: str) -> datetime:
    """`--since 2026-01-31` or a full ISO time; dates are midnight UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-01-31 or 2026-01-31T18:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def progress_bar(total: int, description: str):
    """A progress bar on a terminal only; scripts reading stderr get no carriage-return noise."""
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit=" posts", disable=not sys.stderr.isatty(), file=sys.stderr)


@command("init")
def cmd_init(args: argparse.Namespace, app: App) -> int:
    from monitor.db import current_revision

    if not app.config_path.exists():
        app.config_path.write_text(STARTER, encoding="utf-8")
        log.info("wrote a starter %s", app.config_path)
    log.info("database %s at schema revision %s", _safe_url(app.db_url), current_revision(app.engine))
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@command("import")
def cmd_import(args: argparse.Namespace, app: App) -> int:
    from monitor.importers import ImportFormatError, read_file
    from monitor.store import ingest, ingest_replies

    try:
        batch = read_file(args.file, args.format, args.brand)
    except ImportFormatError as error:
        log.error("%s: %s", args.file, error)
        return 2
    except OSError as error:
        log.error("cannot read %s: %s", args.file, error.strerror)
        return 2
    redact = app.config.settings.privacy.redact_contacts
    with progress_bar(len(batch.mentions), "mentions") as bar:
        result = ingest(app.engine, batch.mentions, app.matcher(), progress=bar.update, redact=redact)
    replies = ingest_replies(app.engine, batch.replies, redact=redact)
    summary = {
        "read": batch.read, "inserted": result.inserted + replies.replies_inserted,
        "duplicates": result.duplicates + replies.reply_duplicates, "rejected": len(batch.rejected),
        "errors": [{"line": row.line, "reason": row.reason} for row in batch.rejected],
        "mentions": {"inserted": result.inserted, "duplicates": result.duplicates},
        "replies": {"inserted": replies.replies_inserted, "duplicates": replies.reply_duplicates},
    }
    emit(args, summary, f"read {batch.read}, inserted {summary['inserted']}, duplicates "
                        f"{summary['duplicates']}, rejected {len(batch.rejected)}"
                        + "".join(f"\n  line {e['line']}: {e['reason']}" for e in summary["errors"]))
    return 0


@command("export")
def cmd_export(args: argparse.Namespace, app: App) -> int:
    from monitor.privacy import export_jsonl

    for line in export_jsonl(app.engine, args.since):
        sys.stdout.write(line + "\n")
    return 0


@command("search")
def cmd_search(args: argparse.Namespace, app: App) -> int:
    from monitor.queries import mention_json, mentions_frame

    frame = mentions_frame(app.engine, query=args.query, since=args.since, until=args.until)
    if args.count:
        emit(args, {"count": frame.height}, str(frame.height))
        return 0
    rows = frame.sort("created_at", descending=True).head(args.limit).to_dicts()
    mentions = [mention_json(row) for row in rows]
    emit(args, {"count": frame.height, "mentions": mentions},
         "\n".join(f"{m['created_at'][:16]} {m['source']:<10} @{m['author']['handle']}: {m['text'][:100]!r}"
                   for m in mentions) or "no mentions")
    return 0


@command("report")
def cmd_report(args: argparse.Namespace, app: App) -> int:
    from monitor import reports

    settings = app.config.settings
    if args.report == "heatmap":
        data = reports.heatmap(app.engine, args.tz or settings.timezone, query=args.query,
                               since=args.since, until=args.until)
        emit(args, data, _heatmap_text(data))
    elif args.report == "response-times":
        data = reports.response_times(app.engine, args.sla_minutes or settings.sla_minutes)
        emit(args, data)
    elif args.report == "staffing":
        data = _staffing(args, app)
        emit(args, data, _staffing_text(data))
    return 0


def _staffing(args: argparse.Namespace, app: App) -> dict[str, Any]:
    """Agents per weekday × hour (Erlang C); the same numbers as the dashboard's Staffing page."""
    from monitor.analytics import Filters
    from monitor.staffing import StaffingInputs, staffing_report

    settings = app.config.settings
    inputs = StaffingInputs(sla_minutes=args.sla_minutes or settings.sla_minutes, service_level=args.service_level,
                            handle_minutes=args.handle_minutes, weeks=args.weeks, reply_share=args.reply_share)
    return staffing_report(app.engine, Filters(query=args.query or "", until=args.until),
                           args.tz or settings.timezone, inputs)


def _staffing_text(data: dict[str, Any]) -> str:
    from monitor.reports import WEEKDAYS

    lines = [f"agents needed by weekday and hour ({data['tz']}; {data['service_level']:.0%} within "
             f"{data['sla_minutes']:g} min, {data['handle_minutes']:g} min per mention)",
             "     " + "".join(f"{h:>4}" for h in range(24))]
    for day in range(7):
        agents = [c["agents"] for c in data["cells"] if c["weekday"] == day]
        lines.append(f"{WEEKDAYS[day][:3]:<5}" + "".join(f"{n:>4}" for n in agents))
    return "\n".join(lines + [f"agent-hours per week: {data['agent_hours_per_week']}"])


@command("alerts")
def cmd_alerts(args: argparse.Namespace, app: App) -> int:
    """List spikes of a period, or (`--check`) send the new ones as the scheduler does."""
    from monitor import alerts
    from monitor.analytics import Filters, default_filters
    from monitor.trends import spike_table

    settings = app.config.settings
    if args.check:
        sent = alerts.check(app.engine, settings.alerts, settings.timezone)
        emit(args, {"sent": sent}, "\n".join(s["text"] + "".join(f" [{e}]" for e in s["errors"]) for s in sent)
             or "no new spikes")
        return 0
    period = default_filters(app.engine)
    filters = Filters(since=args.since or period.since, until=args.until or period.until)
    scored = spike_table(app.engine, filters, settings.timezone, settings.alerts.rule)
    spikes = [alerts.Spike(r["brand"], r["hour"], r["mentions"], r["usual"])
              for r in scored.filter(scored["spike"]).iter_rows(named=True)]
    found = [{"brand": s.brand, "hour_start": alerts.hour_start(s, settings.timezone), "mentions": s.mentions,
              "usual": s.usual} for s in spikes]
    emit(args, {"tz": settings.timezone, "spikes": found},
         "\n".join(alerts.describe(s, settings.timezone) for s in spikes) or "no spikes")
    return 0


def _heatmap_text(data: dict[str, Any]) -> str:
    from monitor.reports import WEEKDAYS

    lines = [f"mentions by weekday and hour ({data['tz']})", "     " + "".join(f"{h:>5}" for h in range(24))]
    for day in range(7):
        counts = [c["count"] for c in data["cells"] if c["weekday"] == day]
        lines.append(f"{WEEKDAYS[day][:3]:<5}" + "".join(f"{n:>5}" for n in counts))
    return "\n".join(lines)


@command("collect")
def cmd_collect(args: argparse.Namespace, app: App) -> int:
    from monitor.collect import collect_once

    if not args.once:
        log.error("collect needs --once (use `nasluch run` to keep collecting on a schedule)")
        return 2
    try:
        summary = collect_once(app.engine, app.config, args.source)
    except KeyError:
        log.error("no source named %r in %s", args.source, app.config_path)
        return 2
    emit(args, summary, "\n".join(
        f"{name}: fetched {s['fetched']}, inserted {s['inserted']}" + (f", error: {s['error']}" if s["error"] else "")
        for name, s in summary.items()) or "no sources configured")
    return 0


@command("sources")
def cmd_sources(args: argparse.Namespace, app: App) -> int:
    from monitor.collect import health

    report = health(app.engine, app.config)
    emit(args, report, "\n".join(
        f"{name:<20} {s['status']:<22} last ok {s['last_success'] or '-':<26} 24h {s['volume_24h']:>6}"
        + (f"  {s['last_error']}" if s["last_error"] else "") for name, s in report.items()) or "no sources configured")
    return 0


@command("run")
def cmd_run(args: argparse.Namespace, app: App) -> int:
    from monitor.scheduler import build_scheduler, run_forever

    run_forever(build_scheduler(app.engine, app.config, background_jobs(app)))
    return 0


def background_jobs(app: App) -> list:
    """Periodic jobs besides collection (scoring, alerts, the outbox), as they become available."""
    from monitor.cli_sentiment import scoring_job

    return [scoring_job(app), outbox_job(app), *alert_jobs(app), *sla_alert_jobs(app), *retention_jobs(app)]


def retention_jobs(app: App) -> list[tuple[str, Any, Callable[[], Any]]]:
    """Delete mentions past `privacy.retention_days` once an hour (none when it is unset)."""
    from datetime import timedelta

    from monitor.retention import purge_old_mentions

    days = app.config.settings.privacy.retention_days
    if not days:
        return []
    return [("retention", timedelta(hours=1), lambda: purge_old_mentions(app.engine, days))]


def sla_alert_jobs(app: App) -> list[tuple[str, Any, Callable[[], Any]]]:
    """Announce SLA breaches every minute on the same channels as spike alerts."""
    from datetime import timedelta

    from monitor.inbox_actions import alert_sla_breaches

    settings = app.config.settings
    if not settings.alerts.channels:
        return []
    return [("sla-alerts", timedelta(minutes=1),
             lambda: alert_sla_breaches(app.engine, settings.alerts, settings.sla_minutes))]


def alert_jobs(app: App) -> list[tuple[str, Any, Callable[[], Any]]]:
    """Check for spikes every 5 minutes when a webhook or e-mail is configured under `alerts:`."""
    from datetime import timedelta

    from monitor.alerts import check

    settings = app.config.settings
    if not settings.alerts.channels:
        return []
    return [("alerts", timedelta(minutes=5), lambda: check(app.engine, settings.alerts, settings.timezone))]


def outbox_job(app: App) -> tuple[str, Any, Callable[[], Any]]:
    """Send queued replies every 15 s with the configured responders (one worker per process)."""
    from datetime import timedelta

    from monitor.outbox import send_due, worker_name
    from responders import build_responders

    responders = build_responders(app.config.responders)
    worker = worker_name()
    for missing in app.config.unconfigured_responders:
        log.warning("responder %s (%s) is %s: its replies stay queued", missing.name, missing.type, missing.reason)
    return ("outbox", timedelta(seconds=15), lambda: send_due(app.engine, responders, worker))


@command("reply")
def cmd_reply(args: argparse.Namespace, app: App) -> int:
    from monitor.inbox_actions import send_reply
    from responders import build_responders

    try:
        outcome = send_reply(app.engine, args.mention_id, args.text, args.agent,
                             build_responders(app.config.responders))
    except LookupError as error:
        log.error("%s", error)
        return 2
    detail = f" ({outcome.error})" if outcome.error else ""
    where = f" {outcome.url}" if outcome.url else ""
    emit(args, outcome.as_json(), f"reply {outcome.reply_id}: {outcome.state}{where}{detail}")
    return 0 if outcome.state != "failed" else 1


@command("erase-author")
def cmd_erase_author(args: argparse.Namespace, app: App) -> int:
    from monitor.privacy import erase_author

    counts = erase_author(app.engine, args.handle, args.source)
    emit(args, counts, ", ".join(f"{name}: {n}" for name, n in counts.items()))
    return 0


@command("export-author")
def cmd_export_author(args: argparse.Namespace, app: App) -> int:
    """A data subject's access request: everything stored about one author, as one JSON document."""
    from monitor.privacy import export_author

    print(json.dumps(export_author(app.engine, args.handle, args.source), ensure_ascii=False, indent=2, default=str))
    return 0


@command("retention")
def cmd_retention(args: argparse.Namespace, app: App) -> int:
    from monitor.retention import purge_old_mentions

    days = args.days or app.config.settings.privacy.retention_days
    if not days:
        log.error("no retention period: set privacy.retention_days in the config or pass --days")
        return 2
    counts = purge_old_mentions(app.engine, days)
    emit(args, counts, ", ".join(f"{name}: {n}" for name, n in counts.items()) or "nothing older than that")
    return 0


@command("user")
def cmd_user(args: argparse.Namespace, app: App) -> int:
    from monitor import users_cli

    return users_cli.run(args, app.engine if args.action != "hash" else None, emit)


@command("demo")
def cmd_demo(args: argparse.Namespace, app: App) -> int:
    from monitor.demo_setup import load_demo

    counts = load_demo(app, seed=args.seed, mentions=args.mentions)
    log.info("demo data: %s", counts)
    if args.no_dashboard:
        if not args.no_score:
            log.info("scoring: %s", cli_sentiment.score_all(app).as_json())
        return 0
    _demo_sign_in(app)
    scorer = None if args.no_score else _score_in_background(app)
    try:
        return run_dashboard(app, args.port)
    finally:
        if scorer is not None and scorer.poll() is None:
            scorer.terminate()


def _score_in_background(app: App):
    """Pages open at once and fill as the model scores, newest mentions first (a few minutes for
    the demo set on two cores; the first run also converts the model)."""
    import subprocess

    log.info("scoring the demo mentions in the background; charts show 'scoring pending' until done")
    return subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(app.config_path), "--db",
                             app.db_url, "score"], stdout=subprocess.DEVNULL)


def _demo_sign_in(app: App) -> None:
    """The dashboard asks for sign-in: a demo database without any password gets a `demo` admin
    with a fresh random password, shown once on the terminal (not logged)."""
    import secrets

    from monitor import auth

    if not app.config.settings.auth.required or any(u["has_password"] for u in auth.list_users(app.engine)):
        return
    password = secrets.token_urlsafe(12)
    auth.add_user(app.engine, "demo", "admin", password)
    print(f"Sign in to the dashboard as: demo  password: {password}", file=sys.stderr)


@command("dashboard")
def cmd_dashboard(args: argparse.Namespace, app: App) -> int:
    return run_dashboard(app, args.port)


def run_dashboard(app: App, port: int) -> int:
    import subprocess

    app.engine  # noqa: B018  (creates or upgrades the schema before the app reads it)
    script = Path(__file__).resolve().parent.parent / "dashboard.py"
    env = {**os.environ, "NASLUCH_DB": app.db_url, "NASLUCH_CONFIG": str(app.config_path.resolve())}
    command_line = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                    "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    log.info("dashboard on http://localhost:%d", port)
    return subprocess.call(command_line, env=env)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nasluch", description="Listen to what people say about your brand.")
    parser.add_argument("--config", default=os.environ.get("NASLUCH_CONFIG", "config.yaml"))
    parser.add_argument("--db", help="database URL (else $NASLUCH_DB, else database.url in the config)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str, json_flag: bool = True) -> argparse.ArgumentParser:
        child = sub.add_parser(name, help=help_text)
        if json_flag:
            child.add_argument("--json", action="store_true", help="one JSON document on stdout")
        return child

    add("init", "create or upgrade the schema; write a starter config.yaml", json_flag=False)
    p = add("import", "load historic posts idempotently")
    p.add_argument("file")
    p.add_argument("--format", required=True, choices=["twcs", "twitter-care", "jsonl"])
    p.add_argument("--brand")
    p = add("export", "everything, as import --format jsonl reads it", json_flag=False)
    p.add_argument("--format", default="jsonl", choices=["jsonl"])
    p.add_argument("--since", type=parse_day)
    p = add("search", "mentions matching a query")
    p.add_argument("query")
    p.add_argument("--count", action="store_true")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--since", type=parse_day)
    p.add_argument("--until", type=parse_day)
    p = add("report", "reports: heatmap, response-times, staffing")
    p.add_argument("report", choices=["heatmap", "response-times", "staffing"])
    p.add_argument("--tz")
    p.add_argument("--query")
    p.add_argument("--since", type=parse_day)
    p.add_argument("--until", type=parse_day)
    p.add_argument("--sla-minutes", type=int)
    p.add_argument("--service-level", type=float, default=0.9, help="staffing: share answered within the SLA")
    p.add_argument("--handle-minutes", type=float, default=6.0, help="staffing: agent time per mention")
    p.add_argument("--weeks", type=int, default=4, help="staffing: whole weeks of history to average")
    p.add_argument("--reply-share", type=float, default=1.0, help="staffing: share of mentions that need a reply")
    p = add("collect", "one collection round")
    p.add_argument("--once", action="store_true")
    p.add_argument("--source", help="only this source (its name in the config)")
    add("sources", "each source's health")
    p = add("alerts", "spikes per brand against the usual level for that weekday and hour")
    p.add_argument("--check", action="store_true", help="send new spikes to the configured webhook and e-mail")
    p.add_argument("--since", type=parse_day)
    p.add_argument("--until", type=parse_day)
    add("run", "the scheduler: collect, score, alert, send queued replies", json_flag=False)
    p = add("reply", "queue a reply to a mention; sent at once when its network's responder is configured")
    p.add_argument("mention_id", type=int)
    p.add_argument("text", help="may use {author}, {agent} and {brand}")
    p.add_argument("--agent", required=True)
    p = add("erase-author", "delete everything stored about one author")
    p.add_argument("handle")
    p.add_argument("--source")
    p = add("export-author", "everything stored about one author, as JSON (data subject access)", json_flag=False)
    p.add_argument("handle")
    p.add_argument("--source")
    p = add("retention", "delete mentions older than privacy.retention_days (the scheduler does it hourly)")
    p.add_argument("--days", type=int)
    from monitor.users_cli import add_parser as add_user_parser

    add_user_parser(add("user", "dashboard users: add, list, role, passwd, disable, enable, remove, hash"))
    cli_sentiment.add_parsers(add)
    p = add("demo", "init, generate the demo data, open the dashboard", json_flag=False)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--mentions", type=int, default=20_000)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--no-dashboard", action="store_true", help="load (and score) the data and stop")
    p.add_argument("--no-score", action="store_true", help="leave sentiment to a later `nasluch score`")
    p = add("dashboard", "start the Streamlit app", json_flag=False)
    p.add_argument("--port", type=int, default=8501)
    return parser


COMMANDS.update(cli_sentiment.COMMANDS)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s", force=True)
    try:
        app = App(args)
        return COMMANDS[args.command](args, app)
    except ConfigError as error:
        print(f"nasluch: config error: {error}", file=sys.stderr)
        return 2
    except QuerySyntaxError as error:
        print(f"nasluch: query error: {error}", file=sys.stderr)
        return 2
    except PermissionError as error:  # monitor.auth.Forbidden: a role that does not allow the action
        print(f"nasluch: not allowed: {error}", file=sys.stderr)
        return 3
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
