"""Benchmark: each page's render at a cache miss, by engine and scale, beside the raw SQL it runs (app ÷ SQL).

    .venv/bin/python bench/bench_scale.py                                        # data/cockpit.duckdb as scale 1
    .venv/bin/python bench/bench_scale.py --store 1=duckdb:///data/cockpit.duckdb \\
        --store 10=duckdb:////tmp/x10.duckdb --store 1=postgresql+psycopg://postgres@127.0.0.1:5432/cockpit
    .venv/bin/python bench/bench_scale.py --rounds 20 --pages spending subsidies

For every store (`SCALE=URL`, any engine SQLAlchemy reaches: DuckDB, PostgreSQL, and ClickHouse once its dialect is
in) and every page (`tests/integration/render_calls.RENDERS`: the six topic pages, /, /screen, /risk; the
province view of the year), `--rounds` times:
- app: every process-level cache emptied (`render_calls.clear_process_caches`) and the engine reopened, then the
  page's render callback posted through Flask's test client, as the browser posts it (JSON in, serialised out);
- SQL: the statements that call ran (captured with SQLAlchemy's `before_cursor_execute`), executed again on a
  fresh connection of the same engine, rows fetched: what the database alone costs.
The ratio app ÷ SQL is what the Python side (pandas, the figures, serialisation) adds; statements and the ones that
read a record fact (`schema.RECORDS`) are counted. Results: a table page × engine × scale on stdout and JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (ROOT, os.path.join(ROOT, "bench")):
    if path not in sys.path:
        sys.path.insert(0, path)

import sqlalchemy as sa  # noqa: E402
from bench_topics import p95, signed_in_client  # noqa: E402

from tests.integration.render_calls import (  # noqa: E402
    RENDERS,
    body,
    clear_process_caches,
    statements_run,
    tables_read,
)

VIEW = {"region": "430000", "year": "2024", "period": "1-12"}


def _store(text: str) -> tuple[str, str]:
    scale, _, url = text.partition("=")
    if not url:
        raise argparse.ArgumentTypeError("a store is SCALE=URL, e.g. 10=duckdb:////tmp/x10.duckdb")
    return scale, url


def _raw_ms(url: str, statements: list[tuple[str, object]]) -> float:
    """The statements run again on a fresh engine of `url` (as the app configures it), every row fetched (ms)."""
    from dashboard.store.engine import finance_engine_for

    engine = finance_engine_for(url)
    try:
        with engine.connect() as conn:
            start = time.perf_counter()
            for sql, params in statements:
                conn.exec_driver_sql(sql, tuple(params) if isinstance(params, list) else params).fetchall()
            return (time.perf_counter() - start) * 1000
    finally:
        engine.dispose()


def measure(url: str, pages: list[str], rounds: int) -> list[dict]:
    os.environ["COCKPIT_DB_URL"] = url
    from dashboard.store.engine import finance_engine, reset_finance_engine
    from dashboard.store.schema import RECORDS
    from dashboard.web.app import create_app

    facts = {t.name for t in RECORDS}
    reset_finance_engine()
    app = create_app()
    client = signed_in_client(app)
    rows = []
    for page in pages:
        output, inputs = next(iter(RENDERS[page].items()))
        payload = body(app, output, inputs(VIEW))
        client.post("/_dash-update-component", json=payload)  # unmeasured: a fresh state store's warning run
        app_ms, sql_ms, statements = [], [], []
        for _ in range(rounds):
            clear_process_caches()
            reset_finance_engine()
            with statements_run(finance_engine()) as seen:
                start = time.perf_counter()
                response = client.post("/_dash-update-component", json=payload)
                app_ms.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise RuntimeError(response.get_data(as_text=True)[-2000:])
            reset_finance_engine()  # DuckDB: one configuration per file and process
            sql_ms.append(_raw_ms(url, seen))
            statements = seen
        rows.append(
            {
                "page": page,
                "app_p50_ms": statistics.median(app_ms),
                "app_p95_ms": p95(app_ms),
                "sql_p50_ms": statistics.median(sql_ms),
                "sql_p95_ms": p95(sql_ms),
                "ratio": statistics.median(app_ms) / max(statistics.median(sql_ms), 1e-9),
                "statements": len(statements),
                "fact_statements": sum(1 for sql, _ in statements if tables_read(sql) & facts),
                "n": rounds,
            }
        )
    reset_finance_engine()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", action="append", type=_store, help="SCALE=URL, repeatable")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pages", nargs="*", default=list(RENDERS))
    parser.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "scale.json"))
    args = parser.parse_args()
    stores = args.store or [("1", os.environ.get("COCKPIT_DB_URL", "duckdb:///data/cockpit.duckdb"))]
    os.environ["COCKPIT_STATE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/state.sqlite"  # the bench user's sessions
    results = []
    for scale, url in stores:
        engine = sa.engine.make_url(url).get_backend_name()
        for row in measure(url, args.pages, args.rounds):
            results.append({"engine": engine, "scale": scale, **row})
            r = results[-1]
            print(
                f"{r['page']:<12} {engine:<11} ×{scale:<4} app {r['app_p50_ms']:7.0f} / {r['app_p95_ms']:7.0f} ms"
                f"  SQL {r['sql_p50_ms']:7.0f} / {r['sql_p95_ms']:7.0f} ms  app÷SQL {r['ratio']:5.1f}"
                f"  stmts {r['statements']:3} (facts {r['fact_statements']})",
                flush=True,
            )
    print(f"p50 / p95 of {args.rounds} cold renders each; load average {os.getloadavg()[0]:.1f}")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump({"rounds": args.rounds, "rows": results}, fh, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
