"""The `alerts:` section of config.yaml, kept apart from `monitor.alerts.notify` so the config loader
can validate it without importing the database and polars code.

    alerts:
      threshold: 3            # times the usual count for that brand, weekday and hour
      min_mentions: 10        # an hour with fewer mentions is never a spike
      baseline_weeks: 6       # weeks of history behind "usual"
      lookback_hours: 3       # how far back a check looks for spikes not announced yet
      webhook_url: {$env: SLACK_WEBHOOK_URL}   # Slack-compatible incoming webhook
      email:
        host: smtp.example.com
        port: 587
        starttls: true
        username: alerts@example.com
        password: {$env: SMTP_PASSWORD}
        sender: alerts@example.com
        recipients: [care-team@example.com]
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SpikeRule(BaseModel):
    """The user-set part of spike detection (config `alerts:` and the Alerts page)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(3.0, gt=1.0, description="times the usual count for that weekday and hour")
    min_mentions: int = Field(10, ge=1, description="an hour with fewer mentions is never a spike")
    baseline_weeks: int = Field(6, ge=2, le=52, description="weeks of history behind 'usual'")


class EmailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str
    port: int = Field(25, gt=0, lt=65536)
    starttls: bool = False
    username: str | None = None
    password: str | None = Field(None, repr=False)  # a secret: never in a repr or a log line
    sender: str
    recipients: list[str] = Field(min_length=1)


class AlertSettings(SpikeRule):
    lookback_hours: int = Field(3, ge=1, le=48)
    webhook_url: str | None = Field(None, repr=False)  # Slack-style URLs carry their token
    email: EmailSettings | None = None

    @property
    def rule(self) -> SpikeRule:
        return SpikeRule(threshold=self.threshold, min_mentions=self.min_mentions,
                         baseline_weeks=self.baseline_weeks)

    @property
    def channels(self) -> list[str]:
        return [name for name, on in (("webhook", self.webhook_url), ("e-mail", self.email)) if on]
