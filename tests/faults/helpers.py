"""What the fault tests share: a fresh database per backend, `nasluch` as a real subprocess,
waiting on the database, and counting what is stored."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from monitor.store.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]


def nasluch(*argv: str, config: Path, db: str, **popen) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "NASLUCH_DB"} | popen.pop("env", {})
    return subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(config), "--db", db, *argv],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def scalar(db: str, sql: str) -> int:
    engine = make_engine(db)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(sql)).scalar() or 0)
    except sa.exc.SQLAlchemyError:
        return 0  # schema not there yet
    finally:
        engine.dispose()


def wait_for(condition: Callable[[], bool], timeout: float, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process ended before {what}: {process.stderr.read()[-2000:]}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def integrity(db: str) -> dict[str, int]:
    """Counts that must agree after any crash: rows, distinct keys, rollup total, orphans."""
    return {
        "mentions": scalar(db, "SELECT count(*) FROM mention"),
        "distinct": scalar(db, "SELECT count(*) FROM (SELECT DISTINCT source, external_id FROM mention) d"),
        "rollup": scalar(db, "SELECT coalesce(sum(mentions), 0) FROM mention_rollup"),
        "orphans": scalar(db, "SELECT count(*) FROM mention m LEFT JOIN conversation c ON c.id = m.conversation_id "
                              "WHERE c.id IS NULL"),
    }
