"""The pages' numbers: the rollup path agrees with counting the mentions themselves, with
`report heatmap`, and with itself through the text-query path."""
from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from monitor.reports.counts import PENDING, Filters, Grouping, counts, default_filters, filter_options
from monitor.reports.heatmap import heatmap
from monitor.reports.overview import (
    busiest_slots,
    compare_periods,
    latest_mentions,
    overview,
    top_authors,
    weekday_hours,
)
from monitor.store.frames import mentions_frame
from tests.seeded import XSS

TZ = "Europe/Warsaw"


@pytest.fixture(scope="module")
def everything(seeded_engine) -> pl.DataFrame:
    return mentions_frame(seeded_engine, ("id", "created_at", "brand", "source", "lang", "sentiment", "text"))


def test_peak_hours_are_the_numbers_of_report_heatmap(seeded_engine) -> None:
    period = default_filters(seeded_engine, weeks=3)
    cells = weekday_hours(seeded_engine, period, TZ)
    report = heatmap(seeded_engine, TZ, since=period.since, until=period.until)
    assert cells["mentions"].to_list() == [c["count"] for c in report["cells"]]
    assert cells["mentions"].sum() > 0


def test_filters_are_honoured(seeded_engine, everything) -> None:
    chosen = Filters(brands=("Volta",), langs=("pl", "en"), sentiments=("negative", PENDING))
    data = overview(seeded_engine, chosen, TZ)
    expected = everything.filter(pl.col("brand") == "Volta", pl.col("lang").is_in(["pl", "en"]),
                                 pl.col("sentiment").is_null() | (pl.col("sentiment") == "negative"))
    assert data.total == expected.height
    assert data.pending == expected.filter(pl.col("sentiment").is_null()).height
    assert data.timeline["mentions"].sum() == expected.height
    assert set(data.by_brand["brand"]) == {"Volta"}
    assert set(data.by_lang["lang"]) <= {"pl", "en"}


def test_text_query_path_counts_what_the_query_matches(seeded_engine) -> None:
    from monitor.store.frames import filter_query

    period = default_filters(seeded_engine, weeks=4)
    query = 'acme OR acmeapp OR "acme shop"'
    rows = mentions_frame(seeded_engine, ("source", "sentiment", "text", "lang", "author_handle", "brand"),
                          since=period.since, until=period.until, brand="Acme")
    expected = (filter_query(rows, query).with_columns(pl.col("sentiment").fill_null(PENDING))
                .group_by("source", "sentiment").len("mentions").with_columns(pl.col("mentions").cast(pl.Int64)))
    found = counts(seeded_engine, replace(period, brands=("Acme",), query=query),
                   {"g": Grouping(("source", "sentiment"))})["g"]
    assert 0 < found["mentions"].sum() < rows.height
    assert found.sort("source", "sentiment").equals(expected.sort("source", "sentiment"))


def test_text_query_narrows_the_counts(seeded_engine, everything) -> None:
    from monitor.store.frames import filter_query

    query = "dziala* OR działa*"
    expected = filter_query(everything.with_columns(pl.lit(None, pl.Utf8).alias("author_handle")), query)
    total = counts(seeded_engine, Filters(query=query), {"t": Grouping(())})["t"]["mentions"][0]
    assert 0 < total == expected.height < everything.height


def test_busiest_slots_in_words(seeded_engine) -> None:
    cells = weekday_hours(seeded_engine, Filters(), TZ)
    lines = busiest_slots(cells)
    top = cells.sort("mentions", descending=True).row(0, named=True)
    assert len(lines) == 5
    assert lines[0].startswith(f"{top['day']} {top['hour_of_day']}–{top['hour_of_day'] + 1}h: {top['mentions']:,} mentions")
    assert lines[0].endswith("% negative")


def test_compare_periods_per_week(seeded_engine) -> None:
    period = default_filters(seeded_engine, weeks=4)
    middle = period.since + (period.until - period.since) / 2
    both = compare_periods(seeded_engine, Filters(), TZ, (period.since, middle), (middle, period.until))
    first = weekday_hours(seeded_engine, replace(period, until=middle), TZ)["mentions"].sum()
    assert both["first_per_week"].sum() == pytest.approx(first / 2)
    assert both["change"].to_list() == (both["second_per_week"] - both["first_per_week"]).to_list()


def test_most_reached_authors_and_latest_keep_text_as_it_is(seeded_engine) -> None:
    authors = top_authors(seeded_engine, Filters())
    assert authors.row(0, named=True)["author_name"] == XSS and authors["mentions"][0] == 1
    assert authors["author_followers"].to_list() == sorted(authors["author_followers"].to_list(), reverse=True)
    latest = latest_mentions(seeded_engine, Filters(), limit=5)
    assert latest["text"][0] == f"@acme {XSS}"
    assert latest["created_at"].to_list() == sorted(latest["created_at"].to_list(), reverse=True)


def test_filter_options_name_blanks_in_words(seeded_engine) -> None:
    options = filter_options(seeded_engine)
    assert {"Acme", "Volta", "Kawka"} <= set(options["brand"])
    assert PENDING in options["sentiment"]


def test_long_periods_count_from_weeks_days_and_hours_alike(seeded_engine, everything) -> None:
    """A breakdown over any period read from week, day and hour cells equals counting the
    mentions of those hours, for periods that start and end mid-day and mid-week."""
    import random
    from datetime import timedelta

    rng = random.Random(7)
    span = default_filters(seeded_engine, weeks=9)
    hours = int((span.until - span.since) / timedelta(hours=1))
    for _ in range(12):
        start, length = rng.randrange(hours), rng.randrange(1, 24 * 30)
        since = span.since.replace(minute=0, second=0, microsecond=0) + timedelta(hours=start)
        chosen = Filters(since=since, until=since + timedelta(hours=length), sources=("x", "reddit", "rss"))
        found = counts(seeded_engine, chosen, {"g": Grouping(("brand", "source", "sentiment"))})["g"]
        expected = (everything.filter(pl.col("created_at") >= chosen.since, pl.col("created_at") < chosen.until,
                                      pl.col("source").is_in(chosen.sources))
                    .with_columns(pl.col("sentiment").fill_null(PENDING), pl.col("brand").fill_null("(no brand)"))
                    .group_by("brand", "source", "sentiment").len("mentions")
                    .with_columns(pl.col("mentions").cast(pl.Int64)))
        order = ["brand", "source", "sentiment"]
        assert found.sort(order).equals(expected.sort(order)), (since, length)
    whole = counts(seeded_engine, Filters(), {"all": Grouping(("lang",))})["all"]
    assert whole["mentions"].sum() == everything.height


def test_busiest_hours_in_complaints_mode_rank_and_count_complaints(seeded_engine) -> None:
    cells = weekday_hours(seeded_engine, Filters(), TZ)
    lines = busiest_slots(cells, 5, "negative")
    ranked = cells.sort("negative", "weekday", "hour_of_day", descending=[True, False, False]).head(5)
    assert ranked["negative"].to_list() != cells.sort("mentions", descending=True).head(5)["negative"].to_list()
    for line, row in zip(lines, ranked.iter_rows(named=True)):
        assert line.startswith(f"{row['day']} {row['hour_of_day']}–{row['hour_of_day'] + 1}h: {row['negative']:,} "
                               "complaint"), line
        assert f"of {row['scored']:,} scored" in line and " mentions" not in line


def test_compare_periods_follows_the_complaints_toggle(seeded_engine) -> None:
    period = default_filters(seeded_engine, weeks=4)
    middle = period.since + (period.until - period.since) / 2
    both = compare_periods(seeded_engine, Filters(), TZ, (period.since, middle), (middle, period.until), "negative")
    first = weekday_hours(seeded_engine, replace(period, until=middle), TZ)["negative"].sum()
    assert both["first_per_week"].sum() == pytest.approx(first / 2)
