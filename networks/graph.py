"""What Meta's Graph API means by its answers, for the Facebook and Instagram collectors and
responders alike: error codes, usage headers, ids and credentials.

Meta does not say "slow down" with 429 and Retry-After. It answers 400 or 403 with
`{"error": {"code": 4}}` (app), 17 (user), 32 (page), 613 or 80001+ (business use case), and an
expired or revoked token is code 190 whatever the status. It also reports, on every answer, how
much of the hourly budget is used (`X-App-Usage`, `X-Page-Usage`, `X-Business-Use-Case-Usage`,
in percent).

The token travels in the `Authorization` header, never in a URL, so no log line carries it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import httpx
from pydantic import BeforeValidator, SecretStr

from networks.secrets import secret

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
TOKEN_CODES = {102, 190}
THROTTLE_CODES = {4, 17, 32, 613, *range(80000, 80015)}
PERMISSION_CODES = {3, 10, *range(200, 300)}
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")
USAGE_WINDOW = timedelta(hours=1)  # Meta counts usage over a rolling hour


def _digits_as_text(value: Any) -> Any:
    """Graph ids are numbers people paste unquoted into YAML; they are strings to the API."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


GraphId = Annotated[str, BeforeValidator(_digits_as_text)]


def unix(moment: datetime) -> int:
    """A moment as the Unix seconds Graph's `since` and `until` take."""
    return int(moment.timestamp())


def api_root(base_url: str, api_version: str) -> str:
    """Every Graph path hangs under a version, which Meta retires yearly: `<base>/v23.0`."""
    return f"{base_url.rstrip('/')}/{api_version.strip('/')}"


def credentials(token: SecretStr | None, app_secret: SecretStr | None) -> tuple[dict[str, str], dict[str, str]]:
    """The bearer header and, when the app requires it, the `appsecret_proof` query parameter."""
    plain = secret(token)
    params = {}
    if app_secret is not None:
        key = secret(app_secret).encode()
        params["appsecret_proof"] = hmac.new(key, plain.encode(), hashlib.sha256).hexdigest()
    return {"Authorization": f"Bearer {plain}"}, params


@dataclass(frozen=True, slots=True)
class GraphError:
    """The `error` object Meta puts in a failed answer, and what its code means."""

    code: int | None
    subcode: int | None
    message: str
    kind: str

    @property
    def text(self) -> str:
        sub = f"/{self.subcode}" if self.subcode else ""
        return f"{self.message} (code {self.code}{sub})".strip()

    @property
    def token_refused(self) -> bool:
        """The token expired, was revoked or the password changed: only a new token helps."""
        return self.code in TOKEN_CODES or self.kind == "OAuthException" and self.code is None

    @property
    def throttled(self) -> bool:
        return self.code in THROTTLE_CODES

    @property
    def lacks_permission(self) -> bool:
        return self.code in PERMISSION_CODES


def graph_error(response: httpx.Response) -> GraphError | None:
    """Meta's error object from a failed answer, or None when the body is not one."""
    if response.status_code < 400:
        return None
    try:
        error = json.loads(response.content)["error"]
        code, subcode = error.get("code"), error.get("error_subcode")
        return GraphError(int(code) if code is not None else None,
                          int(subcode) if subcode is not None else None,
                          str(error.get("message", ""))[:200], str(error.get("type", "")))
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None


def usage(headers: httpx.Headers) -> tuple[float, float | None]:
    """The highest percentage any usage header reports, and Meta's own wait estimate (seconds)
    when the business-use-case header gives one."""
    highest, regain = 0.0, None
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            payload = json.loads(raw)
        except ValueError:
            log.debug("unreadable %s header: %r", name, raw[:100])
            continue
        for entry in _usage_entries(payload):
            highest = max([highest, *(_number(entry.get(key)) for key in ("call_count", "total_time",
                                                                          "total_cputime"))])
            minutes = _number(entry.get("estimated_time_to_regain_access"))
            if minutes:
                regain = max(regain or 0.0, minutes * 60)
    return highest, regain


def _number(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _usage_entries(payload: Any) -> list[dict[str, Any]]:
    """`X-App-Usage` is one object; `X-Business-Use-Case-Usage` maps ids to lists of them."""
    if isinstance(payload, dict) and any(isinstance(v, list) for v in payload.values()):
        return [entry for value in payload.values() if isinstance(value, list)
                for entry in value if isinstance(entry, dict)]
    return [payload] if isinstance(payload, dict) else []


def estimate_wait(percent: float, regain: float | None, pause_at: float) -> float:
    """Seconds to wait: Meta's estimate when it gives one; otherwise, as usage is counted over a
    rolling hour, the time for calls spread over that hour to fall 10 points below the pause."""
    if regain:
        return max(regain, 60.0)
    target = max(pause_at - 10.0, 0.0)
    share = (percent - target) / percent if percent > 0 else 1.0
    return max(USAGE_WINDOW.total_seconds() * share, 60.0)
