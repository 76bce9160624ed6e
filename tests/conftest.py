"""Shared fixtures: one small demo store per engine for the whole session.

The demo is built at scale 0.1 (money totals are scale-independent, so calibration holds). PostgreSQL is the real
server on 127.0.0.1:5432: unreachable means skip on a developer machine and fail under CI (CI=true). ClickHouse is
chDB, embedded in the test process (one chDB directory per process: chDB allows one engine per process); the
engine-agreement tests compare DuckDB with each server engine through `server_url` / `server`.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile

import pytest
import sqlalchemy as sa

from dashboard.demo import anomalies_path, build_demo
from dashboard.state.engine import reset_state_engine
from dashboard.store.engine import reset_finance_engine

# Test modules build apps while they are collected (before any fixture): their state store is this process's own
# file, never the developer's data/state.sqlite, and two xdist workers never make one file at the same time.
os.environ["COCKPIT_STATE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='cockpit-collect-')}/state.sqlite"

TEST_SCALE = 0.1
TEST_SEED = 7


def _worker_pg_url() -> str:
    """The suite's PostgreSQL database; under pytest-xdist each worker gets its own (`test_gw0`, …, made if
    missing), so two workers never rebuild one demo store under each other."""
    base = os.environ.get("COCKPIT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return base
    url = sa.engine.make_url(base)
    name = f"{url.database}_{worker}"
    try:
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if conn.execute(sa.text("select 1 from pg_database where datname = :n"), {"n": name}).first() is None:
                conn.execute(sa.text(f'create database "{name}"'))
        admin.dispose()
    except sa.exc.OperationalError:
        pass  # unreachable: the PostgreSQL tests skip (or fail under CI) as without workers
    return url.set(database=name).render_as_string(hide_password=False)


PG_URL = _worker_pg_url()
CHDB_PATH = tempfile.mkdtemp(prefix="cockpit-chdb-")  # this process's one chDB directory, removed at its exit
atexit.register(shutil.rmtree, CHDB_PATH, True)
CH_URL = f"clickhousedb:///cockpit?interface=chdb&path={CHDB_PATH}"


@pytest.fixture(scope="session", autouse=True)
def _session_state_store(tmp_path_factory):
    """Nothing in the suite (subprocesses of the CLI included) writes the developer's data/state.sqlite."""
    previous = os.environ.get("COCKPIT_STATE_URL")
    os.environ["COCKPIT_STATE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('state')}/session-state.sqlite"
    yield
    if previous is None:
        os.environ.pop("COCKPIT_STATE_URL", None)
    else:
        os.environ["COCKPIT_STATE_URL"] = previous
    reset_state_engine()


@pytest.fixture(autouse=True)
def state_store(tmp_path, monkeypatch):
    """A fresh, empty application-state store (users, sessions, audit trail) for every test; returns its URL."""
    url = f"sqlite:///{tmp_path}/state.sqlite"
    monkeypatch.setenv("COCKPIT_STATE_URL", url)
    reset_state_engine()
    yield url
    reset_state_engine()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """(url, DemoData) of a DuckDB demo store shared by the session; tests must not write to it."""
    url = f"duckdb:///{tmp_path_factory.mktemp('store')}/cockpit.duckdb"
    data, _version = build_demo(url, scale=TEST_SCALE, seed=TEST_SEED)
    return url, data


@pytest.fixture(scope="session")
def demo_url(demo_store):
    return demo_store[0]


@pytest.fixture(scope="session")
def demo_anomalies(demo_url):
    with open(anomalies_path(demo_url), encoding="utf-8") as fh:
        return json.load(fh)["anomalies"]


@pytest.fixture(scope="session")
def duck(demo_url):
    """A read-only SQLAlchemy engine on the DuckDB demo store, for the tests' own SQL."""
    path = os.path.realpath(demo_url.removeprefix("duckdb:///"))
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    yield engine
    engine.dispose()


def _postgres_reachable() -> bool:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_url():
    """The PostgreSQL demo store (same seed and scale as the DuckDB one)."""
    if not _postgres_reachable():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable and CI=true: the suite must run against it")
        pytest.skip(f"PostgreSQL at {PG_URL} unreachable")
    build_demo(PG_URL, scale=TEST_SCALE, seed=TEST_SEED)
    return PG_URL


@pytest.fixture(scope="session")
def pg(pg_url):
    engine = sa.create_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def ch_url():
    """The ClickHouse demo store (chDB; same seed and scale as the DuckDB one)."""
    build_demo(CH_URL, scale=TEST_SCALE, seed=TEST_SEED)
    return CH_URL


@pytest.fixture(scope="session")
def ch(ch_url):
    from dashboard.store.engine import finance_engine_for

    engine = finance_engine_for(ch_url)
    yield engine
    engine.dispose()


SERVER_ENGINES = ("postgresql", "clickhouse")


@pytest.fixture(params=SERVER_ENGINES)
def server_url(request):
    """The demo store on each engine beside DuckDB: the agreement tests run once per engine."""
    return request.getfixturevalue("pg_url" if request.param == "postgresql" else "ch_url")


@pytest.fixture(params=SERVER_ENGINES)
def server(request):
    """A read engine on the demo store of each engine beside DuckDB."""
    return request.getfixturevalue("pg" if request.param == "postgresql" else "ch")


@pytest.fixture
def use_store(monkeypatch):
    """Point the app's finance store at `url` for one test (and forget the open engine afterwards)."""

    def _use(url: str) -> None:
        monkeypatch.setenv("COCKPIT_DB_URL", url)
        reset_finance_engine()

    yield _use
    reset_finance_engine()


@pytest.fixture(scope="session")
def risk_state_url(demo_url, tmp_path_factory):
    """A SQLite state store holding one run of every warning rule over the DuckDB demo store (tests read it)."""
    from dashboard.risk.run import run_rules
    from dashboard.state.engine import reset_state_engine, state_engine
    from dashboard.store.engine import finance_engine_for

    url = f"sqlite:///{tmp_path_factory.mktemp('state')}/state.sqlite"
    finance = finance_engine_for(demo_url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COCKPIT_STATE_URL", url)
        try:
            run_rules(finance, state_engine())
        finally:
            finance.dispose()
            reset_state_engine()
    return url


@pytest.fixture
def use_state(monkeypatch):
    """Point the app's state store at `url` for one test."""
    from dashboard.state.engine import reset_state_engine

    def _use(url: str) -> None:
        monkeypatch.setenv("COCKPIT_STATE_URL", url)
        reset_state_engine()

    yield _use
    reset_state_engine()


def empty_state_store(url: str) -> None:
    """Drop every table of the application-state store at `url` (and its Alembic stamp and the audit guard), so
    the next `state_engine()` makes it anew, as on a new database."""
    from dashboard.state.engine import import_table_modules, state_metadata

    import_table_modules()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table in [*(t.name for t in reversed(state_metadata.sorted_tables)), "alembic_version"]:
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS audit_event_guard() CASCADE")
    engine.dispose()


# The files that take longest (measured with --durations), dispatched first: xdist hands out whole files
# (--dist loadfile, --no-loadscope-reorder in the Makefile), and a long file picked up last is a long tail with one
# worker busy and the others done.
LONGEST_FIRST = (
    "tests/integration/test_import.py",
    "tests/browser/test_accessibility.py",
    "tests/browser/test_procurement_subsidies_pages.py",
    "tests/browser/test_page_load.py",
    "tests/browser/test_risk_pages.py",
    "tests/integration/test_pages_on_every_engine.py",
    "tests/browser/test_screen_browser.py",
    "tests/browser/test_rotation_browser.py",
    "tests/browser/test_topic_pages.py",
    "tests/browser/test_transfers_debt_pages.py",
    "tests/integration/test_engines_agree.py",
    "tests/integration/test_state_store_postgres.py",
    "tests/integration/test_meeting_packs.py",
    "tests/browser/test_ask_browser.py",
    "tests/integration/test_load_switch.py",
    "tests/browser/test_present_browser.py",
    "tests/unit/test_cli_demo.py",
    "tests/browser/test_peer_ranking_browser.py",
)


def pytest_collection_modifyitems(config, items):
    """Longest files first, the rest in collection order (a stable sort keeps each file's own order)."""
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
