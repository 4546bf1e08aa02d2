"""Secrets: read at the moment a request needs one, and masked everywhere else.

The config resolves `{$env: NAME}` once and registers the values here. A log record factory
masks them in every record as it is made, so no handler, formatter or test capture ever holds
one (httpx, for one, logs full request URLs with their query strings at INFO). Stored error
texts (a source's `last_error`, a reply's failure) go through `mask` too, because a network may
echo the token it refused.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr

MASK = "[secret]"
MIN_SECRET = 6  # shorter values ("1", "true") would mask ordinary words, and are no real secret
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_lock = threading.Lock()
_installed = False


def secret(value: SecretStr | None) -> str:
    """The plain text of a secret; only called at the moment a request needs it."""
    return "" if value is None else value.get_secret_value()


def missing_secrets(settings: Any, keys: Iterable[str]) -> list[str]:
    """Names among `keys` whose setting is absent or blank (a secret or a plain string)."""
    missing = []
    for key in keys:
        value = getattr(settings, key, None)
        text = secret(value) if isinstance(value, SecretStr) else value
        if text is None or not str(text).strip():
            missing.append(key)
    return missing


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
