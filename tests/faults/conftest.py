"""Fault tests: a database on each backend that a subprocess can reach by URL."""
from __future__ import annotations

import pytest

from tests.conftest import _drop_postgres_database, _postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request, tmp_path):
    """An empty database URL (the subprocess under test creates the schema, as in real use)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'faults.db'}"
        return
    url = _postgres_database(request.getfixturevalue("postgres_server"))
    yield url
    _drop_postgres_database(url)
