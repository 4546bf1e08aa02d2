"""`init`, `import`, `export`, `search`, and the privacy commands (`erase-author`,
`export-author`, `retention`): what goes into the database and what comes out of it."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from monitor.cli.app import AddParser, App, command, emit, parse_day, progress_bar, safe_url
from monitor.config import STARTER
from monitor.formats.jsonl import export_jsonl
from monitor.store.engine import current_revision
from monitor.store.frames import mention_json, mentions_frame
from monitor.trust.privacy import erase_author, export_author

log = logging.getLogger(__name__)


@command("init")
def cmd_init(args: argparse.Namespace, app: App) -> int:
    if not app.config_path.exists():
        app.config_path.write_text(STARTER, encoding="utf-8")
        log.info("wrote a starter %s", app.config_path)
    log.info("database %s at schema revision %s", safe_url(app.db_url), current_revision(app.engine))
    return 0


@command("import")
def cmd_import(args: argparse.Namespace, app: App) -> int:
    from monitor.formats.readers import ImportFormatError, read_file  # noqa: PLC0415  (polars: only to import)
    from monitor.store.ingest import ingest, ingest_replies  # noqa: PLC0415

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
    for line in export_jsonl(app.engine, args.since):
        sys.stdout.write(line + "\n")
    return 0


@command("search")
def cmd_search(args: argparse.Namespace, app: App) -> int:
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


@command("erase-author")
def cmd_erase_author(args: argparse.Namespace, app: App) -> int:
    counts = erase_author(app.engine, args.handle, args.source)
    emit(args, counts, ", ".join(f"{name}: {n}" for name, n in counts.items()))
    return 0


@command("export-author")
def cmd_export_author(args: argparse.Namespace, app: App) -> int:
    """A data subject's access request: everything stored about one author, as one JSON document."""
    print(json.dumps(export_author(app.engine, args.handle, args.source), ensure_ascii=False, indent=2, default=str))
    return 0


@command("retention")
def cmd_retention(args: argparse.Namespace, app: App) -> int:
    days = args.days or app.config.settings.privacy.retention_days
    if not days:
        log.error("no retention period: set privacy.retention_days in the config or pass --days")
        return 2
    from monitor.jobs.retention import purge_old_mentions  # it cancels queued replies: the outbox

    counts = purge_old_mentions(app.engine, days)
    emit(args, counts, ", ".join(f"{name}: {n}" for name, n in counts.items()) or "nothing older than that")
    return 0


def add_parsers(add: AddParser) -> None:
    add("init", "create or upgrade the schema; write a starter config.yaml", json_flag=False)
    p = add("import", "load historic posts idempotently")
    p.add_argument("file", help="the file to read (CSV for twcs, JSON for twitter-care, JSON lines for jsonl)")
    p.add_argument("--format", required=True, choices=["twcs", "twitter-care", "jsonl"],
                   help="twcs: Customer Support on Twitter CSV; twitter-care: IBM's conversation JSON; "
                        "jsonl: what `nasluch export` writes")
    p.add_argument("--brand", help="the brand every imported mention belongs to (default: by the config's queries)")
    p = add("export", "everything, as import --format jsonl reads it", json_flag=False)
    p.add_argument("--format", default="jsonl", choices=["jsonl"], help="the output format")
    p.add_argument("--since", type=parse_day, metavar="DATE", help="only mentions posted from this day or time (UTC)")
    p = add("search", "mentions matching a query")
    p.add_argument("query", help='the query language of config.yaml, e.g. \'acme "nie działa" lang:pl\'')
    p.add_argument("--count", action="store_true", help="print only how many match")
    p.add_argument("--limit", type=int, default=50, help="show at most this many, newest first")
    p.add_argument("--since", type=parse_day, metavar="DATE", help="posted from this day (2026-01-31) or time, UTC")
    p.add_argument("--until", type=parse_day, metavar="DATE", help="posted before this day or time, UTC")
    p = add("erase-author", "delete everything stored about one author")
    p.add_argument("handle", help="the author's handle, with or without @")
    p.add_argument("--source", help="only on this network (x, reddit, ...); default: every network")
    p = add("export-author", "everything stored about one author, as JSON (data subject access)", json_flag=False)
    p.add_argument("handle", help="the author's handle, with or without @")
    p.add_argument("--source", help="only on this network (x, reddit, ...); default: every network")
    p = add("retention", "delete mentions older than privacy.retention_days (the scheduler does it hourly)")
    p.add_argument("--days", type=int, help="keep this many days instead of privacy.retention_days")
