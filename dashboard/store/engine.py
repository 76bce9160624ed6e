"""Engine factory for the finance store, and the data version every cache key carries.

DuckDB allows one writing process, so a load never writes the file the app reads: it builds a new file beside it
(`cockpit-<load id>.duckdb`) and then atomically re-points the configured path (a symlink) at it. The app opens the
store read-only through the resolved real path; when the link moves, the next request opens the new file. A
versioned file never changes after it is published, which makes its data version a property of the path.
PostgreSQL (and other servers) load inside one transaction, so readers see either the old or the new load.
ClickHouse has no transactions: a load builds a database of its own and publishes it with one row
(`dashboard.store.clickhouse`); the app follows the newest row as it follows DuckDB's link.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from dashboard.core import settings
from dashboard.store import clickhouse
from dashboard.store.schema import data_version as data_version_table


class StoreMissing(RuntimeError):
    """The configured finance store does not exist yet (build it with `python -m dashboard demo`)."""


@dataclass(frozen=True)
class DataVersion:
    load_id: int
    loaded_at: dt.datetime
    province_code: str
    data_through: dt.date

    @property
    def key(self) -> str:
        """Unique per load, also when a wiped store starts counting load ids again."""
        return f"v{self.load_id}@{self.loaded_at:%Y%m%dT%H%M%S.%f}"


def is_duckdb(url: str) -> bool:
    return make_url(url).get_backend_name() == "duckdb"


def duckdb_path(url: str) -> str:
    """The file a duckdb:/// URL names, as given (relative paths are relative to the working directory)."""
    return make_url(url).database or ""


class _FinanceStore:
    """Process-wide read engine that follows the published DuckDB file and remembers its data version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url: str | None = None
        self._target: str | None = None  # resolved DuckDB file, or the server URL
        self._engine: Engine | None = None

    def _resolve(self, url: str) -> str:
        if clickhouse.is_clickhouse(url):
            return _published_clickhouse(url)
        if not is_duckdb(url):
            return url
        path = duckdb_path(url)
        if not path or not os.path.exists(path):
            raise StoreMissing(f"finance store {path!r} not found: run `python -m dashboard demo` first")
        return os.path.realpath(path)

    def engine(self, follow: bool = False) -> Engine:
        """The engine on the published store; a ClickHouse store's pointer is read once per request (`follow`,
        from version()), not on every statement."""
        url = settings.get("DB_URL")
        if clickhouse.is_clickhouse(url) and not follow and self._engine is not None and url == self._url:
            return self._engine
        target = self._resolve(url)
        with self._lock:
            if self._engine is None or target != self._target or url != self._url:
                old = self._engine
                if is_duckdb(url):
                    engine = sa.create_engine(f"duckdb:///{target}", connect_args={"read_only": True})
                    # duckdb_engine opts out of SQLAlchemy's compiled-statement cache by default; our read-only
                    # Core selects compile to plain bound-parameter SQL, and compiling them anew on every call was
                    # a third of a drill's cost (bench/bench_drill.py). Tests compare results to raw SQL.
                    engine.dialect._supports_statement_cache = True
                elif clickhouse.is_clickhouse(url):
                    engine = clickhouse.create_engine(url, target)
                else:
                    engine = sa.create_engine(url, pool_pre_ping=True)
                self._engine, self._target, self._url = engine, target, url
                if old is not None:
                    old.dispose()
            return self._engine

    def version(self) -> DataVersion:
        engine = self.engine(follow=True)
        target = self._target
        if clickhouse.is_clickhouse(self._url or ""):
            assert target is not None  # engine() has just resolved it: a published database never changes
            version = _VERSIONS_BY_DATABASE.get(target)
            if version is None:
                version = _VERSIONS_BY_DATABASE[target] = read_data_version(engine)
            return version
        if not is_duckdb(self._url or ""):
            return read_data_version(engine)  # a server may be reloaded under us at any time
        assert target is not None  # engine() has just resolved it
        stat = os.stat(target)
        identity = (target, stat.st_ino, stat.st_mtime_ns)  # a published file never changes
        version = _VERSIONS_BY_FILE.get(identity)
        if version is None:
            version = _VERSIONS_BY_FILE[identity] = read_data_version(engine)
        return version

    def reset(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = self._target = self._url = None


_STORE = _FinanceStore()
_VERSIONS_BY_FILE: dict[tuple[str, int, int], DataVersion] = {}
_VERSIONS_BY_DATABASE: dict[str, DataVersion] = {}


_POINTER_ENGINES: dict[str, Engine] = {}


def _published_clickhouse(url: str) -> str:
    pointer = _POINTER_ENGINES.get(url)
    if pointer is None:
        pointer = _POINTER_ENGINES[url] = clickhouse.create_engine(url, "default")
    database = clickhouse.published_database(url, pointer)
    if database is None:
        raise StoreMissing(f"no load published under ClickHouse database {clickhouse.home(url)!r}: run the demo first")
    return database


def finance_engine() -> Engine:
    """The read engine for the configured finance store (re-opened when a new load is published)."""
    return _STORE.engine()


def finance_engine_for(url: str) -> Engine:
    """A new engine on the store at `url` (read-only on DuckDB), for jobs that run outside the app (the caller
    disposes of it)."""
    if is_duckdb(url):
        path = duckdb_path(url)
        if not path or not os.path.exists(path):
            raise StoreMissing(f"finance store {path!r} not found: run `python -m dashboard demo` first")
        return sa.create_engine(f"duckdb:///{os.path.realpath(path)}", connect_args={"read_only": True})
    if clickhouse.is_clickhouse(url):
        return clickhouse.create_engine(url, _published_clickhouse(url))
    return sa.create_engine(url, pool_pre_ping=True)


def current_data_version() -> DataVersion:
    """The latest load of the finance store; part of every cache key, source of "数据截至"."""
    return _STORE.version()


def reset_finance_engine() -> None:
    """Forget the open engine (tests switch stores by changing COCKPIT_DB_URL and calling this)."""
    _STORE.reset()


def read_data_version(engine: Engine) -> DataVersion:
    t = data_version_table
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(t.c.load_id, t.c.loaded_at, t.c.province_code, t.c.data_through)
            .order_by(t.c.load_id.desc())
            .limit(1)
        ).first()
    if row is None:
        raise StoreMissing("finance store has no completed load")
    return DataVersion(int(row.load_id), row.loaded_at, row.province_code, row.data_through)
