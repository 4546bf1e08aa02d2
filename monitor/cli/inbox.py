"""`inbox` and `reply`: the dashboard's queue, in its order, and answering a mention from the
command line through the same outbox as the dashboard."""
from __future__ import annotations

import argparse
import logging
from typing import Any

import polars as pl

from monitor.cli.app import AddParser, App, command, emit
from monitor.inbox.display import priority_number, queue_table
from monitor.inbox.queue import VIEWS, queue

log = logging.getLogger(__name__)


@command("reply")
def cmd_reply(args: argparse.Namespace, app: App) -> int:
    # the responders (and through them every network's client) load only to send
    from monitor.inbox.actions import send_reply
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


@command("inbox")
def cmd_inbox(args: argparse.Namespace, app: App) -> int:
    settings = app.config.settings
    frame = queue(app.engine, settings.sla_minutes, view=args.view, weights=settings.inbox.urgency)
    shown = frame.head(args.limit) if args.limit else frame
    data = {"count": frame.height, "conversations": [_conversation_json(row) for row in shown.iter_rows(named=True)]}
    emit(args, data, _table(shown, frame.height) if not args.json else None)
    return 0


def _seconds(value: float | None) -> int | None:
    return None if value is None else int(value)


def _conversation_json(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["conversation_id"], "brand": row["brand"], "source": row["source"], "status": row["status"],
            "needs_reply": row["needs_reply"], "closing": row["closing"], "priority": priority_number(row["priority"]),
            "waiting_s": _seconds(row["waiting_s"]), "sla_left_s": _seconds(row["sla_left_s"]),
            "sentiment": row["sentiment"], "author": row["author"], "preview": row["preview"]}


def _table(frame: pl.DataFrame, total: int) -> str:
    """A terminal table: the dashboard's columns that fit a line, customer words cut short."""
    rows = queue_table(frame).select("#", "priority", "waiting", "SLA", "state", "source", "author", "preview")
    rows = rows.with_columns(pl.col("preview").str.replace_all(r"\s+", " ").str.slice(0, 60),
                             pl.col("author").fill_null("").str.slice(0, 24)).fill_null("-")
    columns = rows.columns
    cells = [[str(value) for value in row] for row in rows.iter_rows()]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(columns)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip() for values in [columns, *cells]]
    return "\n".join([*lines, f"{len(cells)} of {total} conversations"])


def add_parsers(add: AddParser) -> None:
    p = add("inbox", "the queue of conversations, in the dashboard's order")
    p.add_argument("--view", choices=VIEWS, default="needs-reply",
                   help="needs-reply: the customer spoke last; waiting-on-customer: our reply was last; all")
    p.add_argument("--limit", type=int, default=None, help="show only the first N (default: all)")
    p = add("reply", "queue a reply to a mention; sent at once when its network's responder is configured")
    p.add_argument("mention_id", type=int, help="the mention to answer (`id` in search and inbox JSON)")
    p.add_argument("text", help="may use {author}, {agent} and {brand}")
    p.add_argument("--agent", required=True, help="who answers: a user name (config agents or `nasluch user`)")
