"""Fault tests: a database on each backend that a subprocess can reach by URL."""
from __future__ import annotations

import pytest

from tests.conftest import _postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request, tmp_path) -> str:
    """An empty database URL (the subprocess under test creates the schema, as in real use)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'faults.db'}"
    return _postgres_database(request.getfixturevalue("postgres_server"))
