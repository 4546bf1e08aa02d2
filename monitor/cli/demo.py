"""`demo` and `dashboard`: the generated demo data set and the Streamlit app."""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

from monitor.cli.app import AddParser, App, command
from monitor.demo.setup import load_demo
from monitor.jobs.scoring import score_all
from monitor.trust import auth

log = logging.getLogger(__name__)
DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard.py"


@command("demo")
def cmd_demo(args: argparse.Namespace, app: App) -> int:
    counts = load_demo(app, seed=args.seed, mentions=args.mentions)
    log.info("demo data: %s", counts)
    if args.no_dashboard:
        if not args.no_score:
            log.info("scoring: %s", score_all(app.engine, app.config.settings).as_json())
        return 0
    _demo_sign_in(app)
    scorer = None if args.no_score else _score_in_background(app)
    try:
        return run_dashboard(app, args.port)
    finally:
        if scorer is not None and scorer.poll() is None:
            scorer.terminate()


def _score_in_background(app: App) -> subprocess.Popen:
    """Pages open at once and fill as the model scores, newest mentions first (a few minutes for
    the demo set on two cores; the first run also converts the model)."""
    log.info("scoring the demo mentions in the background; charts show 'scoring pending' until done")
    return subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(app.config_path), "--db",
                             app.db_url, "score"], stdout=subprocess.DEVNULL)


def _demo_sign_in(app: App) -> None:
    """The dashboard asks for sign-in: a demo database without any password gets a `demo` admin
    with a fresh random password, shown once on the terminal (not logged)."""
    if not app.config.settings.auth.required or any(u["has_password"] for u in auth.list_users(app.engine)):
        return
    password = secrets.token_urlsafe(12)
    auth.add_user(app.engine, "demo", "admin", password)
    print(f"Sign in to the dashboard as: demo  password: {password}", file=sys.stderr)


@command("dashboard")
def cmd_dashboard(args: argparse.Namespace, app: App) -> int:
    return run_dashboard(app, args.port)


def run_dashboard(app: App, port: int) -> int:
    app.engine  # noqa: B018  (creates or upgrades the schema before the app reads it)
    env = {**os.environ, "NASLUCH_DB": app.db_url, "NASLUCH_CONFIG": str(app.config_path.resolve())}
    command_line = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD), "--server.port", str(port),
                    "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    log.info("dashboard on http://localhost:%d", port)
    return subprocess.call(command_line, env=env)


def add_parsers(add: AddParser) -> None:
    p = add("demo", "init, generate the demo data, open the dashboard", json_flag=False)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--mentions", type=int, default=20_000)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--no-dashboard", action="store_true", help="load (and score) the data and stop")
    p.add_argument("--no-score", action="store_true", help="leave sentiment to a later `nasluch score`")
    p = add("dashboard", "start the Streamlit app", json_flag=False)
    p.add_argument("--port", type=int, default=8501)
