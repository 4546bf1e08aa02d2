"""Collector tests: backoff sleeps are switched off for every test here.

The replay kit lives in `collector_kit.py`; this directory is put on `sys.path` so the test
modules can import it whether pytest runs in prepend or importlib mode.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import networks.http

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff sleeps are recorded instead of slept, so a 500 row takes no time."""
    slept: list[float] = []
    monkeypatch.setattr(networks.http, "pause", slept.append)
    return slept
