"""What the import formats share: the error for a file in the wrong format, X post URLs and the
ids real exports write as `289163`, `289163.0` or nothing."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from monitor.mention import Mention

TWITTER = "x"


class ImportFormatError(ValueError):
    """The file as a whole is not in the format asked for (not one row: the whole file)."""


def tweet_url(handle: str, tweet_id: str) -> str:
    return f"https://x.com/{handle}/status/{tweet_id}"


def clean_id(value: str | None) -> str | None:
    """Ids in real exports come as `289163`, `289163.0` or empty."""
    value = (value or "").strip()
    if not value:
        return None
    if value.endswith(".0") and value[:-2].isdigit():
        value = value[:-2]
    if not value.isdigit():
        raise ValueError(f"id {value!r} is not a number")
    return value


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def with_brand(mention: Mention, brand: str) -> Mention:
    return replace(mention, brand=brand)
