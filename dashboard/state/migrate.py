"""Schema migrations of the state store (users, sessions, audit trail, warnings and tickets), with Alembic.

The revisions are in `dashboard/state/migrations/versions`, the first (`0001_baseline`) the schema as it stood
before migrations. `upgrade(url)` (`python -m dashboard migrate`) brings a store to the newest revision: a store
made before migrations existed (its tables, no `alembic_version`) is stamped at the baseline first, so its users,
audit trail and tickets stay as they are, then every later revision runs. `status(engine)` is what the app checks
at start-up: it refuses a store behind this version's schema rather than fail later on a missing column.
A new revision: `alembic -c dashboard/state/alembic.ini revision -m "…"` is not needed; copy the baseline's form
(`revision`, `down_revision` = the previous one) into a new file under `versions/`, and write its upgrade with
`op.batch_alter_table` (SQLite alters tables by copying them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001_baseline"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str:
    """The newest revision this version of the code knows."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def stamp_head(connection: Connection) -> None:
    """Record a store just created from the current metadata as being at the newest revision."""
    MigrationContext.configure(connection).stamp(ScriptDirectory.from_config(_config()), head())


@dataclass(frozen=True)
class Status:
    revision: str | None  # None: made before migrations (or empty)
    head: str
    has_tables: bool

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head

    def message(self) -> str:
        if self.up_to_date:
            return f"状态库结构为最新版本 ({self.head})。"
        found = self.revision or ("无版本记录" if self.has_tables else "空库")
        return f"状态库结构版本为 {found}, 当前程序需要 {self.head}: 请先运行 python -m dashboard migrate。"


def status(engine: Engine) -> Status:
    with engine.connect() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        return Status(current(conn), head(), bool(tables))


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the store of `engine` to the newest revision; (revision before, revision after)."""
    with engine.begin() as conn:
        before = current(conn)
        tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        config = _config(conn)
        if before is None and tables:  # made before migrations: its tables are the baseline's
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
        return before, current(conn) or ""
