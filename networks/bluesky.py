"""What Bluesky (atproto) means by its answers, for the collector and the responder alike.

A session is made from an app password with `com.atproto.server.createSession` and lasts about
two hours. atproto refuses a stale or missing one with HTTP 400 (not 401) and an error name in
the body; that means "log in again", not "the request was wrong".
"""
from __future__ import annotations

import httpx

TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"})


def token_error(response: httpx.Response) -> str | None:
    """The atproto error name when a 400 refuses our session or login, else None."""
    if response.status_code != 400:
        return None
    try:
        payload = response.json()
    except ValueError:
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if error in TOKEN_ERRORS else None
