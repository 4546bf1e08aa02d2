"""Erlang C against closed forms and a published worked example; the plan and the shifts."""
from __future__ import annotations

import json
import math

import polars as pl
import pytest

from monitor.reports.staffing import StaffingInputs, agents_needed, erlang_c, plan, service_level, suggest_shifts


@pytest.mark.parametrize("load", [0.1, 0.5, 0.9])
def test_one_agent_is_mm1(load: float) -> None:
    # M/M/1: P(wait) = rho, P(W > t) = rho * exp(-(mu - lambda) t)
    assert erlang_c(1, load) == pytest.approx(load)
    per_hour, handle, target = load * 60 / 6, 6.0, 10.0
    expected = 1 - load * math.exp(-(1 / handle - per_hour / 60) * target)
    assert service_level(1, per_hour, handle, target) == pytest.approx(expected)


@pytest.mark.parametrize("load", [0.4, 1.0, 1.7])
def test_two_agents_match_mm2(load: float) -> None:
    rho = load / 2
    assert erlang_c(2, load) == pytest.approx(2 * rho**2 / (1 + rho))


def test_worked_example_from_call_centre_planning() -> None:
    # 100 contacts per 30 minutes, 180 s each, answer 80% within 20 s: 14 agents
    # (13 reach 79.6%, 14 reach 88.8%, the published Erlang C example).
    assert service_level(13, 200, 3, 20 / 60) == pytest.approx(0.796, abs=0.001)
    assert service_level(14, 200, 3, 20 / 60) == pytest.approx(0.888, abs=0.001)
    assert agents_needed(200, 3, 20 / 60, 0.8) == 14


def test_more_volume_or_a_stricter_target_never_needs_fewer_agents() -> None:
    volumes = [agents_needed(v, 6, 60, 0.9) for v in range(0, 400, 10)]
    assert volumes == sorted(volumes)
    targets = [agents_needed(120, 6, t, 0.9) for t in (120, 60, 30, 5, 1)]
    assert targets == sorted(targets)
    assert agents_needed(0, 6, 60, 0.9) == 0


def test_plan_and_shifts_cover_every_hour() -> None:
    volume = pl.DataFrame({"weekday": [d for d in range(7) for _ in range(24)],
                           "hour_of_day": [h for _ in range(7) for h in range(24)],
                           "per_week": [float(40 + 30 * math.sin(h / 24 * 6.28) + 10 * d) for d in range(7)
                                        for h in range(24)]}, schema={"weekday": pl.Int8, "hour_of_day": pl.Int8,
                                                                      "per_week": pl.Float64})
    grid = plan(volume, StaffingInputs(sla_minutes=30, service_level=0.9, handle_minutes=8))
    assert grid.height == 168 and (grid["service_level"] >= 0.9).all()
    shifts = suggest_shifts(grid, 8)
    on_duty = [0] * 176
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    for day, start, _end, agents in shifts.iter_rows():
        first = days.index(day) * 24 + int(start[:2])
        for slot in range(first, first + 8):
            on_duty[slot] += agents
    assert all(on_duty[w * 24 + h] >= n for w, h, n in grid.select("weekday", "hour", "agents").iter_rows())


def test_flat_need_gets_back_to_back_shifts() -> None:
    grid = pl.DataFrame({"weekday": [0] * 24, "hour": list(range(24)), "agents": [2] * 24})
    shifts = suggest_shifts(grid, 8)
    assert shifts.select("start", "agents").rows() == [("00:00", 2), ("08:00", 2), ("16:00", 2)]


def test_inputs_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError):
        plan(pl.DataFrame(schema={"weekday": pl.Int8, "hour_of_day": pl.Int8, "per_week": pl.Float64}),
             StaffingInputs(service_level=1.5))


def test_cli_report_staffing_gives_the_page_numbers(seeded, capsys) -> None:
    from monitor.cli.main import main
    from monitor.reports.counts import Filters
    from monitor.reports.staffing import staffing_report
    from monitor.store.engine import make_engine

    url, config = seeded
    assert main(["--config", str(config), "--db", url, "report", "staffing", "--tz", "Europe/Warsaw",
                 "--handle-minutes", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["cells"]) == 168 and {"weekday", "hour", "agents"} <= set(data["cells"][0])
    engine = make_engine(url)
    page = staffing_report(engine, Filters(), "Europe/Warsaw", StaffingInputs(handle_minutes=5))
    engine.dispose()
    assert data["cells"] == page["cells"]
    assert sum(c["agents"] for c in data["cells"]) > 0
