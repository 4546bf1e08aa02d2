"""Time as the networks write it, and the clock every collector reads.

`now()` is the one clock: tests set it (`monkeypatch.setattr("networks.times.now", ...)`) to the
day their recorded posts were made, so callers use it as `times.now()`, not a copied import.
"""
from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    """The current moment, aware and in UTC."""
    return datetime.now(timezone.utc)


def parse_time(value: str | float | int | None) -> datetime | None:
    """ISO 8601 (with `Z`) or Unix seconds to an aware UTC datetime; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def iso(moment: datetime) -> str:
    """ISO 8601 with `Z`, the way the APIs (and our cursors) write a UTC moment."""
    return moment.isoformat().replace("+00:00", "Z")
