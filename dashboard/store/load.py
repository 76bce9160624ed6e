"""Bulk loading of a complete set of facts into a finance store, followed by the marts and a new data version.

Frames carry money as integer fen (exact) and dates as datetime64; the loader turns them into `Numeric(18, 2)`
and `Date` in the database. DuckDB gets a new file that is published by moving a symlink (see engine.py), servers
get one transaction (readers keep seeing the previous load until it commits).
"""

from __future__ import annotations

import datetime as dt
import glob
import io
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.store.engine import DataVersion, duckdb_path, is_duckdb, read_data_version
from dashboard.store.marts import rebuild_marts
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


def _insert(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    dialect = conn.dialect.name
    if dialect == "duckdb":
        _duckdb_insert(conn, table, frame)
    elif dialect == "postgresql":
        _postgres_insert(conn, table, frame)
    else:
        _generic_insert(conn, table, frame)


def _fill(conn: Connection, frames: Mapping[str, pd.DataFrame], progress: Progress) -> None:
    unknown = set(frames) - {t.name for t in FACTS}
    if unknown:
        raise ValueError(f"no such fact tables: {sorted(unknown)}")
    for table in FACTS:
        if table.name in frames:
            progress(f"写入 {table.name}: {len(frames[table.name]):,} 行")
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
            engine = sa.create_engine(url)
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
    """Drops every table whose columns are not the schema's (a newer release added one), so that `create_all`
    makes it anew: a load replaces the facts and marts whole, so nothing is lost; `data_version` is kept."""
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    for table in reversed(metadata.sorted_tables):
        if table is data_version or table.name not in existing:
            continue
        if {c["name"] for c in inspector.get_columns(table.name)} != {c.name for c in table.columns}:
            table.drop(conn)


def load_store(
    url: str,
    frames: Mapping[str, pd.DataFrame],
    *,
    source: str,
    province_code: str,
    data_through: dt.date,
    note: str = "",
    progress: Progress = lambda _msg: None,
) -> DataVersion:
    """Replace every fact table with `frames`, rebuild the marts and record a new data version."""
    load_id = _previous_load_id(url) + 1
    if is_duckdb(url):
        path = duckdb_path(url)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        previous = os.path.realpath(path) if os.path.exists(path) else None
        new_file = versioned_path(path, load_id)
        for leftover in (new_file, new_file + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        engine = sa.create_engine(f"duckdb:///{os.path.abspath(new_file)}")
        try:
            with engine.begin() as conn:
                metadata.create_all(conn)
                _fill(conn, frames, progress)
                _record_version(conn, load_id, source, province_code, data_through, note)
            with engine.connect() as conn:
                conn.exec_driver_sql("CHECKPOINT")
            version = read_data_version(engine)
        finally:
            engine.dispose()
        _publish_duckdb(path, new_file, previous)
        return version

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            _drop_drifted(conn)
            metadata.create_all(conn)
            for table in reversed(metadata.sorted_tables):
                if table is not data_version:
                    conn.execute(table.delete())
            _fill(conn, frames, progress)
            for name, table, columns in SECONDARY_INDEXES:
                sa.Index(name, *(table.c[c] for c in columns)).create(conn, checkfirst=True)
            if conn.dialect.name == "postgresql":
                for table in (*FACTS, *MARTS):
                    conn.exec_driver_sql(f'ANALYZE "{table.name}"')
            _record_version(conn, load_id, source, province_code, data_through, note)
        return read_data_version(engine)
    finally:
        engine.dispose()
