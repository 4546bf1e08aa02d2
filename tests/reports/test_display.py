"""What every table and time on screen looks like: the configured zone, human headers, "—"."""
from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from monitor.reports.display import MISSING, for_display, header, headers, time_text

WINTER = datetime(2026, 11, 20, 12, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)


def test_a_stored_time_is_shown_in_the_configured_zone_and_says_which() -> None:
    assert time_text(WINTER, "Europe/Warsaw") == "2026-11-20 13:05 CET"
    assert time_text(SUMMER, "Europe/Warsaw") == "2026-07-02 00:30 CEST"
    assert time_text(WINTER, "Asia/Tokyo") == "2026-11-20 21:05 JST"
    assert time_text(None, "Europe/Warsaw") == MISSING
    assert "+00:00" not in time_text(WINTER, "UTC") and "UTC" in time_text(WINTER, "UTC")


def test_tables_show_local_times_human_headers_and_dashes() -> None:
    frame = pl.DataFrame({"created_at": [WINTER, None], "author_handle": ["ola", None],
                          "macro_f1": [8.6897, None], "mentions": [3, 4], "share": [0.25, 0.5]},
                         schema={"created_at": pl.Datetime("us", "UTC"), "author_handle": pl.Utf8,
                                 "macro_f1": pl.Float64, "mentions": pl.Int64, "share": pl.Float64})
    shown = for_display(frame, "Europe/Warsaw")
    assert shown["created_at"].to_list() == ["2026-11-20 13:05", MISSING]
    assert shown["author_handle"].to_list() == ["ola", MISSING]
    assert shown["macro_f1"].to_list() == ["8.7", MISSING]
    assert shown["mentions"].to_list() == [3, 4] and shown["share"].to_list() == [0.25, 0.5]  # no gaps: numbers
    assert "None" not in str(shown.rows())
    assert headers(frame, "Europe/Warsaw") == {"created_at": "Time (Europe/Warsaw)", "author_handle": "Author",
                                               "macro_f1": "Macro f1", "mentions": "Mentions", "share": "Share"}
    assert header("first_per_week") == "First per week" and header("UMSAB val") == "UMSAB val"
