"""The command line is a contract: names, flags and JSON shapes that other people's scripts read."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlalchemy as sa

from monitor.cli.main import main


@pytest.fixture
def run(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NASLUCH_DB", raising=False)
    db = f"sqlite:///{tmp_path / 'cli.db'}"

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = main(["--config", "config.yaml", "--db", db, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_import_json_summary_and_idempotence(run, shared_data):
    path = str(shared_data / "twcs_sample.csv")
    code, out, _ = run("import", path, "--format", "twcs", "--json")
    first = json.loads(out)
    assert code == 0
    assert {k: first[k] for k in ("read", "inserted", "duplicates", "rejected", "errors")} == {
        "read": 93, "inserted": 93, "duplicates": 0, "rejected": 0, "errors": []}
    code, out, _ = run("import", path, "--format", "twcs", "--json")
    assert json.loads(out)["inserted"] == 0 and json.loads(out)["duplicates"] == 93


def test_import_of_a_missing_file_is_a_clear_error(run, tmp_path):
    code, out, err = run("import", str(tmp_path / "nope.csv"), "--format", "twcs", "--json")
    assert code == 2 and out == "" and "cannot read" in err and "nope.csv" in err


def test_search_count_and_mentions_shape(run, shared_data):
    run("import", str(shared_data / "twcs_sample.csv"), "--format", "twcs")
    code, out, _ = run("search", "battery OR batteries", "--json")
    data = json.loads(out)
    assert code == 0 and data["count"] >= 1 and len(data["mentions"]) == data["count"]
    mention = data["mentions"][0]
    assert {"id", "source", "external_id", "url", "author", "text", "created_at", "lang", "sentiment",
            "status"} <= set(mention)
    assert "batter" in mention["text"].lower()
    code, out, _ = run("search", "battery OR batteries", "--count", "--json")
    assert json.loads(out) == {"count": data["count"]}


def test_bad_query_is_rejected_with_its_position(run):
    code, out, err = run("search", "acme AND (", "--json")
    assert code == 2 and out == "" and "position" in err


def test_heatmap_has_all_168_cells_in_the_requested_zone(run, shared_data):
    run("import", str(shared_data / "twcs_sample.csv"), "--format", "twcs")
    code, out, _ = run("report", "heatmap", "--tz", "Asia/Tokyo", "--json")
    data = json.loads(out)
    assert data["tz"] == "Asia/Tokyo" and len(data["cells"]) == 168
    assert {(c["weekday"], c["hour"]) for c in data["cells"]} == {(d, h) for d in range(7) for h in range(24)}
    assert sum(c["count"] for c in data["cells"]) == 49


def test_response_times_json_shape(run, shared_data):
    run("import", str(shared_data / "twcs_sample.csv"), "--format", "twcs")
    code, out, _ = run("report", "response-times", "--sla-minutes", "30", "--json")
    data = json.loads(out)
    assert {"count", "median_s", "p90_s", "within_sla", "by_brand"} <= set(data)
    assert data["count"] > 0 and data["p90_s"] >= data["median_s"] > 0 and 0 <= data["within_sla"] <= 1
    assert "AppleSupport" in data["by_brand"]


def test_erase_author_leaves_no_row_with_the_handle(run, shared_data, tmp_path):
    run("import", str(shared_data / "twitter_care_dev.json"), "--format", "twitter-care")
    code, out, _ = run("erase-author", "CinVakas", "--json")
    counts = json.loads(out)
    assert code == 0 and counts["mentions"] >= 1 and counts["replies"] >= 1
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as connection:
        total = connection.execute(sa.text("SELECT count(*) FROM mention")).scalar()
        assert connection.execute(sa.text("SELECT sum(mentions) FROM mention_rollup")).scalar() == total
        for table in sa.inspect(engine).get_table_names():
            dump = str(connection.execute(sa.text(f'SELECT * FROM "{table}"')).all()).lower()
            assert "cinvakas" not in dump, table


def test_console_script_runs_as_a_separate_process(tmp_path, shared_data):
    db = f"sqlite:///{tmp_path / 'p.db'}"
    result = subprocess.run([sys.executable, "-m", "monitor.cli", "--db", db, "import",
                             str(shared_data / "twcs_sample.csv"), "--format", "twcs", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["inserted"] == 93


def test_demo_loads_scorable_data_with_a_realistic_inbox(run, tmp_path):
    code, _, err = run("demo", "--no-dashboard", "--no-score", "--mentions", "3000")
    assert code == 0, err
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as connection:
        total = connection.execute(sa.text("SELECT count(*) FROM mention")).scalar()
        stale_open = connection.execute(sa.text(
            "SELECT count(*) FROM conversation WHERE status = 'open' "
            "AND started_at < datetime('now', '-7 days')")).scalar()
        open_now = connection.execute(sa.text("SELECT count(*) FROM conversation WHERE status = 'open'")).scalar()
        brands = {row[0] for row in connection.execute(sa.text("SELECT DISTINCT brand FROM mention"))}
    assert total == 3000 and stale_open == 0 and 0 < open_now < total / 5
    assert {"Acme", "Volta", "Kawka"} <= brands


def test_alerts_name_the_baseline_of_each_spike(seeded, capsys):
    """With short history a spike is judged against a fallback: the text says which, and so does the JSON."""
    from monitor.reports.spikes import BASELINES

    url, config = seeded
    assert main(["--config", str(config), "--db", url, "alerts", "--json"]) == 0
    spikes = json.loads(capsys.readouterr().out)["spikes"]
    assert spikes and {spike["baseline"] for spike in spikes} <= set(BASELINES)
    assert main(["--config", str(config), "--db", url, "alerts"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(spikes)
    assert all(line.endswith(f"baseline: {spike['baseline']})") for line, spike in zip(lines, spikes))
