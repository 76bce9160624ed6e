"""Benchmark: the scale-1 demo exported in the contract format and imported into an empty store (not a test).

    .venv/bin/python bench/bench_import.py                  # DuckDB, in a temp dir removed afterwards
    .venv/bin/python bench/bench_import.py --scale 0.1
    .venv/bin/python bench/bench_import.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Times `import_files(..., mode="replace")` (reading, validation, writing, marts, data version) per stage from the
progress messages. Target: <= 30 s at scale 1 into DuckDB. `--pg URL` imports the same files into a schema
`bench_import` of that database (created and dropped; nothing else in it is touched).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import sqlalchemy as sa  # noqa: E402

from dashboard.demo import build_demo  # noqa: E402
from dashboard.store.contract_export import export_contract  # noqa: E402
from dashboard.store.importer import import_files  # noqa: E402

TARGET_S = 30.0


def _timed_import(files: str, url: str) -> float:
    started = time.perf_counter()
    marks: list[tuple[float, str]] = []
    result = import_files([files], url, mode="replace", progress=lambda m: marks.append((time.perf_counter(), m)))
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"import refused: {result.bad_count} bad rows, e.g. {result.bad_rows[:3]}")
    stages: dict[str, float] = {}  # a message's stage lasts until the next message
    ends = [at for at, _message in marks[1:]] + [started + elapsed]
    for (at, message), end in zip(marks, ends):
        stage = message.split(" ")[0]
        stages[stage] = stages.get(stage, 0.0) + end - at
    print(f"  {result.total_rows:,} rows in {elapsed:.1f} s ({result.total_rows / elapsed:,.0f} rows/s)")
    print("  " + ", ".join(f"{k} {v:.1f}s" for k, v in stages.items()))
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--pg", default=None, help="also import into a scratch schema of this PostgreSQL database")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-import-")
    try:
        source = f"duckdb:///{work}/demo.duckdb"
        build_demo(source, scale=args.scale)
        files = os.path.join(work, "contract")
        started = time.perf_counter()
        counts = export_contract(source, files)
        print(f"export-contract: {sum(counts.values()):,} rows in {time.perf_counter() - started:.1f} s")
        print("import into an empty DuckDB store:")
        elapsed = _timed_import(files, f"duckdb:///{work}/imported.duckdb")
        if args.scale == 1.0:
            print(f"  target <= {TARGET_S:.0f} s: {'met' if elapsed <= TARGET_S else 'MISSED'}")
        if args.pg:
            engine = sa.create_engine(args.pg)
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA IF EXISTS bench_import CASCADE; CREATE SCHEMA bench_import")
            try:
                print("import into an empty PostgreSQL schema:")
                _timed_import(files, f"{args.pg}?options=-csearch_path%3Dbench_import")
            finally:
                with engine.begin() as conn:
                    conn.exec_driver_sql("DROP SCHEMA IF EXISTS bench_import CASCADE")
                engine.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
