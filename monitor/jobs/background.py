"""The periodic jobs `nasluch run` schedules besides collection: scoring, the outbox, alerts and
retention. Each factory returns `(name, every, function)` for `build_scheduler`.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from monitor.alerts.notify import check
from monitor.config import Config
from monitor.inbox.actions import alert_sla_breaches
from monitor.inbox.outbox import send_due, worker_name
from monitor.jobs.retention import purge_old_mentions
from monitor.jobs.scoring import embed_missing, load_scorer_for, score_pending
from responders import build_responders

log = logging.getLogger(__name__)
VECTOR_BATCH = 64  # theme vectors per idle scoring run (every 30 s): a few seconds of work
Job = tuple[str, timedelta, Callable[[], Any]]


def background_jobs(engine: Engine, config: Config, stop: threading.Event | None = None) -> list[Job]:
    """`stop`, set on SIGTERM, ends a long scoring run between batches instead of after 5,000."""
    return [scoring_job(engine, config, stop), outbox_job(engine, config), *alert_jobs(engine, config),
            *sla_alert_jobs(engine, config), *retention_jobs(engine, config)]


def scoring_job(engine: Engine, config: Config, stop: threading.Event | None = None) -> Job:
    """Score what collection brought in, every 30 seconds, one model per process (loaded again
    when `nasluch model train` or `model use` replaces it)."""
    state: dict[str, Any] = {}
    settings = config.settings

    def run() -> None:
        from sentiment.heads import model_in_use  # numpy: only when the job runs

        in_use = model_in_use(settings.sentiment)
        if state.get("model") != in_use:  # first run, or the model in use changed
            if "model" in state:
                log.info("the sentiment model changed to %s: reloading it", in_use)
            if stop is not None and stop.is_set():
                return  # stopping: do not start a load (a minute on a busy machine) for nothing
            state["scorer"], state["model"] = load_scorer_for(settings), in_use
        # labels first (the inbox waits for them); theme vectors in small batches once the queue
        # is empty, so a stop (SIGTERM) never waits long for a job in flight
        result = score_pending(engine, state["scorer"], limit=5_000, vectors_too=False,
                               stop=stop.is_set if stop else None, **settings.priority_inputs())
        if result.scored:
            log.info("scored %d mentions in %.1f s", result.scored, result.seconds)
        elif stop and stop.is_set():
            return
        elif embedded := embed_missing(engine, state["scorer"], limit=VECTOR_BATCH, batch=VECTOR_BATCH):
            log.info("stored theme vectors for %d negative mentions", embedded)

    return ("score", timedelta(seconds=30), run)


def outbox_job(engine: Engine, config: Config) -> Job:
    """Send queued replies every 15 s with the configured responders (one worker per process)."""
    responders = build_responders(config.responders)
    worker = worker_name()
    for missing in config.unconfigured_responders:
        log.warning("responder %s (%s) is %s: its replies stay queued", missing.name, missing.type, missing.reason)
    return ("outbox", timedelta(seconds=15), lambda: send_due(engine, responders, worker))


def alert_jobs(engine: Engine, config: Config) -> list[Job]:
    """Check for spikes every 5 minutes when a webhook or e-mail is configured under `alerts:`."""
    settings = config.settings
    if not settings.alerts.channels:
        return []
    return [("alerts", timedelta(minutes=5), lambda: check(engine, settings.alerts, settings.timezone))]


def sla_alert_jobs(engine: Engine, config: Config) -> list[Job]:
    """Announce SLA breaches every minute on the same channels as spike alerts."""
    settings = config.settings
    if not settings.alerts.channels:
        return []
    return [("sla-alerts", timedelta(minutes=1),
             lambda: alert_sla_breaches(engine, settings.alerts, settings.sla_minutes))]


def retention_jobs(engine: Engine, config: Config) -> list[Job]:
    """Delete mentions past `privacy.retention_days` once an hour (none when it is unset)."""
    days = config.settings.privacy.retention_days
    if not days:
        return []
    return [("retention", timedelta(hours=1), lambda: purge_old_mentions(engine, days))]
