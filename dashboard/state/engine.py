"""The application-state store (`COCKPIT_STATE_URL`): users, audit trail, warning tickets.

Kept apart from the finance store so that regenerating or reloading finance data never touches what people
entered. Every module that owns state tables defines them on `state_metadata` and is listed in
`STATE_TABLE_MODULES`; `state_engine()` creates whatever is missing on first use (SQLite file by default).
"""

from __future__ import annotations

import importlib
import os
import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from dashboard.core import settings

state_metadata = sa.MetaData()

# Modules that define tables on `state_metadata` (imported before the schema is created).
STATE_TABLE_MODULES: tuple[str, ...] = (
    "dashboard.state.audit",
    "dashboard.state.accounts",
    "dashboard.state.warning_tables",
    "dashboard.state.report_tables",
)

_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def _create(url: str) -> Engine:
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
    for name in STATE_TABLE_MODULES:
        importlib.import_module(name)
    state_metadata.create_all(engine)
    return engine


def state_engine() -> Engine:
    """The engine of the configured state store, its tables created on first use."""
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
