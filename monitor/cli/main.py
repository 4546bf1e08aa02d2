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
DESCRIPTION = """Listen to what people say about your brand.

The database URL comes from --db, else $NASLUCH_DB, else database.url in the config, else
sqlite:///nasluch.db. Commands that report something print a table, or with --json one JSON
document on stdout; logs go to stderr (warnings and errors only, unless -v)."""


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Shows each option's default, except the empty ones ("default: None" helps nobody)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, argparse.SUPPRESS) or action.option_strings == []:
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nasluch", description=DESCRIPTION, formatter_class=HelpFormatter)
    parser.add_argument("--config", default=os.environ.get("NASLUCH_CONFIG", "config.yaml"),
                        help="the config file (else $NASLUCH_CONFIG)")
    parser.add_argument("--db", help="database URL (else $NASLUCH_DB, else database.url in the config)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log everything (INFO and DEBUG) to stderr; without it: warnings and errors only")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                help="one of these; `nasluch COMMAND --help` describes its options")

    def add(name: str, help_text: str, json_flag: bool = True) -> argparse.ArgumentParser:
        child = sub.add_parser(name, help=help_text, description=help_text, formatter_class=HelpFormatter)
        if json_flag:
            child.add_argument("--json", action="store_true", help="one JSON document on stdout instead of a table")
        return child

    for group in GROUPS:
        group.add_parsers(add)
    return parser


def configure_logging(verbose: bool) -> None:
    """WARNING by default, so a command's output is not buried in library chatter (alembic's
    "Context impl SQLiteImpl." and the like); `-v` shows everything, DEBUG included, as it did."""
    level = logging.DEBUG if verbose else logging.WARNING
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s", force=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
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
    except KeyboardInterrupt:  # Ctrl-C: stop quietly (the demo's scorer gets it too), no traceback
        print("nasluch: interrupted", file=sys.stderr)
        return 130
