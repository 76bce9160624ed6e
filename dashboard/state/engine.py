"""The application-state store (`COCKPIT_STATE_URL`): users, audit trail, warning tickets.

Kept apart from the finance store so that regenerating or reloading finance data never touches what people
entered. Every module that owns state tables defines them on `state_metadata` and is listed in
`STATE_TABLE_MODULES`; `state_engine()` creates whatever is missing on first use (SQLite file by default).
The schema's version is Alembic's (`dashboard.state.migrate`): a store created here from nothing is stamped at
the newest revision; a store that already had tables is brought up to date by `python -m dashboard migrate`,
which the app's start-up check asks for.
"""

from __future__ import annotations

import importlib
import os
import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from dashboard.core import settings
from dashboard.state import migrate

state_metadata = sa.MetaData()

# Modules that define tables on `state_metadata` (imported before the schema is created).
STATE_TABLE_MODULES: tuple[str, ...] = (
    "dashboard.state.audit",
    "dashboard.state.accounts",
    "dashboard.state.warning_tables",
    "dashboard.state.report_tables",
    "dashboard.state.present",
)

_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def import_table_modules() -> None:
    """Import every module that defines tables on `state_metadata`."""
    for name in STATE_TABLE_MODULES:
        importlib.import_module(name)


def open_store(url: str) -> Engine:
    """An engine on the state store at `url`, nothing created (the migrations start from here)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # concurrent readers while one request writes
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    return engine


def _create(url: str) -> Engine:
    engine = open_store(url)
    import_table_modules()
    with engine.begin() as conn:
        present = set(sa.inspect(conn).get_table_names())
        if not present & {*state_metadata.tables, "alembic_version"}:  # new (the database may hold other tables)
            state_metadata.create_all(conn)
            migrate.stamp_head(conn)
    return engine  # an existing one changes only through `python -m dashboard migrate` (the start-up check asks)


def state_engine() -> Engine:
    """The engine of the configured state store, its tables created on first use when the store is new."""
    url = settings.get("STATE_URL")
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create(url)
        return engine


def reset_state_engine() -> None:
    """Forget open state engines (tests switch stores by changing COCKPIT_STATE_URL and calling this)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
