"""`demo` and `dashboard`: the generated demo data set and the Streamlit app.

The demo runs two children: the dashboard in the foreground and the scorer beside it. Neither
may outlive the command: when the dashboard ends, or Ctrl-C or SIGTERM arrives, the scorer is
terminated and waited for (`supervise`).
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from monitor.cli.app import AddParser, App, command
from monitor.trust import auth

log = logging.getLogger(__name__)
DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard.py"
STOP_TIMEOUT_S = 10.0


@command("demo")
def cmd_demo(args: argparse.Namespace, app: App) -> int:
    from monitor.demo.setup import load_demo  # the generator and its phrase books: demo only

    print(f"nasluch demo: generating {args.mentions:,} mentions into {app.db_url} ...", file=sys.stderr, flush=True)
    counts = load_demo(app, seed=args.seed, mentions=args.mentions)
    log.info("demo data: %s", counts)
    if args.no_dashboard:
        if not args.no_score:
            from monitor.jobs.scoring import score_all

            result = score_all(app.engine, app.config.settings)
            print(f"scored {result.scored:,} mentions in {result.seconds:.1f} s", file=sys.stderr)
        return 0
    password = _demo_sign_in(app)
    print(banner(args.port, password, scoring=not args.no_score), file=sys.stderr, flush=True)
    scorer = None if args.no_score else scorer_command(app)
    return supervise(dashboard_command(args.port, local=True), dashboard_env(app), scorer)


def banner(port: int, password: str | None, scoring: bool = True) -> str:
    """The two things a demo user needs, on their own, before the dashboard starts talking."""
    rule = "─" * 64
    lines = ["", rule, f"  Nasłuch demo: open  http://localhost:{port}"]
    if password:
        lines.append(f"  sign in as demo, password  {password}   (shown once; not stored in clear)")
    if scoring:
        lines += ["  The charts fill in as the scorer works through the mentions.",
                  "  Ctrl-C stops the dashboard and the scorer.", rule, ""]
    else:
        lines += ["  Ctrl-C stops the dashboard.", rule, ""]
    return "\n".join(lines)


def _demo_sign_in(app: App) -> str | None:
    """The dashboard asks for sign-in: a demo database without any password gets a `demo` admin
    with a fresh random password, shown once on the terminal (not logged)."""
    if not app.config.settings.auth.required or any(u["has_password"] for u in auth.list_users(app.engine)):
        return None
    password = secrets.token_urlsafe(12)
    auth.add_user(app.engine, "demo", "admin", password)
    return password


def scorer_command(app: App) -> list[str]:
    """Pages open at once and fill as the model scores, newest mentions first (a few minutes for
    the demo set on two cores; the first run also converts the model). Progress is a line every
    10 % and the total at the end, on our stderr."""
    return [sys.executable, "-m", "monitor.cli", "--config", str(app.config_path), "--db", app.db_url,
            "score", "--progress", "lines"]


def dashboard_command(port: int, local: bool = False) -> list[str]:
    # No file watcher: an installed app does not change under us, and on a machine with many
    # files Streamlit's watcher floods the terminal with "Inotify overflow" instead. The toolbar in
    # viewer mode: agents get no "Deploy" button or developer menu.
    command_line = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD), "--server.port", str(port),
                    "--server.headless", "true", "--browser.gatherUsageStats", "false",
                    "--server.fileWatcherType", "none", "--server.runOnSave", "false",
                    "--client.toolbarMode", "viewer"]
    if local:  # the demo: one URL on the terminal, and no lookup of an external IP (offline it fails noisily)
        command_line += ["--browser.serverAddress", "localhost"]
    return command_line


def dashboard_env(app: App) -> dict[str, str]:
    app.engine  # noqa: B018  (creates or upgrades the schema before the app reads it)
    return {**os.environ, "NASLUCH_DB": app.db_url, "NASLUCH_CONFIG": str(app.config_path.resolve())}


class _Stop(Exception):
    """SIGTERM, turned into an exception so the `finally` that stops the children runs."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop(signum)


def supervise(foreground: Sequence[str], env: dict[str, str] | None, background: Sequence[str] | None = None) -> int:
    """Run `foreground` (the dashboard) to its end with `background` (the scorer) beside it.

    Whatever ends the foreground (its own exit, Ctrl-C, SIGTERM to us), the background child is
    terminated, then killed if it does not stop within STOP_TIMEOUT_S, and always waited for, so
    no zombie or orphan is left. A background child that finishes first is reaped at once by a
    watcher thread, which also reports how it ended.
    """
    children: list[subprocess.Popen] = []
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:  # signal handlers can only be set there
        previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _raise_stop)
    try:
        if background:
            scorer = subprocess.Popen(list(background), env=env, stdin=subprocess.DEVNULL, stdout=_stderr_fd())
            children.append(scorer)
            threading.Thread(target=_report_end, args=(scorer,), name="scorer-reaper", daemon=True).start()
        dashboard = subprocess.Popen(list(foreground), env=env, stdin=subprocess.DEVNULL)
        children.append(dashboard)
        return _wait(dashboard)
    except KeyboardInterrupt:
        return 130
    except _Stop:
        return 128 + signal.SIGTERM
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        try:
            for child in reversed(children):
                stop(child)
        finally:
            if main_thread:
                for signum, handler in zip((signal.SIGINT, signal.SIGTERM), previous):
                    signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _stderr_fd() -> int | None:
    """The scorer's output (its final "scored N mentions") goes to our stderr, beside its progress."""
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # a replaced stderr (tests): inherit ours
        return None


def _wait(child: subprocess.Popen) -> int:
    """`child.wait()` in short steps. A signal may be delivered to any thread (the reaper, polars'
    pool); Python runs its handler only when the main thread next runs bytecode, and a main thread
    blocked in one long waitpid() would not, until the dashboard ended by itself."""
    while True:
        try:
            return child.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue


def stop(child: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> int:
    """Terminate `child` if it still runs, kill it if it will not go, and reap it."""
    if child.poll() is None:
        child.terminate()
        try:
            return child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
    return child.wait()


def _report_end(scorer: subprocess.Popen) -> None:
    code = scorer.wait()
    if code not in (0, 130, -signal.SIGTERM, -signal.SIGINT, -signal.SIGKILL):  # 130: `main` after Ctrl-C
        print(f"nasluch demo: the background scorer stopped with status {code}; run `nasluch score` "
              "to finish", file=sys.stderr, flush=True)


@command("dashboard")
def cmd_dashboard(args: argparse.Namespace, app: App) -> int:
    print(f"nasluch dashboard: http://localhost:{args.port}", file=sys.stderr, flush=True)
    return supervise(dashboard_command(args.port), dashboard_env(app))


def add_parsers(add: AddParser) -> None:
    p = add("demo", "init, generate the demo data, score it in the background, open the dashboard", json_flag=False)
    p.add_argument("--seed", type=int, default=7, help="random seed of the generated data set")
    p.add_argument("--mentions", type=int, default=20_000, help="how many mentions to generate")
    p.add_argument("--port", type=int, default=8501, help="the dashboard's port on localhost")
    p.add_argument("--no-dashboard", action="store_true", help="load (and score) the data and stop")
    p.add_argument("--no-score", action="store_true", help="leave sentiment to a later `nasluch score`")
    p = add("dashboard", "start the Streamlit app", json_flag=False)
    p.add_argument("--port", type=int, default=8501, help="the dashboard's port on localhost")
