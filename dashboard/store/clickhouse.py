"""ClickHouse as the finance store: a server through clickhouse-connect (HTTP), or chDB embedded in the process.

    clickhousedb://user:password@host:8123/cockpit                      a server (or a cluster's load balancer)
    clickhousedb:///cockpit?interface=chdb&path=/var/lib/cockpit/chdb     chDB in the process (tests, one machine)

The URL's database is the store's *home*. ClickHouse has no transactions, so a load never writes the tables the
app reads: every load builds a database of its own (`<home>_v<load id>`: tables, marts, quality, its data version)
and publishes it with one row in `<home>.store_published` (one INSERT is atomic). Readers follow the newest row, as
they follow DuckDB's symlink; a published database never changes. The previous version is kept (a reader may
still be on it), older ones are dropped.

What is ClickHouse's own lives here: the DDL (MergeTree ordered by year and month, region ancestry and date;
Decimal money; Nullable where the schema allows NULL), the bulk insert (Arrow, money exact from integer fen) and
the settings that give ClickHouse the SQL semantics the queries assume (NULLs from outer joins, NULL sums of
nothing, NULL casts). SQLAlchemy qualifies every column (`payment.amount`), so ClickHouse's aliases, visible in
WHERE as well, never shadow one. Expressions that differ by engine are `dashboard.store.dialect`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

DIALECT = "clickhousedb"
POINTER = "store_published"

# Standard SQL semantics the queries are written for (ClickHouse's defaults differ):
# - an outer join's missing side is NULL, not the type's default (0, '');
# - sum/max/min over no rows is NULL, as everywhere else;
# - CAST of a NULL is NULL;
# - lightweight deletes (an increment replaces rows) are visible as soon as they return.
QUERY_SETTINGS = {
    "join_use_nulls": 1,
    "aggregate_functions_null_for_empty": 1,
    "cast_keep_nullable": 1,
    "lightweight_deletes_sync": 2,
    "mutations_sync": 2,
}


def is_clickhouse(url: str) -> bool:
    return "://" in url and make_url(url).get_backend_name() == DIALECT


def is_embedded(url: str) -> bool:
    """chDB in this process (`?interface=chdb`): its directory is locked by one process, so one web worker and no
    load while the app runs; a server has neither limit."""
    return is_clickhouse(url) and make_url(url).query.get("interface") == "chdb"


def home(url: str) -> str:
    return make_url(url).database or "default"


def version_database(url: str, load_id: int) -> str:
    return f"{home(url)}_v{load_id}"


# On a cluster (docs/clickhouse.md) also: a join or IN over two sharded facts runs on each shard against its own
# part (a county's facts share a shard), and an insert into a Distributed table returns once every shard has it.
CLUSTER_SETTINGS = {"distributed_product_mode": "local", "distributed_foreground_insert": 1}


def create_engine(url: str, database: str | None = None, cluster: str = "") -> Engine:
    """An engine on `database` (default: the URL's) with the settings above on every connection."""
    target = make_url(url)
    if database is not None:
        target = target.set(database=database)
    chosen = {**QUERY_SETTINGS, **(CLUSTER_SETTINGS if cluster else {})}
    return sa.create_engine(target, connect_args={f"ch_{k}": v for k, v in chosen.items()}, pool_pre_ping=True)


def published_database(url: str, engine: Engine | None = None) -> str | None:
    """The database of the newest published load, or None when nothing has been published under this home."""
    own = engine is None
    engine = engine or create_engine(url, "default")
    try:
        with engine.connect() as conn:
            exists = conn.exec_driver_sql(
                "SELECT count() FROM system.tables WHERE database = %(db)s AND name = %(t)s",
                {"db": home(url), "t": POINTER},
            ).scalar_one()
            if not exists:
                return None
            row = conn.exec_driver_sql(
                f"SELECT database FROM `{home(url)}`.`{POINTER}` ORDER BY load_id DESC LIMIT 1"
            ).first()
            return None if row is None else str(row[0])
    finally:
        if own:
            engine.dispose()


# -- DDL ----------------------------------------------------------------------------------------------------------


def _column_type(col: sa.Column) -> str:
    t = col.type
    if isinstance(t, sa.Boolean):
        name = "Bool"
    elif isinstance(t, sa.BigInteger):
        name = "Int64"
    elif isinstance(t, sa.SmallInteger):
        name = "Int16"
    elif isinstance(t, sa.Integer):
        name = "Int32"
    elif isinstance(t, sa.Float):
        name = "Float64"
    elif isinstance(t, sa.Numeric):
        name = f"Decimal({t.precision}, {t.scale})"
    elif isinstance(t, sa.DateTime):
        name = "DateTime64(6)"
    elif isinstance(t, sa.Date):
        name = "Date"  # 1970–2149; Date32 has no date arithmetic (a - b in days)
    elif isinstance(t, sa.String | sa.Text):
        name = "String"
    else:  # pragma: no cover - the schema uses only the types above
        raise TypeError(f"no ClickHouse type for {col.table.name}.{col.name}: {t!r}")
    return f"Nullable({name})" if col.nullable else name


def sorting_key(table: sa.Table) -> list[str]:
    """Year and month first (a chart asks for one year), then the region ancestry (a drill is a prefix), then the
    fact's date; a table without those is ordered by its primary key."""
    cols = table.c
    key = [f"`{n}`" for n in ("year", "month") if n in cols and not cols[n].nullable]
    for name in ("province_code", "city_code", "county_code"):
        if name in cols:
            key.append(f"ifNull(`{name}`, '')" if cols[name].nullable else f"`{name}`")
    dates = [c.name for c in table.columns if isinstance(c.type, sa.Date) and not c.nullable]
    key += [f"`{d}`" for d in dates[:1]]
    if not key:
        key = [f"`{c.name}`" for c in table.primary_key.columns if not c.nullable]
    return key


def create_table_sql(
    table: sa.Table, database: str, name: str | None = None, cluster: str = "", engine: str = "MergeTree"
) -> str:
    columns = ",\n  ".join(f"`{c.name}` {_column_type(c)}" for c in table.columns)
    key = ", ".join(sorting_key(table))
    on_cluster = f" ON CLUSTER `{cluster}`" if cluster else ""
    return (
        f"CREATE TABLE `{database}`.`{name or table.name}`{on_cluster} (\n  {columns}\n) "
        f"ENGINE = {engine} ORDER BY {f'({key})' if key else 'tuple()'}"
    )


LOCAL_SUFFIX = "_local"


def shard_key(table: sa.Table) -> str:
    """A county's facts live on one shard (its payments, indicators and payouts together, so a join on the
    indicator or the recipient stays on the shard); a province-wide sum reads every shard in parallel."""
    return "cityHash64(`province_code`, ifNull(`city_code`, ''), ifNull(`county_code`, ''))"


def cluster_ddl(table: sa.Table, database: str, cluster: str) -> list[str]:
    """The statements that make `table` on a cluster (`remote_servers` name `cluster`; `{shard}` and `{replica}`
    macros on every node). A fact with the region ancestry: a ReplicatedMergeTree `<t>_local` on every shard and a
    Distributed `<t>` over them, which is what the queries name. The rest (dimensions, marts, quality, the data
    version: small, joined to everything): one ReplicatedMergeTree with one Keeper path for all nodes, so every
    node holds all of it and a join never leaves the node."""
    if not is_sharded(table):
        path = f"/clickhouse/tables/all/{database}/{table.name}"
        return [
            create_table_sql(table, database, cluster=cluster, engine=f"ReplicatedMergeTree('{path}', '{{replica}}')")
        ]
    local = f"{table.name}{LOCAL_SUFFIX}"
    path = f"/clickhouse/tables/{{shard}}/{database}/{local}"
    return [
        create_table_sql(table, database, local, cluster, f"ReplicatedMergeTree('{path}', '{{replica}}')"),
        f"CREATE TABLE `{database}`.`{table.name}` ON CLUSTER `{cluster}` AS `{database}`.`{local}` "
        f"ENGINE = Distributed(`{cluster}`, `{database}`, `{local}`, {shard_key(table)})",
    ]


def is_sharded(table: sa.Table) -> bool:
    """Facts with the region ancestry are sharded; everything else is replicated whole."""
    from dashboard.store.schema import FACTS

    return table in FACTS and "county_code" in table.c


# -- bulk insert -------------------------------------------------------------------------------------------------


def _client(conn: Connection) -> Any:
    """clickhouse-connect's client under the DB-API connection (its Arrow insert)."""
    raw: Any = conn.connection.dbapi_connection
    assert raw is not None  # an open Connection always holds one
    return raw.client


def _decimal_from_fen(fen: pd.Series, precision: int, scale: int) -> pa.Array:
    """Integer fen as Arrow decimal128(precision, 2) without a float in between: the 128-bit unscaled values are the
    fen themselves (two's complement, little endian)."""
    assert scale == 2  # money: the schema's Numeric(18, 2)
    values = pd.array(fen, dtype="Int64")
    mask = np.asarray(values.isna())
    low = np.asarray(values.fillna(0), dtype=np.int64)
    pairs = np.empty((len(low), 2), dtype=np.int64)
    pairs[:, 0] = low
    pairs[:, 1] = np.where(low < 0, -1, 0)
    validity = pa.array(~mask).buffers()[1] if mask.any() else None
    return pa.Array.from_buffers(
        pa.decimal128(precision, scale), len(low), [validity, pa.py_buffer(pairs.tobytes())], null_count=-1
    )


def _arrow_column(col: sa.Column, values: pd.Series | None, rows: int) -> pa.Array:
    t = col.type
    if isinstance(t, sa.Numeric) and not isinstance(t, sa.Float) and t.scale == 2:
        arrow_type: pa.DataType = pa.decimal128(t.precision or 18, 2)
        if values is not None:
            return _decimal_from_fen(values, t.precision or 18, 2)
    elif isinstance(t, sa.Numeric) and not isinstance(t, sa.Float):
        arrow_type = pa.decimal128(t.precision or 18, t.scale or 0)
        if values is not None:
            return pa.array(values.astype(object).where(values.notna(), None), type=pa.float64()).cast(arrow_type)
    elif isinstance(t, sa.Boolean):
        arrow_type = pa.bool_()
    elif isinstance(t, sa.BigInteger):
        arrow_type = pa.int64()
    elif isinstance(t, sa.SmallInteger):
        arrow_type = pa.int16()
    elif isinstance(t, sa.Integer):
        arrow_type = pa.int32()
    elif isinstance(t, sa.Float):
        arrow_type = pa.float64()
    elif isinstance(t, sa.DateTime):
        arrow_type = pa.timestamp("us")
        if values is not None:
            return pa.array(pd.to_datetime(values), type=arrow_type)
    elif isinstance(t, sa.Date):
        arrow_type = pa.date32()
        if values is not None:
            return pa.array(pd.to_datetime(values).dt.date, type=arrow_type)
    else:
        arrow_type = pa.string()
        if values is not None:
            return pa.array(values.astype(object).where(values.notna(), None), type=arrow_type)
    if values is None:
        return pa.nulls(rows, type=arrow_type)
    if pa.types.is_integer(arrow_type):
        return pa.array(pd.array(values, dtype="Int64"), type=pa.int64()).cast(arrow_type)
    return pa.array(values, type=arrow_type, from_pandas=True)


def arrow_table(table: sa.Table, frame: pd.DataFrame) -> pa.Table:
    """A loader frame (money in integer fen, dates as datetime64) as Arrow with the table's columns and types."""
    rows = len(frame)
    arrays = [_arrow_column(c, frame[c.name] if c.name in frame.columns else None, rows) for c in table.columns]
    return pa.Table.from_arrays(arrays, names=[c.name for c in table.columns])


def insert_arrow(conn: Connection, table_name: str, data: pa.Table) -> None:
    database = conn.exec_driver_sql("SELECT currentDatabase()").scalar_one()
    _client(conn).insert_arrow(table_name, data, database=database)


def insert_frame(conn: Connection, table: sa.Table, frame: pd.DataFrame, chunk: int = 1_000_000) -> None:
    for start in range(0, len(frame), chunk):
        insert_arrow(conn, table.name, arrow_table(table, frame.iloc[start : start + chunk]))


def insert_staged(conn: Connection, table: sa.Table, database: str, relation: str, chunk: int = 1_000_000) -> None:
    """Rows of the importer's DuckDB staging file, streamed as Arrow record batches (exact decimals and dates)."""
    import duckdb

    listed = ", ".join(f'"{c.name}"' for c in table.columns)
    source = duckdb.connect(database, read_only=True)
    try:
        reader: Any = source.sql(f'SELECT {listed} FROM "{relation}"').to_arrow_reader(chunk)
        for batch in reader:
            insert_arrow(conn, table.name, pa.Table.from_batches([batch]))
    finally:
        source.close()


# -- publishing --------------------------------------------------------------------------------------------------


def publish(
    url: str,
    tables: list[sa.Table],
    copy_from_previous: list[sa.Table],
    build: Callable[[Connection], None],
    load_id: int,
    cluster: str = "",
) -> str:
    """Build load `load_id` in a database of its own (`build` gets a connection on it, with the tables made and,
    for an increment, `copy_from_previous` filled from the published version), then publish it. On a `cluster`
    every statement runs ON CLUSTER and an insert returns once every shard holds its rows."""
    previous = published_database(url)
    database = version_database(url, load_id)
    admin = create_engine(url, "default")
    on = f" ON CLUSTER `{cluster}`" if cluster else ""
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS `{home(url)}`{on}")
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{database}`{on} SYNC")  # a load that died half way
            conn.exec_driver_sql(f"CREATE DATABASE `{database}`{on}")
            for table in tables:
                for statement in (
                    cluster_ddl(table, database, cluster) if cluster else [create_table_sql(table, database)]
                ):
                    conn.exec_driver_sql(statement)
            if previous is not None:
                for table in copy_from_previous:
                    names = ", ".join(f"`{c.name}`" for c in table.columns)
                    conn.exec_driver_sql(
                        f"INSERT INTO `{database}`.`{table.name}` ({names}) "
                        f"SELECT {names} FROM `{previous}`.`{table.name}`"
                    )
        engine = create_engine(url, database, cluster)
        try:
            with engine.connect() as conn:
                build(conn)
        finally:
            engine.dispose()
        with admin.connect() as conn:
            pointer_engine = (
                f"ReplicatedMergeTree('/clickhouse/tables/all/{home(url)}/{POINTER}', '{{replica}}')"
                if cluster
                else "MergeTree"
            )
            conn.exec_driver_sql(
                f"CREATE TABLE IF NOT EXISTS `{home(url)}`.`{POINTER}`{on} "
                f"(load_id UInt32, database String, published_at DateTime64(6)) ENGINE = {pointer_engine} "
                "ORDER BY load_id"
            )
            conn.exec_driver_sql(
                f"INSERT INTO `{home(url)}`.`{POINTER}` VALUES (%(id)s, %(db)s, %(at)s)",
                {"id": load_id, "db": database, "at": dt.datetime.now()},
            )
            _drop_old_versions(conn, url, keep={database, previous}, on=on)
    finally:
        admin.dispose()
    return database


def _drop_old_versions(conn: Connection, url: str, keep: set[str | None], on: str = "") -> None:
    prefix = f"{home(url)}_v"
    names = conn.exec_driver_sql(
        "SELECT name FROM system.databases WHERE startsWith(name, %(p)s)", {"p": prefix}
    ).scalars()
    for name in list(names):
        if name not in keep and name[len(prefix) :].isdigit():
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`{on} SYNC")


def create_scratch(conn: Connection, table: sa.Table) -> None:
    """A plain table in the load's own database for rows a load works through (the caller drops it): ClickHouse's
    temporary tables live in an HTTP session, which the connection pool does not keep."""
    database = conn.exec_driver_sql("SELECT currentDatabase()").scalar_one()
    conn.exec_driver_sql(create_table_sql(table, database))
