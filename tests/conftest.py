from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

import networks.http
from monitor.store.engine import make_engine, upgrade
from tests.pg import LocalPostgres
from tests.seeded import CONFIG, seed_database

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


# The longest modules first (`make test` runs two xdist workers, a module on one worker): started
# last, one of them kept a worker busy alone at the end of the run. A module that needs no model
# comes second, so the other worker does not wait for the shared model conversion.
LONGEST_FIRST = ("sentiment/test_train.py", "dashboard/test_browser.py", "sentiment/test_model.py",
                 "sentiment/test_lexical.py", "jobs/test_scoring.py", "faults/test_workers.py",
                 "faults/test_kill.py", "inbox/test_inbox_browser.py")


def pytest_collection_modifyitems(config, items):
    tests = Path(__file__).resolve().parent
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}

    def place(item) -> int:
        try:
            return rank.get(Path(item.fspath).resolve().relative_to(tests).as_posix(), len(rank))
        except ValueError:
            return len(rank)

    items.sort(key=place)  # stable: the rest keep their order, and every module its own


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "twcs_sample.csv").exists():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff sleeps are recorded instead of slept, so a 500 row takes no time."""
    slept: list[float] = []
    monkeypatch.setattr(networks.http, "pause", slept.append)
    return slept


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """The converted base model, once per session ($NASLUCH_CACHE reuses an existing one).

    Under pytest-xdist the workers share one conversion and the shipped encoder's ONNX export
    (made by the first worker under a file lock, then linked into each worker's own cache):
    each is 10-15 s of CPU. Heads and cached features stay private to each worker, as tests
    promote heads.

    The cache is also put in this process's $NASLUCH_CACHE, so what a test starts after it (a
    `nasluch run` worker, a `streamlit run` dashboard) loads the converted model instead of
    converting and exporting it again into ~/.cache (cold on a clean CI machine: two workers
    at once did it in tests/faults/test_workers.py)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentiment import convert

    if os.environ.get("NASLUCH_CACHE"):
        root = os.environ["NASLUCH_CACHE"]
        convert.install(root)
        return root
    root = tmp_path_factory.mktemp("nasluch-cache")
    os.environ["NASLUCH_CACHE"] = str(root)
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        convert.install(root)
        return root
    from filelock import FileLock

    from sentiment import SentimentSettings, load_scorer

    shared = tmp_path_factory.getbasetemp().parent / "nasluch-shared-cache"
    with FileLock(f"{shared}.lock"):
        if not (shared / "ready").exists():
            convert.install(shared)
            scorer = load_scorer(SentimentSettings(cache_dir=shared))
            scorer.classify(["ok"]), scorer.embed(["ok"])  # exports the ONNX encoders (fine-tuned, base)
            (shared / "ready").touch()
    for name in (convert.base_dir(shared).name, "onnx"):
        (root / name).symlink_to(shared / name, target_is_directory=True)
    return root


@pytest.fixture(scope="session")
def torch_scorer(cache_dir):
    from sentiment import SentimentSettings, load_scorer

    return load_scorer(SentimentSettings(cache_dir=cache_dir, onnx=False))


@pytest.fixture(scope="session")
def postgres_server():
    reason = LocalPostgres.unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = LocalPostgres()
    url = server.start()
    yield url
    server.stop()


def _postgres_database(server_url: str, template: str | None = None):
    """A new database on the local server; a copy of `template` (a migrated one) when given:
    copying the files takes a tenth of what running the migrations does."""
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(url: str) -> None:
    """Dropped after its test, so the server's data directory stays small (the session's end then
    has little to delete); a connection left open by the test is closed by the drop."""
    server, name = url.rsplit("/", 1)
    admin = sa.create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_server) -> str:
    """The name of a migrated database that every PostgreSQL test database is copied from."""
    url = _postgres_database(postgres_server)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url.rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file that every SQLite test database is copied from."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # checkpoints the write-ahead log into the file
    return path


def _migrated_sqlite(template: Path, path: Path) -> str:
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A fresh, migrated database: SQLite in a temp dir, or a new database on the local PostgreSQL."""
    if request.param == "sqlite":
        yield _migrated_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "test.db")
        return
    url = _postgres_database(request.getfixturevalue("postgres_server"), request.getfixturevalue("postgres_template"))
    yield url
    _drop_postgres_database(url)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path, sqlite_template):
    engine = make_engine(_migrated_sqlite(sqlite_template, tmp_path / "test.db"))
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """Streamlit's caches live for the process; pages tested one after another must not see
    the previous test's database or config through them."""
    yield
    import sys
    import threading

    for thread in threading.enumerate():  # a warm-up the sign-in screen started reads this test's config
        if thread.name == "warm-landing-page":
            thread.join(timeout=60)
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> tuple[str, Path]:
    """(database URL, config path) of a seeded SQLite database, made once per test session."""
    folder = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{folder / 'dashboard.db'}"
    seed_database(url)
    config = folder / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return url, config


@pytest.fixture(scope="session")
def seeded_engine(seeded):
    engine = make_engine(seeded[0])
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, once per session for every browser test (one
    Playwright per process: a second one cannot start while the first runs)."""
    from tests.browser_kit import chromium

    with chromium() as launched:
        yield launched
