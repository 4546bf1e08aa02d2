"""`nasluch`: the parser made from every command group, and the entry point.

A contract (DESIGN.md): command names and JSON shapes stay as they are.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

from monitor.cli import collection, data, demo, inbox, model, reports, users
from monitor.cli.app import COMMANDS, App
from monitor.config import ConfigError
from monitor.query.parser import QuerySyntaxError

GROUPS = (data, reports, collection, inbox, users, model, demo)


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

    for group in GROUPS:
        group.add_parsers(add)
    return parser


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
    except PermissionError as error:  # monitor.trust.auth.Forbidden: a role that does not allow the action
        print(f"nasluch: not allowed: {error}", file=sys.stderr)
        return 3
    except BrokenPipeError:
        return 0
