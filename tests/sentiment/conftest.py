"""Fixtures for the sentiment tests: the converted base model, once per session.

The conversion takes seconds; with NASLUCH_CACHE set (as in CI or a developer's shell) an
existing conversion is reused, otherwise it goes into a session temporary directory.
"""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    from sentiment import convert

    root = os.environ.get("NASLUCH_CACHE") or tmp_path_factory.mktemp("nasluch-cache")
    convert.install(root)
    return root


@pytest.fixture(scope="session")
def torch_scorer(cache_dir):
    from sentiment import SentimentSettings, load_scorer

    return load_scorer(SentimentSettings(cache_dir=cache_dir, onnx=False))
