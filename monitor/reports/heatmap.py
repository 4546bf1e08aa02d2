"""`report heatmap`: customer mentions by weekday × hour in one time zone, all 168 cells."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Engine

from monitor.store.frames import mentions_frame


def weekday_hour_counts(times: pl.Series, tz: str) -> pl.DataFrame:
    """All 168 weekday × hour cells (Monday = 0) of UTC times seen in `tz`, zeros included."""
    local = pl.DataFrame({"t": times}).select(
        pl.col("t").dt.convert_time_zone(tz).alias("t")
    ).select(
        (pl.col("t").dt.weekday() - 1).cast(pl.Int8).alias("weekday"),
        pl.col("t").dt.hour().cast(pl.Int8).alias("hour"),
    )
    counts = local.group_by("weekday", "hour").len("count")
    grid = pl.DataFrame({"weekday": [d for d in range(7) for _ in range(24)],
                         "hour": [h for _ in range(7) for h in range(24)]},
                        schema={"weekday": pl.Int8, "hour": pl.Int8})
    return (grid.join(counts, on=["weekday", "hour"], how="left")
            .with_columns(pl.col("count").fill_null(0).cast(pl.Int64))
            .sort("weekday", "hour"))


def heatmap(engine: Engine, tz: str, *, query: str | None = None, since: datetime | None = None,
            until: datetime | None = None) -> dict[str, Any]:
    """Customer mentions by weekday × hour in `tz` (brand replies are not mentions, so not counted)."""
    frame = mentions_frame(engine, ("created_at",), since=since, until=until, query=query)
    cells = weekday_hour_counts(frame["created_at"], tz)
    return {"tz": tz, "cells": cells.to_dicts()}
