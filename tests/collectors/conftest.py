"""Collector tests: backoff sleeps are switched off for every test here.

The shared table rows live in `table.py`, the recorded answers in `tests/http_kit.py`.
"""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _never_sleep(no_sleep: list[float]) -> list[float]:
    return no_sleep
