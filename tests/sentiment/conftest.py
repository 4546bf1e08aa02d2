"""Fixtures for the sentiment tests: the converted base model, once per session.

The conversion takes seconds; with NASLUCH_CACHE set (as in CI or a developer's shell) an
existing conversion is reused, otherwise it goes into a session temporary directory.
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")


