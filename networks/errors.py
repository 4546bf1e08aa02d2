"""Typed collector failures, each with a `message` written for the sources health page.

The scheduler catches these by type: `RateLimited` pauses the source until `reset_at`,
`AuthFailed` marks it "needs new credentials", the others are recorded as the last error.
Anything else escaping a collector is a bug, not a network condition.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from networks.secrets import mask


class CollectorError(Exception):
    """Base of every failure a collector reports; `message` is plain words for a person."""

    def __init__(self, message: str) -> None:
        message = mask(message)  # a network may echo the key it refused: never keep it
        super().__init__(message)
        self.message = message


class RateLimited(CollectorError):
    """The network asked us to wait; the source is skipped until `reset_at` (never slept on)."""

    def __init__(
        self, retry_after: float, reset_at: datetime | None = None, message: str | None = None
    ) -> None:
        self.retry_after = max(0.0, float(retry_after))
        self.reset_at = reset_at or datetime.now(timezone.utc) + timedelta(seconds=self.retry_after)
        when = self.reset_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        super().__init__(message or f"rate limited by the network: paused until {when}")


class AuthFailed(CollectorError):
    """401/403: the token or key was refused, so retrying cannot help until a person acts."""

    def __init__(self, detail: str = "") -> None:
        text = "needs new credentials: the network refused the token or key"
        super().__init__(f"{text} ({detail})" if detail else text)


class SourceUnavailable(CollectorError):
    """The network did not answer usefully (5xx, connection fault, timeout, odd 4xx)."""

    def __init__(self, status: int | None = None, detail: str = "") -> None:
        self.status = status
        head = f"the network answered HTTP {status}" if status else "could not reach the network"
        super().__init__(f"{head}: {detail}" if detail else head)


class ParseError(CollectorError):
    """The answer arrived but is not the shape the API documents (changed API, HTML error page)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"could not read the network's answer: {reason}")


class NotConfigured(CollectorError):
    """Credentials are missing: reported once at start, the source simply does not run."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = list(missing)
        super().__init__("not configured: missing " + ", ".join(self.missing))
