"""`nasluch user ...`: dashboard accounts from the command line (the first admin starts here).

Passwords are read from a prompt or, for scripts, one line on stdin (`--password-stdin`): never
from the command line, where shell history and `ps` would keep them.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from monitor.cli.app import AddParser, App, command, emit
from monitor.trust import auth

ACTIONS = ("add", "list", "role", "passwd", "disable", "enable", "remove", "hash")


def add_parsers(add: AddParser) -> None:
    parser = add("user", "dashboard users: add, list, role, passwd, disable, enable, remove, hash")
    parser.add_argument("action", choices=ACTIONS, help="what to do with the account")
    parser.add_argument("name", nargs="?", help="the user's name (not for list and hash)")
    parser.add_argument("--role", choices=auth.ROLES, help="add: defaults to viewer; role: the new role")
    parser.add_argument("--email", help="add: the e-mail the identity provider (OIDC) reports for them")
    parser.add_argument("--no-password", action="store_true", help="add: sign-in through the identity provider only")
    parser.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


@command("user")
def cmd_user(args: argparse.Namespace, app: App) -> int:
    """Do one account action; a problem is one line on stderr and exit status 2."""
    engine = app.engine if args.action != "hash" else None
    try:
        if args.action == "hash":
            print(auth.hash_password(_password(args)))
            return 0
        if args.action == "list":
            users = auth.list_users(engine)
            emit(args, users, "\n".join(f"{u['name']:<24} {u['role']:<7} {'disabled' if u['disabled'] else ''}"
                                        for u in users) or "no users")
            return 0
        if not args.name:
            raise ValueError(f"user {args.action} needs a name")
        _change(args, engine)
    except (ValueError, LookupError) as error:
        print(f"nasluch: {error}", file=sys.stderr)
        return 2
    emit(args, {"user": args.name, "done": args.action}, f"user {args.name}: {args.action} done")
    return 0


def _change(args: argparse.Namespace, engine: Any) -> None:
    if args.action == "add":
        password = None if args.no_password else _password(args)
        auth.add_user(engine, args.name, args.role or "viewer", password, email=args.email)
    elif args.action == "role":
        if not args.role:
            raise ValueError("user role needs --role viewer|agent|admin")
        auth.update_user(engine, args.name, role=args.role)
    elif args.action == "passwd":
        auth.update_user(engine, args.name, password=_password(args))
    elif args.action in ("disable", "enable"):
        auth.update_user(engine, args.name, disabled=args.action == "disable")
    elif args.action == "remove":
        auth.remove_user(engine, args.name)
