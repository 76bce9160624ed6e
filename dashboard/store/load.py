"""Bulk loading of facts into a finance store (a complete set, or an increment), then the marts and a new data version.

Frames carry money as integer fen (exact) and dates as datetime64; the loader turns them into `Numeric(18, 2)`
and `Date` in the database; the importer hands over `StagedRows` instead (typed rows in its DuckDB staging file).
DuckDB gets a new file that is published by moving a symlink (see engine.py), servers get one transaction (readers
keep seeing the previous load until it commits).
"""

from __future__ import annotations

import datetime as dt
import glob
import io
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core import settings
from dashboard.store import clickhouse, dialect
from dashboard.store.engine import DataVersion, duckdb_path, finance_engine_for, is_duckdb, read_data_version
from dashboard.store.marts import rebuild_marts
from dashboard.store.quality import rebuild_quality
from dashboard.store.schema import FACTS, MARTS, SECONDARY_INDEXES, data_version, metadata

Progress = Callable[[str], None]


def _is_money(col: sa.Column) -> bool:
    return isinstance(col.type, sa.Numeric) and col.type.scale == 2


def _driver_connection(conn: Connection) -> Any:
    """The driver's own connection: the bulk paths use its extensions to DB-API (DuckDB's register, psycopg's COPY)."""
    raw = conn.connection.dbapi_connection
    assert raw is not None  # an open Connection always holds one
    return raw


def _duckdb_insert(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    raw = _driver_connection(conn)
    exprs = []
    for col in table.columns:
        if col.name not in frame.columns:
            exprs.append("NULL")
        elif _is_money(col):
            exprs.append(f'CAST("{col.name}" AS DECIMAL(18,0)) * 0.01::DECIMAL(3,2)')
        elif isinstance(col.type, sa.Date):
            exprs.append(f'CAST("{col.name}" AS DATE)')
        else:
            exprs.append(f'"{col.name}"')
    raw.register("_frame", frame)
    try:
        raw.execute(f'INSERT INTO "{table.name}" SELECT {", ".join(exprs)} FROM _frame')
    finally:
        raw.unregister("_frame")


def _fen_text(fen: pd.Series) -> pd.Series:
    """Integer fen as exact decimal text ('-12.05'), for COPY."""
    sign = fen.lt(0).map({True: "-", False: ""})
    absolute = fen.abs()
    return sign + (absolute // 100).astype(str) + "." + (absolute % 100).astype(str).str.zfill(2)


def _text_frame(table: sa.Table, frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for col in table.columns:
        if col.name not in frame.columns:
            continue
        values = frame[col.name]
        if _is_money(col):
            values = _fen_text(values.astype("int64"))
        elif isinstance(col.type, sa.Date):
            values = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
        out[col.name] = values
    return pd.DataFrame(out)


def _postgres_insert(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    text = _text_frame(table, frame)
    buffer = io.StringIO()
    text.to_csv(buffer, index=False, header=False)
    columns = ", ".join(f'"{c}"' for c in text.columns)
    with (
        _driver_connection(conn).cursor() as cur,
        cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN WITH (FORMAT csv)') as copy,
    ):
        copy.write(buffer.getvalue())


def _generic_insert(conn: Connection, table: sa.Table, frame: pd.DataFrame, chunk: int = 20_000) -> None:
    text = _text_frame(table, frame)
    text = text.astype(object).where(text.notna(), None)
    records = text.to_dict("records")
    for start in range(0, len(records), chunk):
        conn.execute(table.insert(), records[start : start + chunk])


@dataclass(frozen=True)
class StagedRows:
    """Rows of one table in a DuckDB file (the importer's staging database): the schema's columns, money in 元 as
    DECIMAL(18,2), dates as DATE. Loaded without passing through pandas: DuckDB attaches the file, PostgreSQL gets
    a CSV that DuckDB writes."""

    database: str
    relation: str
    rows: int


Rows: TypeAlias = pd.DataFrame | StagedRows


def _insert_staged(conn: Connection, table: sa.Table, rows: StagedRows) -> None:
    import duckdb

    columns = [c.name for c in table.columns]
    listed = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == clickhouse.DIALECT:
        clickhouse.insert_staged(conn, table, rows.database, rows.relation)
        return
    if conn.dialect.name == "duckdb":
        raw = _driver_connection(conn)
        attached = {r[0] for r in raw.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
        if "_staged" not in attached:
            raw.execute("SET enable_progress_bar = false")  # the importer's progress bar is on stderr already
            raw.execute(f"ATTACH '{rows.database}' AS _staged (READ_ONLY)")
        raw.execute(f'INSERT INTO "{table.name}" ({listed}) SELECT {listed} FROM _staged.main."{rows.relation}"')
        return
    source = duckdb.connect(rows.database, read_only=True)
    try:
        if conn.dialect.name == "postgresql":
            csv_path = f"{rows.database}.{rows.relation}.csv"
            source.execute(
                f"COPY (SELECT {listed} FROM \"{rows.relation}\") TO '{csv_path}' (FORMAT csv, HEADER false)"
            )
            try:
                with (
                    _driver_connection(conn).cursor() as cur,
                    open(csv_path, "rb") as fh,
                    cur.copy(f'COPY "{table.name}" ({listed}) FROM STDIN WITH (FORMAT csv)') as copy,
                ):
                    while block := fh.read(1 << 20):
                        copy.write(block)
            finally:
                os.remove(csv_path)
            return
        money = {c.name for c in table.columns if _is_money(c)}
        exprs = ", ".join(f'CAST("{c}" * 100 AS BIGINT) AS "{c}"' if c in money else f'"{c}"' for c in columns)
        _generic_insert(conn, table, source.execute(f'SELECT {exprs} FROM "{rows.relation}"').df())
    finally:
        source.close()


def _count(rows: Rows) -> int:
    return rows.rows if isinstance(rows, StagedRows) else len(rows)


def _insert(conn: Connection, table: sa.Table, rows: Rows) -> None:
    if not _count(rows):
        return
    if isinstance(rows, StagedRows):
        _insert_staged(conn, table, rows)
        return
    dialect = conn.dialect.name
    if dialect == "duckdb":
        _duckdb_insert(conn, table, rows)
    elif dialect == "postgresql":
        _postgres_insert(conn, table, rows)
    elif dialect == clickhouse.DIALECT:
        clickhouse.insert_frame(conn, table, rows)
    else:
        _generic_insert(conn, table, rows)


def _fill(conn: Connection, frames: Mapping[str, Rows], progress: Progress) -> None:
    unknown = set(frames) - {t.name for t in FACTS}
    if unknown:
        raise ValueError(f"no such fact tables: {sorted(unknown)}")
    for table in FACTS:
        if table.name in frames:
            progress(f"写入 {table.name}: {_count(frames[table.name]):,} 行")
            _insert(conn, table, frames[table.name])
    progress("重建汇总表 (marts)")
    rebuild_marts(conn)


def _record_version(
    conn: Connection, load_id: int, source: str, province_code: str, data_through: dt.date, note: str
) -> None:
    conn.execute(
        data_version.insert().values(
            load_id=load_id,
            loaded_at=dt.datetime.now(),
            source=source,
            province_code=province_code,
            data_through=data_through,
            note=note,
        )
    )


def _previous_load_id(url: str) -> int:
    try:
        if is_duckdb(url):
            path = os.path.realpath(duckdb_path(url))
            if not os.path.exists(path):
                return 0
            engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
        else:
            engine = finance_engine_for(url)
        try:
            return read_data_version(engine).load_id
        finally:
            engine.dispose()
    except Exception:  # no store yet, or not a store of ours: start counting again
        return 0


def versioned_path(path: str, load_id: int) -> str:
    stem, ext = os.path.splitext(path)
    return f"{stem}-{load_id}{ext or '.duckdb'}"


def _publish_duckdb(path: str, new_file: str, keep: str | None) -> None:
    """Atomically point `path` at `new_file`; remove older versions except `keep` (readers may still hold it)."""
    link_tmp = f"{path}.tmp-{os.getpid()}"
    if os.path.lexists(link_tmp):
        os.remove(link_tmp)
    os.symlink(os.path.basename(new_file), link_tmp)
    os.replace(link_tmp, path)
    stem, ext = os.path.splitext(path)
    pattern = re.compile(re.escape(os.path.basename(stem)) + r"-\d+" + re.escape(ext or ".duckdb") + r"(\.wal)?$")
    for candidate in glob.glob(f"{glob.escape(stem)}-*"):
        real = os.path.realpath(candidate.removesuffix(".wal"))
        if pattern.match(os.path.basename(candidate)) and real not in {os.path.realpath(new_file), keep}:
            os.remove(candidate)


def _drop_drifted(conn: Connection) -> None:
    """Drops every table whose columns are not the schema's (a newer release added one, or made one optional), so
    that `create_all`
    makes it anew: a load replaces the facts and marts whole, so nothing is lost; `data_version` is kept."""
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    for table in reversed(metadata.sorted_tables):
        if table is data_version or table.name not in existing:
            continue
        found = {(c["name"], bool(c["nullable"])) for c in inspector.get_columns(table.name)}
        if found != {(c.name, bool(c.nullable)) for c in table.columns}:
            table.drop(conn)


@dataclass(frozen=True)
class Change:
    """What an increment does to one fact table: rows of `frame` replace the rows with the same `key`, and, when
    `drop` is given, the rows it selects (a month of facts) go first."""

    frame: Rows
    key: tuple[str, ...]
    drop: sa.ColumnElement[bool] | None = None


def _apply(conn: Connection, changes: Mapping[str, Change], progress: Progress) -> None:
    tables = {t.name: t for t in FACTS}
    for name, change in changes.items():
        table = tables[name]
        progress(f"更新 {name}: {_count(change.frame):,} 行")
        if change.drop is not None:
            conn.execute(table.delete().where(change.drop))
        staged = sa.Table(
            f"_import_{name}",
            sa.MetaData(),
            *(sa.Column(c.name, c.type, nullable=c.nullable) for c in table.columns),
            prefixes=["TEMPORARY"],
        )
        dialect.create_scratch(conn, staged)
        _insert(conn, staged, change.frame)
        key = sa.tuple_(*(table.c[k] for k in change.key))
        conn.execute(table.delete().where(key.in_(sa.select(*(staged.c[k] for k in change.key)))))
        conn.execute(table.insert().from_select([c.name for c in table.columns], sa.select(*staged.columns)))
        staged.drop(conn)
    progress("重建汇总表 (marts)")
    rebuild_marts(conn)


def load_store(
    url: str,
    frames: Mapping[str, Rows],
    *,
    source: str,
    province_code: str,
    data_through: dt.date,
    note: str = "",
    progress: Progress = lambda _msg: None,
) -> DataVersion:
    """Replace every fact table with `frames`, rebuild the marts and record a new data version."""
    return _publish(
        url,
        lambda conn: _fill(conn, frames, progress),
        source=source,
        province_code=province_code,
        data_through=data_through,
        note=note,
        incremental=False,
    )


def update_store(
    url: str,
    changes: Mapping[str, Change],
    *,
    source: str,
    province_code: str,
    data_through: dt.date,
    note: str = "",
    progress: Progress = lambda _msg: None,
) -> DataVersion:
    """Apply `changes` to the current load (the other rows stay as they are), rebuild the marts and record a new
    data version; published like a full load (DuckDB: a copy beside the old file; servers: one transaction)."""
    unknown = set(changes) - {t.name for t in FACTS}
    if unknown:
        raise ValueError(f"no such fact tables: {sorted(unknown)}")
    return _publish(
        url,
        lambda conn: _apply(conn, changes, progress),
        source=source,
        province_code=province_code,
        data_through=data_through,
        note=note,
        incremental=True,
    )


def _publish(
    url: str,
    work: Callable[[Connection], None],
    *,
    source: str,
    province_code: str,
    data_through: dt.date,
    note: str,
    incremental: bool,
) -> DataVersion:
    """Run `work` on a new version of the store and publish it with its data version. `incremental` starts from a
    copy of the current DuckDB file (servers: keeps the tables) instead of an empty store."""
    load_id = _previous_load_id(url) + 1
    if is_duckdb(url):
        path = duckdb_path(url)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        previous = os.path.realpath(path) if os.path.exists(path) else None
        new_file = versioned_path(path, load_id)
        for leftover in (new_file, new_file + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        if incremental and previous:
            shutil.copyfile(previous, new_file)  # a published file never changes, so the copy is consistent
        engine = sa.create_engine(f"duckdb:///{os.path.abspath(new_file)}")
        try:
            with engine.begin() as conn:
                metadata.create_all(conn)
                work(conn)
                rebuild_quality(conn, load_id, data_through)
                _record_version(conn, load_id, source, province_code, data_through, note)
            with engine.connect() as conn:
                conn.exec_driver_sql("CHECKPOINT")
            version = read_data_version(engine)
        finally:
            engine.dispose()
        _publish_duckdb(path, new_file, previous)
        return version

    if clickhouse.is_clickhouse(url):

        def build(conn: Connection) -> None:
            work(conn)
            rebuild_quality(conn, load_id, data_through)
            _record_version(conn, load_id, source, province_code, data_through, note)

        cluster = settings.get("CLICKHOUSE_CLUSTER")
        clickhouse.publish(url, metadata.sorted_tables, list(FACTS) if incremental else [], build, load_id, cluster)
        engine = finance_engine_for(url)
        try:
            return read_data_version(engine)
        finally:
            engine.dispose()

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if not incremental:  # an increment keeps the tables it adds to
                _drop_drifted(conn)
            metadata.create_all(conn)
            if not incremental:
                for table in reversed(metadata.sorted_tables):
                    if table is not data_version:
                        conn.execute(table.delete())
            work(conn)
            rebuild_quality(conn, load_id, data_through)
            for name, table, columns in SECONDARY_INDEXES:
                index = sa.Index(name, *(table.c[c] for c in columns))
                index.create(conn, checkfirst=True)
                table.indexes.discard(index)  # made for this store only: never left on the shared metadata
            if conn.dialect.name == "postgresql":
                for table in (*FACTS, *MARTS):
                    conn.exec_driver_sql(f'ANALYZE "{table.name}"')
            _record_version(conn, load_id, source, province_code, data_through, note)
        return read_data_version(engine)
    finally:
        engine.dispose()
