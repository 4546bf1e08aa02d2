"""Spike alerts: find spikes in the latest hours and tell people, by webhook and by e-mail.

Settings: `monitor.alerts.settings.AlertSettings` (config `alerts:`).

Each (brand, hour) is announced once; a send that failed is tried again by the next check while
the hour is still within `lookback_hours`.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import httpx
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.alerts.settings import AlertSettings, EmailSettings
from monitor.reports.counts import WEEKDAYS, Filters
from monitor.reports.overview import spike_table
from monitor.reports.spikes import Spike, spikes_of
from monitor.store import schema

log = logging.getLogger(__name__)
SENT = schema.AlertSentRow.__table__
SmtpFactory = Callable[[str, int], smtplib.SMTP]


def describe(spike: Spike, tz: str) -> str:
    """One line a person can act on: which brand, when (local time), how far above usual."""
    start = datetime.fromtimestamp(spike.hour * 3600, timezone.utc).astimezone(_zone(tz))
    return (f"Spike for {spike.brand}: {spike.mentions} mentions between {start:%H}:00 and "
            f"{(start + timedelta(hours=1)):%H}:00 on {WEEKDAYS[start.weekday()]} {start:%Y-%m-%d} ({tz}); "
            f"usual for that hour: {spike.usual:.1f} ({spike.ratio:.1f}×"
            + (f"; baseline: {spike.baseline})" if spike.baseline else ")"))


def hour_start(spike: Spike, tz: str) -> str:
    return datetime.fromtimestamp(spike.hour * 3600, timezone.utc).astimezone(_zone(tz)).isoformat()


def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def send_webhook(client: httpx.Client, url: str, text: str) -> None:
    """Slack-compatible incoming webhook: `{"text": ...}` (Mattermost and Rocket.Chat take it too)."""
    response = client.post(url, json={"text": text}, timeout=10.0)
    response.raise_for_status()


def send_email(settings: EmailSettings, subject: str, text: str, smtp: SmtpFactory = smtplib.SMTP) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, settings.sender, ", ".join(settings.recipients)
    message.set_content(text)
    with smtp(settings.host, settings.port) as server:
        if settings.starttls:
            server.starttls()
        if settings.username:
            server.login(settings.username, settings.password or "")
        server.send_message(message)


def notify(settings: AlertSettings, spike: Spike, tz: str, client: httpx.Client,
           smtp: SmtpFactory = smtplib.SMTP) -> list[str]:
    """Send one spike to every configured channel; returns the errors (empty when all arrived)."""
    text = describe(spike, tz)
    errors = []
    if settings.webhook_url:
        try:
            send_webhook(client, settings.webhook_url, text)
        except httpx.HTTPError as error:
            errors.append(f"webhook: {error}")
    if settings.email:
        try:
            send_email(settings.email, f"Nasłuch: spike for {spike.brand} ({spike.mentions} mentions)", text, smtp)
        except (smtplib.SMTPException, OSError) as error:
            errors.append(f"e-mail: {error}")
    return errors


def recent_spikes(engine: Engine, settings: AlertSettings, tz: str, now: datetime) -> list[Spike]:
    """Spikes in the last `lookback_hours` hours, the hour in progress included."""
    until = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    since = until - timedelta(hours=settings.lookback_hours + 1)
    scored = spike_table(engine, Filters(since=since, until=until), tz, settings.rule)
    return spikes_of(scored)


def _already_sent(engine: Engine) -> set[tuple[str, int]]:
    with engine.connect() as connection:
        return {(b, h) for b, h in connection.execute(sa.select(SENT.c.brand, SENT.c.hour).where(SENT.c.delivered))}


def _record(engine: Engine, spike: Spike, errors: list[str], now: datetime) -> None:
    values = {"mentions": spike.mentions, "usual": spike.usual, "sent_at": now, "delivered": not errors,
              "error": "; ".join(errors) or None}
    with engine.begin() as connection:
        key = (SENT.c.brand == spike.brand) & (SENT.c.hour == spike.hour)
        if connection.execute(sa.select(SENT.c.hour).where(key)).first():
            connection.execute(SENT.update().where(key).values(**values))
        else:
            connection.execute(SENT.insert().values(brand=spike.brand, hour=spike.hour, **values))


def check(engine: Engine, settings: AlertSettings, tz: str, *, now: datetime | None = None,
          client: httpx.Client | None = None, smtp: SmtpFactory = smtplib.SMTP) -> list[dict]:
    """One alert round (the scheduler runs it every few minutes): new spikes are sent and recorded."""
    now = now or datetime.now(timezone.utc)
    done = _already_sent(engine)
    fresh = [s for s in recent_spikes(engine, settings, tz, now) if (s.brand, s.hour) not in done]
    if not fresh:
        return []
    owned = client is None
    client = client or httpx.Client(timeout=10.0)
    report = []
    try:
        for spike in fresh:
            errors = notify(settings, spike, tz, client, smtp)
            _record(engine, spike, errors, now)
            for error in errors:
                log.warning("alert for %s not delivered: %s", spike.brand, error)
            report.append({"brand": spike.brand, "text": describe(spike, tz), "errors": errors})
    finally:
        if owned:
            client.close()
    return report


def history(engine: Engine, tz: str, limit: int = 200) -> pl.DataFrame:
    """Alerts sent (or tried), newest first, for the Alerts page."""
    statement = sa.select(SENT).order_by(SENT.c.hour.desc()).limit(limit)
    with engine.connect() as connection:
        rows = connection.execute(statement).mappings().all()
    frame = pl.DataFrame([dict(row) for row in rows], schema={
        "brand": pl.Utf8, "hour": pl.Int64, "mentions": pl.Int64, "usual": pl.Float64,
        "sent_at": pl.Datetime("us", "UTC"), "delivered": pl.Boolean, "error": pl.Utf8})
    return frame.with_columns(
        pl.from_epoch(pl.col("hour") * 3600, time_unit="s").dt.replace_time_zone("UTC")
        .dt.convert_time_zone(tz).alias("hour_start")).drop("hour")
