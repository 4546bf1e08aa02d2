"""`nasluch run`: APScheduler runs each source at its `every`, plus the periodic jobs.

Jobs run with `max_instances=1, coalesce=True`: a slow round is never overlapped by the next one,
and missed runs collapse into one. SIGTERM or Ctrl-C stops the scheduler after the jobs in flight
have finished their batch, so nothing half-stored is left behind.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from monitor.config import Config
from monitor.jobs.collect import Plan, collect_source, http_client

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 300}


def _guarded(name: str, job: Callable[[], Any]) -> Callable[[], None]:
    """A job that raises is logged and tried again at its next run; the scheduler keeps going."""
    def run() -> None:
        try:
            job()
        except Exception:  # noqa: BLE001  (one broken job must not stop collection)
            log.exception("job %s failed", name)
    return run


def build_scheduler(engine: Engine, config: Config,
                    extra_jobs: list[tuple[str, timedelta, Callable[[], Any]]] = ()) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=timezone.utc, job_defaults=JOB_DEFAULTS)
    plan = Plan.of(config)
    client = http_client()
    now = datetime.now(timezone.utc)
    for settings in config.sources:
        job = _guarded(settings.name, lambda s=settings: collect_source(engine, s, plan, client))
        scheduler.add_job(job, "interval", seconds=settings.every.total_seconds(), id=f"source:{settings.name}",
                          name=f"collect {settings.name}", next_run_time=now)
    for name, every, function in extra_jobs:
        scheduler.add_job(_guarded(name, function), "interval", seconds=every.total_seconds(), id=name,
                          name=name, next_run_time=now)
    for missing in config.unconfigured:
        log.warning("source %s (%s) is %s", missing.name, missing.type, missing.reason)
    return scheduler


def run_forever(scheduler: BackgroundScheduler, stop: threading.Event | None = None) -> None:
    """Start, then wait for SIGTERM/SIGINT (or `stop`), then shut down after jobs in flight."""
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    scheduler.start()
    log.info("running %d jobs; Ctrl-C or SIGTERM stops after the current batch", len(scheduler.get_jobs()))
    try:
        while not stop.wait(1.0):
            pass
    finally:
        log.info("stopping: waiting for jobs in flight")
        scheduler.shutdown(wait=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
