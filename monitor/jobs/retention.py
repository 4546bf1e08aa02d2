"""Retention: mentions older than `privacy.retention_days` are deleted by the scheduler.

Why a job and not a query filter: data kept "just in case" is data a breach can leak and an
erasure request must find. Old mentions go with what hangs on them (tag links, replies to them,
threads left empty with their notes), through the same deletion erasure uses, in small
transactions so ingest and the dashboard are never blocked for long. Hourly rollups shrink with
them: the dashboard shows only what is still stored.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.inbox.outbox import audit
from monitor.store import schema
from monitor.trust.privacy import delete_mentions

log = logging.getLogger(__name__)
BATCH = 2_000


def purge_old_mentions(engine: Engine, days: int, now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Delete every mention created more than `days` ago, `batch` at a time; return the counts."""
    if days <= 0:
        raise ValueError("retention_days must be a positive number of days")
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    mention = schema.MentionRow.__table__
    total: Counter[str] = Counter()
    while True:
        with engine.begin() as connection:
            ids = list(connection.execute(sa.select(mention.c.id).where(mention.c.created_at < cutoff)
                                          .order_by(mention.c.id).limit(batch)).scalars())
            if not ids:
                break
            total.update(delete_mentions(connection, ids))
    if total["mentions"]:
        with engine.begin() as connection:
            audit(connection, "retention", "retention.purged", None,
                  {"days": days, "cutoff": cutoff.isoformat(), "counts": dict(total)}, now)
        log.info("retention: deleted %d mentions older than %d days", total["mentions"], days)
    return dict(total)
