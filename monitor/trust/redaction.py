"""Customers' e-mail addresses and phone numbers out of stored post texts (opt-in).

`redact_contacts` replaces addresses and numbers with `[email]` / `[phone]`. It runs at ingest
only when `privacy.redact_contacts` is on; otherwise ingest never calls it. (Secrets are another
kind of hiding: `networks.secrets` masks them in logs and stored errors.)
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# 9-15 digits, optionally grouped by spaces, dots, dashes or a bracketed area code, not inside a
# longer run of digits or letters (tweet ids, URLs). Counted in `_phone` before replacing.
PHONE = re.compile(r"(?<![\w/.+-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,4}(?![\w/])")


def _phone(match: re.Match[str]) -> str:
    digits = sum(character.isdigit() for character in match.group())
    return "[phone]" if 9 <= digits <= 15 else match.group()


def redact_contacts(text: str) -> str:
    """Replace e-mail addresses and phone numbers; texts without either come back unchanged."""
    if "@" in text:
        text = EMAIL.sub("[email]", text)
    return PHONE.sub(_phone, text)


def redact_posts(posts: Sequence[Any]) -> list[Any]:
    """Mentions or imported replies (frozen values) with redacted texts; unchanged ones are reused."""
    out = []
    for post in posts:
        cleaned = redact_contacts(post.text)
        out.append(post if cleaned == post.text else replace(post, text=cleaned))
    return out
