"""How the queue says its numbers."""
from __future__ import annotations

import polars as pl
import pytest

from monitor.inbox.display import followers_text, priority_number, priority_text, queue_table, sla_text, waiting_text


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "-"), (0, "0 min"), (12 * 60, "12 min"), (3 * 3600 + 5 * 60, "3 h 05 min"),
    (6 * 86400 + 2 * 3600 + 59, "6 d 2 h"), (-90 * 60, "-1 h 30 min")])
def test_waiting(seconds, text):
    assert waiting_text(seconds) == text


@pytest.mark.parametrize(("left", "text"), [
    (None, "-"), (32 * 60 + 10, "32 min left"), (2 * 3600, "2 h 00 min left"), (-5 * 86400 - 7200, "overdue 5 d"),
    (-3 * 3600 - 60, "overdue 3 h"), (-12 * 60, "overdue 12 min")])
def test_sla(left, text):
    assert sla_text(left) == text


@pytest.mark.parametrize(("value", "text"), [(None, "-"), (0.0, "0"), (72.6, "73"), (54.4999, "54"), (100.0, "100"),
                                             (130.0, "100")])
def test_priority_is_a_whole_number(value, text):
    assert priority_text(value) == text and (value is None or priority_number(value) == int(text))


@pytest.mark.parametrize(("followers", "text"), [
    (None, "-"), (0, "0"), (950, "950"), (1_000, "1 k"), (488_123, "488 k"), (999_600, "1 M"), (1_200_000, "1.2 M"),
    (3_000_000, "3 M"), (25_400_000, "25 M")])
def test_followers(followers, text):
    assert followers_text(followers) == text


def test_queue_table_has_human_columns():
    frame = pl.DataFrame({
        "conversation_id": [1, 2, 3], "priority": [72.6, 10.2, 99.0], "waiting_s": [6 * 86400 + 7200.0, 600.0, None],
        "sla_left_s": [-5 * 86400.0, 3000.0, None], "closing": [False, True, False], "needs_reply": [True, True, False],
        "status": ["open"] * 3, "source": ["x"] * 3, "brand": ["Acme"] * 3, "lang": ["pl"] * 3,
        "sentiment": ["negative", "positive", None], "author": ["a", "b", "c"], "followers": [488_000, None, 12],
        "preview": ["nie działa", "dzięki", "ok"], "assignee": [None, None, "Ola"]})
    table = queue_table(frame, limit=50)
    assert table["priority"].to_list() == ["73", "10", "99"]
    assert table["waiting"].to_list() == ["6 d 2 h", "10 min", "answered"]
    assert table["SLA"].to_list() == ["overdue 5 d", "50 min left", "-"]
    assert table["followers"].to_list() == ["488 k", "-", "12"]
    assert table["state"].to_list() == ["needs reply", "thanks: close?", "waiting on customer"]
    assert table["sentiment"].to_list() == ["negative", "positive", "scoring pending"]  # never a literal None
