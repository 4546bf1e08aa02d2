"""Tables and times as people read them on every page: one time zone (the config's, named), human
column headers, a dash where there is no value, floats to one decimal.

Pure functions on polars frames, so the dashboard's pages (`views.common.table`) and tests share
them; `monitor.inbox.display` does the same for the queue's waits and priorities.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl

MISSING = "—"
TIME_TEXT = "%Y-%m-%d %H:%M"
HEADERS = {"lang": "Language", "author_handle": "Author", "author_name": "Author name",
           "author_followers": "Followers", "hour_of_day": "Hour", "created_at": "Time", "at": "Time"}


def header(name: str) -> str:
    """"author_handle" → "Author", "first_per_week" → "First per week": no snake_case on screen."""
    if name in HEADERS:
        return HEADERS[name]
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words and not words[:1].isupper() else words


def time_text(moment: datetime | None, tz: str) -> str:
    """"2026-11-20 13:05 CET": a stored (UTC) time as wall-clock time of the configured zone,
    labelled with the zone's abbreviation; "—" when there is none."""
    if moment is None:
        return MISSING
    local = moment.astimezone(ZoneInfo(tz)) if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(
        ZoneInfo(tz))
    return f"{local:{TIME_TEXT}} {local.tzname()}"


def local_times(frame: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Every zoned datetime column as wall-clock time of `tz` without a zone, so neither UTC nor the
    browser's own zone reaches the screen (the header names the zone instead)."""
    zoned = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime) and dtype.time_zone]
    return frame.with_columns(pl.col(c).dt.convert_time_zone(tz).dt.replace_time_zone(None) for c in zoned)


def headers(frame: pl.DataFrame, tz: str) -> dict[str, str]:
    """Each column's header; times say their zone: "Time (Europe/Warsaw)"."""
    return {name: f"{header(name)} ({tz})" if isinstance(dtype, pl.Datetime) else header(name)
            for name, dtype in frame.schema.items()}


def _number_text(value: float | None, decimals: int) -> str:
    if value is None:
        return MISSING
    return f"{value:,}" if isinstance(value, int) else f"{value:,.{decimals}f}"


def for_display(frame: pl.DataFrame, tz: str, decimals: int = 1) -> pl.DataFrame:
    """The frame a page shows: times as "2026-11-20 13:05" in `tz` (text sorts the same way, and
    one format everywhere), "—" for missing text, times and numbers (a numeric column with gaps
    becomes text, with `decimals` decimals), lists joined with commas."""
    frame = local_times(frame, tz)
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            columns.append(column.dt.strftime(TIME_TEXT).fill_null(MISSING))
        elif isinstance(dtype, pl.Date):
            columns.append(column.dt.strftime("%Y-%m-%d").fill_null(MISSING))
        elif dtype == pl.Utf8:
            columns.append(column.fill_null(MISSING))
        elif isinstance(dtype, pl.List):
            columns.append(column.list.eval(pl.element().cast(pl.Utf8)).list.join(", ").fill_null(MISSING))
        elif dtype.is_numeric() and frame[name].null_count():
            columns.append(column.map_elements(lambda v, d=decimals: _number_text(v, d), return_dtype=pl.Utf8,
                                               skip_nulls=False))
        elif dtype == pl.Null:
            columns.append(pl.lit(MISSING).alias(name))
        else:
            columns.append(column)
    return frame.select(columns)
