"""`report heatmap|response-times|staffing` and `alerts`: the figures marketers and shift
planners read, as tables on a terminal or JSON for scripts."""
from __future__ import annotations

import argparse
from typing import Any

from monitor.cli.app import AddParser, App, command, emit, parse_day, text_table
from monitor.inbox.display import waiting_text
from monitor.reports.counts import WEEKDAYS, Filters, default_filters
from monitor.reports.heatmap import heatmap
from monitor.reports.response_times import response_times
from monitor.reports.staffing import StaffingInputs, staffing_report


@command("report")
def cmd_report(args: argparse.Namespace, app: App) -> int:
    settings = app.config.settings
    if args.report == "heatmap":
        data = heatmap(app.engine, args.tz or settings.timezone, query=args.query,
                       since=args.since, until=args.until)
        emit(args, data, _heatmap_text(data))
    elif args.report == "response-times":
        data = response_times(app.engine, args.sla_minutes or settings.sla_minutes)
        emit(args, data, _response_times_text(data))
    elif args.report == "staffing":
        data = _staffing(args, app)
        emit(args, data, _staffing_text(data))
    return 0


def _staffing(args: argparse.Namespace, app: App) -> dict[str, Any]:
    """Agents per weekday × hour (Erlang C); the same numbers as the dashboard's Staffing page."""
    settings = app.config.settings
    inputs = StaffingInputs(sla_minutes=args.sla_minutes or settings.sla_minutes, service_level=args.service_level,
                            handle_minutes=args.handle_minutes, weeks=args.weeks, reply_share=args.reply_share)
    return staffing_report(app.engine, Filters(query=args.query or "", until=args.until),
                           args.tz or settings.timezone, inputs)


def _grid(title: str, cells: list[dict[str, Any]], key: str, width: int) -> list[str]:
    lines = [title, "     " + "".join(f"{h:>{width}}" for h in range(24))]
    for day in range(7):
        values = [c[key] for c in cells if c["weekday"] == day]
        lines.append(f"{WEEKDAYS[day][:3]:<5}" + "".join(f"{n:>{width}}" for n in values))
    return lines


def _staffing_text(data: dict[str, Any]) -> str:
    title = (f"agents needed by weekday and hour ({data['tz']}; {data['service_level']:.0%} within "
             f"{data['sla_minutes']:g} min, {data['handle_minutes']:g} min per mention)")
    lines = _grid(title, data["cells"], "agents", 4)
    return "\n".join(lines + [f"agent-hours per week: {data['agent_hours_per_week']}"])


RESPONSE_GROUPS = (("brand", "by_brand"), ("source", "by_source"), ("agent", "by_agent"), ("week", "by_week"))
RESPONSE_COLUMNS = ("answered", "median", "90th pct", "within SLA", "unanswered")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _response_row(name: str, summary: dict[str, Any]) -> list[Any]:
    return [name, summary["count"], waiting_text(summary["median_s"]), waiting_text(summary["p90_s"]),
            _share(summary["within_sla"]), summary["unanswered"]]


def _response_times_text(data: dict[str, Any]) -> str:
    """One table per grouping, durations as "12 h 27 min" and shares as percentages."""
    parts = [f"first response times (SLA {data['sla_minutes']} min; within SLA is a share of the answered)",
             text_table(("", *RESPONSE_COLUMNS), [_response_row("all", data)], right=RESPONSE_COLUMNS)]
    for label, key in RESPONSE_GROUPS:
        rows = [_response_row(name, summary) for name, summary in data.get(key, {}).items()]
        if rows:
            parts += ["", text_table((label, *RESPONSE_COLUMNS), rows, right=RESPONSE_COLUMNS)]
    return "\n".join(parts)


def _heatmap_text(data: dict[str, Any]) -> str:
    return "\n".join(_grid(f"mentions by weekday and hour ({data['tz']})", data["cells"], "count", 5))


@command("alerts")
def cmd_alerts(args: argparse.Namespace, app: App) -> int:
    """List spikes of a period, or (`--check`) send the new ones as the scheduler does."""
    # notify brings httpx and smtplib, overview the dashboard's tables: only this command needs them
    from monitor.alerts import notify
    from monitor.reports.overview import spike_table

    settings = app.config.settings
    if args.check:
        sent = notify.check(app.engine, settings.alerts, settings.timezone)
        emit(args, {"sent": sent}, "\n".join(s["text"] + "".join(f" [{e}]" for e in s["errors"]) for s in sent)
             or "no new spikes")
        return 0
    period = default_filters(app.engine)
    filters = Filters(since=args.since or period.since, until=args.until or period.until)
    scored = spike_table(app.engine, filters, settings.timezone, settings.alerts.rule)
    spikes = [notify.Spike(r["brand"], r["hour"], r["mentions"], r["usual"], r["baseline"])
              for r in scored.filter(scored["spike"]).iter_rows(named=True)]
    found = [{"brand": s.brand, "hour_start": notify.hour_start(s, settings.timezone), "mentions": s.mentions,
              "usual": s.usual, "baseline": s.baseline} for s in spikes]
    emit(args, {"tz": settings.timezone, "spikes": found},
         "\n".join(notify.describe(s, settings.timezone) for s in spikes) or "no spikes")
    return 0


def add_parsers(add: AddParser) -> None:
    p = add("report", "reports: heatmap, response-times, staffing")
    p.add_argument("report", choices=["heatmap", "response-times", "staffing"], help="which report")
    p.add_argument("--tz", help="time zone for weekdays and hours (heatmap, staffing); default: the config's timezone")
    p.add_argument("--query", help="heatmap, staffing: only mentions matching this query")
    p.add_argument("--since", type=parse_day, metavar="DATE", help="heatmap: from this day (2026-01-31) or time, UTC")
    p.add_argument("--until", type=parse_day, metavar="DATE", help="heatmap, staffing: up to this day or time, UTC")
    p.add_argument("--sla-minutes", type=int, metavar="MINUTES",
                   help="response-times, staffing: the first-response target; default: the config's sla_minutes")
    p.add_argument("--service-level", type=float, default=0.9, help="staffing: share answered within the SLA")
    p.add_argument("--handle-minutes", type=float, default=6.0, help="staffing: agent time per mention")
    p.add_argument("--weeks", type=int, default=4, help="staffing: whole weeks of history to average")
    p.add_argument("--reply-share", type=float, default=1.0, help="staffing: share of mentions that need a reply")
    p = add("alerts", "spikes per brand against the usual level for that weekday and hour")
    p.add_argument("--check", action="store_true", help="send new spikes to the configured webhook and e-mail")
    p.add_argument("--since", type=parse_day, metavar="DATE", help="from this day or time, UTC; default: the data's period")
    p.add_argument("--until", type=parse_day, metavar="DATE", help="up to this day or time, UTC; default: the data's period")
