"""A benchmark store of N × the payments and payouts of a generated one, for the scale targets (issue 15).

    .venv/bin/python -m dashboard demo --scale 10 --db-url duckdb:////tmp/scale/x10.duckdb
    .venv/bin/python bench/build_scale_store.py /tmp/scale/x10.duckdb /tmp/scale/x86.duckdb --factor 9
    .venv/bin/python bench/build_scale_store.py /tmp/scale/x10.duckdb \
        "clickhousedb:///cockpit?interface=chdb&path=/tmp/scale/ch86" --factor 9

Why not `demo --scale 86`: the generator holds every frame of a load in memory (about 0.5 GB per scale unit), so
86 × needs ~45 GB where this machine has 24. The equivalent: the scale-10 demo (11.6 M payments, 13 M payouts)
with its payments and payouts repeated `factor` times under new ids and voucher numbers (same agencies,
indicators, places, months and recipients), then every mart rebuilt by the loader's own `rebuild_marts` and a new
data version recorded. What a page costs depends on rows scanned and groups formed: the repeated rows give the
fact tables 100 M+ rows with the scale-10 store's groups, so marts stay the size of scale 10 (as they would: a
province has as many agencies, projects and townships however many vouchers it pays) and the drill-through
tables page through 9× the records. Money totals are 9× the demo's (not calibrated: a benchmark store only).
The target is a DuckDB file (a copy of the source, grown) or a ClickHouse URL (the grown facts streamed into a
new published version).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import datetime as dt  # noqa: E402

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from dashboard.store import clickhouse  # noqa: E402
from dashboard.store.marts import rebuild_marts  # noqa: E402
from dashboard.store.schema import FACTS, MARTS, data_version, metadata, payment, subsidy_payout  # noqa: E402

GROWN = (payment, subsidy_payout)
ID_STEP = 10**11  # copy k's ids: k × ID_STEP + the original id (originals are far below it)


def _copy_select(table: sa.Table, k: int, source: str = "") -> str:
    cols = []
    for c in table.columns:
        if c.name == "id":
            cols.append(f'"id" + {k * ID_STEP} AS "id"')
        elif c.name == "voucher_no":
            cols.append(f'"voucher_no" || \'-{k}\' AS "voucher_no"')
        else:
            cols.append(f'"{c.name}"')
    return f'SELECT {", ".join(cols)} FROM {source}"{table.name}" WHERE "id" < {ID_STEP}'


def grow_duckdb(source: str, target: str, factor: int) -> None:
    shutil.copyfile(os.path.realpath(source), target)
    db = duckdb.connect(target)
    for table in GROWN:  # one CREATE TABLE AS: no primary-key index to maintain row by row
        started = time.perf_counter()
        copies = " UNION ALL ".join(_copy_select(table, k) for k in range(factor))
        db.execute(f'CREATE TABLE "{table.name}_grown" AS {copies}')
        db.execute(f'DROP TABLE "{table.name}"')
        db.execute(f'ALTER TABLE "{table.name}_grown" RENAME TO "{table.name}"')
        print(f"{table.name} × {factor}: {time.perf_counter() - started:.1f} s", flush=True)
    db.execute("CHECKPOINT")
    db.close()
    engine = sa.create_engine(f"duckdb:///{target}")
    with engine.begin() as conn:
        _fresh_marts(conn)
        _rebuild(conn, factor)
    with engine.connect() as conn:
        conn.exec_driver_sql("CHECKPOINT")
    engine.dispose()


def _fresh_marts(conn: sa.Connection) -> None:
    """The marts of this code, whatever the source store was built with."""
    for mart in MARTS:
        mart.drop(conn, checkfirst=True)
        mart.create(conn)


def _rebuild(conn: sa.Connection, factor: int, last: sa.Row | None = None) -> None:
    """Every mart from the grown facts, then a data version of its own (so no cache takes it for the source)."""
    started = time.perf_counter()
    counts = rebuild_marts(conn)
    print(f"marts: {time.perf_counter() - started:.1f} s {counts}", flush=True)
    if last is None:
        last = conn.execute(sa.select(data_version).order_by(data_version.c.load_id.desc()).limit(1)).one()
    conn.execute(
        data_version.insert().values(
            load_id=last.load_id + 1,
            loaded_at=dt.datetime.now(),
            source=f"{last.source} grown",
            province_code=last.province_code,
            data_through=last.data_through,
            note=f"benchmark store: payments and payouts × {factor}",
        )
    )


def grow_clickhouse(source: str, url: str, factor: int) -> None:
    """Every table of the DuckDB `source` into a new published ClickHouse version, the grown ones `factor` times."""
    db = duckdb.connect(os.path.realpath(source), read_only=True)
    engine = sa.create_engine(f"duckdb:///{os.path.realpath(source)}", connect_args={"read_only": True})
    with engine.connect() as conn:
        last = conn.execute(sa.select(data_version).order_by(data_version.c.load_id.desc()).limit(1)).one()
    engine.dispose()

    def build(conn: sa.Connection) -> None:
        for table in [t for t in metadata.sorted_tables if t not in MARTS and t is not data_version]:
            copies = range(factor) if table in GROWN else range(1)
            for k in copies:
                started = time.perf_counter()
                select = _copy_select(table, k) if table in GROWN else f'SELECT * FROM "{table.name}"'
                reader = db.sql(select).to_arrow_reader(1_000_000)
                for batch in reader:
                    clickhouse.insert_arrow(conn, table.name, pa.Table.from_batches([batch]))
                print(f"{table.name} copy {k}: {time.perf_counter() - started:.1f} s", flush=True)
        _rebuild(conn, factor, last)

    clickhouse.publish(url, metadata.sorted_tables, [], build, last.load_id + 1)
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="a DuckDB store built by `dashboard demo` (its file)")
    parser.add_argument("target", help="a new DuckDB file, or a clickhousedb:// URL")
    parser.add_argument("--factor", type=int, default=9)
    parser.add_argument("--marts-only", action="store_true", help="the DuckDB target exists: rebuild its marts only")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.marts_only and clickhouse.is_clickhouse(args.target):
        from dashboard.store.engine import finance_engine_for

        engine = finance_engine_for(args.target)  # the published version, its marts replaced in place (bench only)
        with engine.connect() as conn:
            database = conn.exec_driver_sql("SELECT currentDatabase()").scalar_one()
            for mart in MARTS:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS `{database}`.`{mart.name}`")
                conn.exec_driver_sql(clickhouse.create_table_sql(mart, database))
            _rebuild(conn, args.factor)
        engine.dispose()
    elif args.marts_only:
        engine = sa.create_engine(f"duckdb:///{args.target.removeprefix('duckdb:///')}")
        with engine.begin() as conn:
            _fresh_marts(conn)
            _rebuild(conn, args.factor)
        engine.dispose()
    elif clickhouse.is_clickhouse(args.target):
        grow_clickhouse(args.source, args.target, args.factor)
    else:
        grow_duckdb(args.source, args.target.removeprefix("duckdb:///"), args.factor)
    grown = ", ".join(t.name for t in FACTS if t in GROWN)
    print(f"built in {time.perf_counter() - started:.0f} s: {grown} × {args.factor}")


if __name__ == "__main__":
    main()
