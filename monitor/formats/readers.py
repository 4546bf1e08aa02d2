"""Readers for historic posts: `twcs`, `twitter-care` and Nasłuch's own `jsonl`.

Each reader turns a file into an `ImportBatch` of plain values and the rows it could not take
(with line and reason); storage does the rest. Readers never drop a good row because a
neighbouring one is broken.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from monitor.formats.common import ImportFormatError
from monitor.formats.jsonl import read_jsonl
from monitor.formats.twcs import read_twcs
from monitor.formats.twitter_care import read_twitter_care
from monitor.mention import ImportBatch

__all__ = ["READERS", "ImportFormatError", "read_file"]


READERS: dict[str, Callable[[bytes, str | None], ImportBatch]] = {
    "twcs": read_twcs, "twitter-care": read_twitter_care, "jsonl": read_jsonl,
}


def read_file(path: str | Path, fmt: str, brand: str | None = None) -> ImportBatch:
    if fmt not in READERS:
        raise ImportFormatError(f"unknown format {fmt!r}: expected one of {', '.join(READERS)}")
    return READERS[fmt](Path(path).read_bytes(), brand)
