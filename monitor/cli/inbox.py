"""`reply`: answer a mention from the command line, through the same outbox as the dashboard."""
from __future__ import annotations

import argparse
import logging

from monitor.cli.app import AddParser, App, command, emit
from monitor.inbox.actions import send_reply
from responders import build_responders

log = logging.getLogger(__name__)


@command("reply")
def cmd_reply(args: argparse.Namespace, app: App) -> int:
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


def add_parsers(add: AddParser) -> None:
    p = add("reply", "queue a reply to a mention; sent at once when its network's responder is configured")
    p.add_argument("mention_id", type=int)
    p.add_argument("text", help="may use {author}, {agent} and {brand}")
    p.add_argument("--agent", required=True)
