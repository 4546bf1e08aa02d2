"""The command line as a person at a terminal meets it: quiet unless asked, tables a human reads,
help for every option, a fast start, and a demo that leaves no process behind."""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.cli.app import ProgressLines
from monitor.cli.demo import supervise
from monitor.cli.main import build_parser, main
from monitor.cli.reports import _response_times_text
from monitor.config import load
from monitor.jobs.collect import health
from monitor.mention import Author, Mention
from monitor.store.engine import head_revisions, upgrade
from monitor.store.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NASLUCH_DB", raising=False)

    def invoke(*argv: str, db: str = "cli.db") -> tuple[int, str, str]:
        code = main(["--config", "config.yaml", "--db", f"sqlite:///{tmp_path / db}", *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


# ---------------------------------------------------------------------------------- logging


def test_a_command_logs_nothing_below_warning_by_default(run):
    code, out, err = run("search", "acme", db="fresh.db")  # a fresh database: alembic migrates it
    assert code == 0 and out.strip() == "no mentions"
    assert "INFO" not in err and "alembic" not in err


def test_verbose_shows_info_and_errors_always_show(run):
    code, _, err = run("-v", "search", "acme", db="verbose.db")
    assert code == 0 and "INFO alembic" in err
    code, _, err = run("collect")
    assert code == 2 and "collect needs --once" in err  # an error is logged without -v


# ----------------------------------------------------------------------------------- tables

SUMMARY = {"count": 3, "median_s": 44862.200000000004, "p90_s": 190000.0, "within_sla": 0.406, "unanswered": 2,
           "sla_minutes": 60}


def test_response_times_read_as_durations_and_percentages():
    data = {**SUMMARY, "by_brand": {"Acme": {**SUMMARY, "median_s": 1500.0, "within_sla": 1.0}},
            "by_source": {}, "by_agent": {}, "by_week": {}}
    text = _response_times_text(data)
    assert "12 h 27 min" in text and "2 d 4 h" in text and "41%" in text
    assert "25 min" in text and "100%" in text
    assert "44862" not in text and "{" not in text
    header = next(line for line in text.splitlines() if line.startswith("brand"))
    assert header.split() == ["brand", "answered", "median", "90th", "pct", "within", "SLA", "unanswered"]


def test_response_times_without_json_is_a_table(run, shared_data):
    run("import", str(shared_data / "twcs_sample.csv"), "--format", "twcs")
    code, out, _ = run("report", "response-times")
    assert code == 0 and not out.lstrip().startswith("{")
    assert re.search(r"\d+ (min|h \d\d min|d \d+ h)", out) and re.search(r"\d+%", out)
    code, out, _ = run("report", "response-times", "--json")
    assert json.loads(out)["count"] > 0  # the contract stays


def test_sources_table_has_a_header(run):
    code, out, _ = run("sources")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["source", "type", "status"] and "mentions 24 h" in lines[0]
    assert {line.split()[0] for line in lines[1:]} >= {"hn", "acme-forum", "x"}


def _mention(number: int, source_name: str, posted: datetime) -> Mention:
    return Mention(source="rss", external_id=f"m{number}", text=f"acme post {number}", created_at=posted,
                   author=Author(f"user{number}"), source_name=source_name)


def test_sources_24h_volume_counts_only_what_was_posted_in_the_last_24_hours(sqlite_engine):
    now = datetime.now(timezone.utc)
    config = load(ROOT / "config.yaml")
    ingest(sqlite_engine, [_mention(1, "hn", now - timedelta(hours=1)),
                           _mention(2, "hn", now - timedelta(hours=23)),
                           _mention(3, "hn", now - timedelta(hours=25)),       # collected now, posted yesterday
                           _mention(4, "hn", now - timedelta(days=30)),        # an import of history
                           _mention(5, "acme-forum", now - timedelta(minutes=5))])
    report = health(sqlite_engine, config, now)
    assert report["hn"]["volume_24h"] == 2 and report["acme-forum"]["volume_24h"] == 1
    assert report["x"]["volume_24h"] == 0
    assert health(sqlite_engine, config, now + timedelta(days=2))["hn"]["volume_24h"] == 0


# ------------------------------------------------------------------------------------- help


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_option_of_every_command_has_help():
    parser = build_parser()
    missing = [(name, action.dest) for name, child in [("nasluch", parser), *_subparsers(parser).items()]
               for action in child._actions if not action.help]
    assert missing == []


def test_report_help_describes_every_option_and_its_default(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    report = _subparsers(build_parser())["report"]
    for action in report._actions:
        for option in action.option_strings:
            assert option in text
    assert "(default: 0.9)" in text and "(default: 4)" in text  # --service-level, --weeks
    assert "default: None" not in text


# ---------------------------------------------------------------------------------- start-up


def test_the_cli_imports_no_model_library_until_a_command_needs_one():
    heavy = ("torch", "transformers", "onnxruntime", "sklearn", "scipy", "numpy", "pandas", "lingua", "alembic",
             "apscheduler")
    code = ("import sys, monitor.cli.main; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert out.strip() == "[]"


def test_head_revisions_agree_with_alembic(sqlite_engine):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from monitor.store.engine import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revisions() == set(ScriptDirectory.from_config(config).get_heads())
    upgrade(sqlite_engine)  # at head: returns without alembic, and changes nothing
    with sqlite_engine.connect() as connection:
        assert {r[0] for r in connection.exec_driver_sql("SELECT version_num FROM alembic_version")} == head_revisions()


def test_progress_lines_say_every_tenth_once(capsys):
    with ProgressLines(20, "scoring") as progress:
        for _ in range(4):
            progress.update(5)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split()[1] for line in lines] == ["20%", "50%", "70%", "100%"]
    assert "20 of 20 mentions" in lines[-1]


# ------------------------------------------------------------------------------------- demo


def _python(source: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(source)]


def _scorer(pid_file: Path, note_file: Path) -> list[str]:
    """A stand-in for `nasluch score`: notes its pid and whether it was asked to stop."""
    return _python(f"""
        import os, signal, sys, time
        def stop(signum, frame):
            open({str(note_file)!r}, "w").write("terminated")
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
        open({str(pid_file)!r}, "w").write(str(os.getpid()))
        time.sleep(120)
    """)


def _wait_for(path: Path, seconds: float = 60.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def _gone(pid: int) -> bool:
    """Neither running nor a zombie waiting to be reaped."""
    return not Path(f"/proc/{pid}").exists()


def test_demo_stops_and_reaps_the_scorer_when_the_dashboard_ends(tmp_path):
    pid_file, note = tmp_path / "scorer.pid", tmp_path / "note"
    dashboard = _python(f"""
        import pathlib, time
        deadline = time.time() + 60
        while not pathlib.Path({str(pid_file)!r}).exists() and time.time() < deadline:
            time.sleep(0.05)
    """)
    code = supervise(dashboard, None, _scorer(pid_file, note))
    assert code == 0
    assert note.read_text() == "terminated"
    assert _gone(int(pid_file.read_text()))


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_demo_stops_both_children_on_a_signal(tmp_path, signum, status):
    pid_file, note = tmp_path / "scorer.pid", tmp_path / "note"
    dash_pid = tmp_path / "dashboard.pid"
    dashboard = _python(f"""
        import os, time
        open({str(dash_pid)!r}, "w").write(str(os.getpid()))
        time.sleep(120)
    """)
    supervisor = subprocess.Popen(
        # SIGINT as at a terminal: a shell's background job would start with it ignored
        [sys.executable, "-c", (f"import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                                f"from monitor.cli.demo import supervise; "
                                f"sys.exit(supervise({dashboard!r}, None, {_scorer(pid_file, note)!r}))")],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        scorer_pid, dashboard_pid = int(_wait_for(pid_file)), int(_wait_for(dash_pid))
        supervisor.send_signal(signum)
        assert supervisor.wait(30) == status
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    assert note.read_text() == "terminated"
    assert _gone(scorer_pid) and _gone(dashboard_pid)


def test_ctrl_c_ends_a_command_quietly(run, monkeypatch):
    from monitor.cli import app

    def interrupted(args, app_):
        raise KeyboardInterrupt

    monkeypatch.setitem(app.COMMANDS, "search", interrupted)
    code, _, err = run("search", "acme")
    assert code == 130 and "Traceback" not in err and "interrupted" in err


def test_the_served_dashboard_has_no_file_watcher_and_no_developer_toolbar():
    from monitor.cli.demo import dashboard_command

    def options(argv: list[str]) -> dict[str, str]:  # each --option with the value after it
        return {name: value for name, value in zip(argv, argv[1:]) if name.startswith("--")}

    served = options(dashboard_command(8501))
    assert served["--server.fileWatcherType"] == "none"
    assert served["--client.toolbarMode"] == "viewer"  # no "Deploy" button for agents
    assert "--browser.serverAddress" not in served
    assert options(dashboard_command(8501, local=True))["--browser.serverAddress"] == "localhost"
