"""Two kinds of hiding: secrets out of every log line and stored error, and (opt-in) customers'
e-mail addresses and phone numbers out of stored post texts.

Secrets: the config resolves `{$env: NAME}` once and registers the values here. A log record
factory masks them in every record as it is made, so no handler, formatter or test capture ever
holds one (httpx, for one, logs full request URLs with their query strings at INFO). Stored
error texts (a source's `last_error`, a reply's failure) go through `mask` too, because a
network may echo the token it refused.

Contacts: `redact_contacts` replaces addresses and numbers with `[email]` / `[phone]`. It runs
at ingest only when `privacy.redact_contacts` is on; otherwise ingest never calls it.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

MASK = "[secret]"
MIN_SECRET = 6  # shorter values ("1", "true") would mask ordinary words, and are no real secret
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_lock = threading.Lock()
_installed = False

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# 9-15 digits, optionally grouped by spaces, dots, dashes or a bracketed area code, not inside a
# longer run of digits or letters (tweet ids, URLs). Counted in `_phone` before replacing.
PHONE = re.compile(r"(?<![\w/.+-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,4}(?![\w/])")


def register_secrets(values: Iterable[str | None]) -> None:
    """Remember values that must never be shown, and start masking log records."""
    global _pattern
    fresh = {value for value in values if isinstance(value, str) and len(value) >= MIN_SECRET}
    with _lock:
        if not fresh - _secrets:
            _install_record_factory()
            return
        _secrets.update(fresh)
        ordered = sorted(_secrets, key=len, reverse=True)  # a secret inside a longer one: the longer first
        _pattern = re.compile("|".join(re.escape(value) for value in ordered))
        _install_record_factory()


def mask(text: Any) -> Any:
    """`text` with every registered secret replaced by `[secret]`; non-strings pass through."""
    pattern = _pattern
    if pattern is None or not isinstance(text, str):
        return text
    return pattern.sub(MASK, text)


def _install_record_factory() -> None:
    """Wrap the record factory once: each record's message (and traceback) is masked as it is made."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _pattern is None:
            return record
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a bad format string is the logger's problem, not ours)
            return record
        record.msg, record.args = mask(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(masked_record)
    _installed = True


# --- contact details in post texts -----------------------------------------------------------

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
