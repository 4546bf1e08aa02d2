"""What every command shares: the validated config and database engine (`App`), the command
registry, and the output helpers. Command groups register themselves with `@command`.

With `--json` a command prints one JSON document on stdout; logs and progress go to stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Self

from sqlalchemy.engine import make_url
from tqdm import tqdm

from monitor.config import Config, database_url, load
from monitor.query.parser import BrandMatcher
from monitor.store.engine import make_engine, upgrade
from monitor.trust.auth import sync_config_users

Command = Callable[[argparse.Namespace, "App"], int]
AddParser = Callable[..., argparse.ArgumentParser]
COMMANDS: dict[str, Command] = {}


class App:
    """The validated config and the database engine, made once per command."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.config_path = Path(args.config)
        self.config: Config = load(self.config_path)
        self._engine = None

    @property
    def db_url(self) -> str:
        return database_url(self.config, self.args.db)

    @property
    def engine(self):
        if self._engine is None:
            self._engine = make_engine(self.db_url)
            upgrade(self._engine)
            if self.config.settings.agents:
                sync_config_users(self._engine, self.config.settings.agents)
        return self._engine

    def matcher(self) -> BrandMatcher | None:
        queries = self.config.settings.brand_queries()
        return BrandMatcher(queries) if queries else None


def command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function
    return register


def emit(args: argparse.Namespace, data: Any, text: str | None = None) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, default=str))
    else:
        print(text if text is not None else json.dumps(data, ensure_ascii=False, indent=2, default=str))


def text_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], right: Sequence[str] = ()) -> str:
    """Columns padded to their widest cell, a header line on top; `right` names the columns of
    numbers, aligned right. Cells are shown as `str`, None as "-"."""
    cells = [["-" if value is None else str(value) for value in row] for row in rows]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if name in right else v.ljust(w)
                         for v, w, name in zip(values, widths, columns)).rstrip()
    return "\n".join(line(values) for values in [list(columns), *cells])


def parse_day(value: str) -> datetime:
    """`--since 2026-01-31` or a full ISO time; dates are midnight UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-01-31 or 2026-01-31T18:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def progress_bar(total: int, description: str, lines: bool = False):
    """A progress bar on a terminal only; scripts reading stderr get no carriage-return noise.
    With `lines`, one plain line every 10 % instead, for a process whose stderr others share
    (the demo's background scorer writes beside the dashboard)."""
    if lines:
        return ProgressLines(total, description)
    return tqdm(total=total, desc=description, unit=" posts", disable=not sys.stderr.isatty(), file=sys.stderr)


class ProgressLines:
    """`scoring: 30% (6,000 of 20,000 mentions, 41 s)` on stderr at every further tenth."""

    def __init__(self, total: int, description: str, step: int = 10) -> None:
        self.total, self.description, self.step = total, description, step
        self.done, self.shown = 0, 0
        self.started = time.monotonic()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, count: int) -> None:
        self.done += count
        percent = 100 * self.done // self.total if self.total else 100
        if percent >= self.shown + self.step:
            self.shown = percent - percent % self.step
            print(f"{self.description}: {self.shown}% ({self.done:,} of {self.total:,} mentions, "
                  f"{time.monotonic() - self.started:.0f} s)", file=sys.stderr, flush=True)


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
