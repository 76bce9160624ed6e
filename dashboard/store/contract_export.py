"""Write a finance store in the import contract's format: one UTF-8 CSV per table, Chinese headers, money in 元
with two decimals, dates YYYY-MM-DD, yes/no as 是/否. The demo written this way is a sample export.

The engine writes the files (DuckDB's COPY, PostgreSQL's COPY TO STDOUT), so a scale-1 store takes seconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from dashboard.store.contract import TABLES, TableContract
from dashboard.store.engine import finance_engine_for


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select(contract: TableContract) -> str:
    columns = []
    for f in contract.fields:
        value = _q(f.name)
        if f.kind == "boolean":
            value = f"CASE WHEN {value} THEN '是' WHEN NOT {value} THEN '否' END"
        columns.append(f"{value} AS {_q(f.label)}")
    order = ", ".join(_q(k) for k in contract.key)
    return f"SELECT {', '.join(columns)} FROM {_q(contract.name)} ORDER BY {order}"


def export_contract(url: str, directory: str, progress: Callable[[str], None] = lambda _msg: None) -> dict[str, int]:
    """Every table of the store at `url` as `<directory>/<table>.csv`; returns rows per table."""
    os.makedirs(directory, exist_ok=True)
    engine = finance_engine_for(url)
    counts = {}
    try:
        with engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            for contract in TABLES.values():
                if contract.name not in present:
                    continue
                progress(f"导出 {contract.name}")
                path = os.path.join(directory, f"{contract.name}.csv")
                raw: Any = conn.connection.dbapi_connection  # the driver: DuckDB and psycopg COPY
                assert raw is not None
                if conn.dialect.name == "duckdb":
                    raw.execute("SET enable_progress_bar = false")  # ours is on stderr already
                    target = path.replace("'", "''")
                    raw.execute(f"COPY ({_select(contract)}) TO '{target}' (HEADER, DELIMITER ',')")
                elif conn.dialect.name == "postgresql":
                    with (
                        raw.cursor() as cur,
                        open(path, "wb") as out,
                        cur.copy(f"COPY ({_select(contract)}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy,
                    ):
                        for block in copy:
                            out.write(block)
                else:
                    import pandas as pd

                    pd.read_sql(sa.text(_select(contract)), conn).to_csv(path, index=False)
                counts[contract.name] = conn.execute(
                    sa.select(sa.func.count()).select_from(sa.table(contract.name))
                ).scalar_one()
    finally:
        engine.dispose()
    return counts
