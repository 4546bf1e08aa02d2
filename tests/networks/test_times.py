"""Time as the networks write it: ISO 8601 with or without `Z` or an offset, and Unix seconds."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from networks import times

MOMENT = datetime(2024, 11, 12, 9, 31, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [
    "2024-11-12T09:31:10Z", "2024-11-12T09:31:10.000Z", "2024-11-12T10:31:10+01:00",
    "2024-11-12T09:31:10", 1731403870, 1731403870.0, "2024-11-12T09:31:10+0000",
])
def test_parse_time_gives_aware_utc(value) -> None:
    parsed = times.parse_time(value)
    assert parsed == MOMENT and parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("value", [None, ""])
def test_nothing_stays_nothing(value) -> None:
    assert times.parse_time(value) is None


def test_iso_writes_z_and_reads_back() -> None:
    assert times.iso(MOMENT) == "2024-11-12T09:31:10Z"
    assert times.parse_time(times.iso(MOMENT)) == MOMENT


def test_the_clock_is_aware_utc() -> None:
    assert times.now().tzinfo is not None and times.now().utcoffset().total_seconds() == 0
