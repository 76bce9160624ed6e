"""Benchmark: every page's render callbacks at a cache miss and warm, per view, with the statements and rows read.

    .venv/bin/python bench/bench_topics.py                                   # data/cockpit.duckdb, 20 rounds
    .venv/bin/python bench/bench_topics.py --db-url duckdb:////tmp/x10.duckdb --pages spending subsidies
    .venv/bin/python bench/bench_topics.py --calls render --rounds 30 --json bench/results/topics-x10.json

What is measured, for each page in VIEWS (the six topic pages, /, /screen, /risk) and each of its views (province,
a city, a county, with a filter or a drill level), each callback a page load runs (`tests/integration/render_calls`:
a topic's render callback — KPIs, every chart, the ranking — and its filter bar; the cockpit's panels; the screen;
/risk) and, for a topic, its drill-through table (`table`), posted through Flask's test client exactly as the
browser posts them (JSON in, callback, serialisation out):
- cold: every process-level cache emptied before each call (`render_calls.clear_process_caches`: the query memo, the
  render cache, the metric layer's and every other functools cache of the app, the reporting calendar, the region
  tree …) and the finance engine reopened: what a fresh worker pays. `--rounds` calls per view (≥ 20 for a p95).
- warm: the same call again on the running app (the render cache and the memo answer).
- statements: how many a cold call ran, and how many of them read a record fact (`schema.RECORDS`: payment,
  subsidy_payout …); rows scanned: the statements replayed under DuckDB's profiler, their `total_rows_scanned`
  summed (DuckDB only).
Every view is reported on its own line (no pooling of views into one p95). Targets (issue 5): p95 ≤ 300 ms warm and
≤ 1 s cold at 10× the demo. Results: a table on stdout and JSON (`--json`, default bench/results/topics.json).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import duckdb  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from tests.integration.render_calls import (  # noqa: E402
    RENDERS,
    TABLES,
    body,
    clear_process_caches,
    statements_run,
    tables_read,
)

PROVINCE = {"region": "430000", "year": "2024", "period": "1-12"}
CITY, COUNTY = {"region": "430100", "year": "2024", "period": "1-6"}, {"region": "430102", "year": "2024"}
VIEWS: dict[str, list[dict]] = {
    "revenue": [PROVINCE, CITY, COUNTY, {**CITY, "kind": "103"}, {**CITY, "item": "10101"}],
    "spending": [PROVINCE, CITY, COUNTY, {**CITY, "func": "205"}, {**CITY, "sanbao": "保工资", "pay_type": "直接支付"}],
    "transfers": [PROVINCE, CITY, COUNTY, {**CITY, "kind": "专项"}, {**CITY, "program": "均衡性转移支付"}],
    "debt": [PROVINCE, CITY, COUNTY, {**CITY, "bond_kind": "专项"}],
    "procurement": [
        PROVINCE,
        CITY,
        COUNTY,
        {**CITY, "method": "竞争性磋商"},
        {**CITY, "category": "服务"},
        {**CITY, "flag": "split"},
    ],
    # program 91 is the province's 城乡居民最低生活保障 at every scale (the generator numbers programs by category,
    # the province's first, then each city's)
    "subsidies": [
        PROVINCE,
        CITY,
        COUNTY,
        {**CITY, "category": "高龄津贴"},
        {**COUNTY, "program": "91"},
        {**CITY, "flag": "after_death"},
    ],
    "overview": [PROVINCE, CITY, COUNTY],
    "screen": [PROVINCE, CITY, COUNTY],
    "risk": [PROVINCE, CITY, COUNTY],
}
TARGET_WARM_MS, TARGET_COLD_MS = 300.0, 1000.0


def _calls(page: str, query: dict) -> dict[str, tuple[str, list]]:
    """name → (output id, inputs): 'render' is the page's main render callback, then its other page-load callbacks
    by output id, then a topic's drill-through table."""
    calls = {}
    for i, (output, inputs) in enumerate(RENDERS[page].items()):
        calls["render" if i == 0 else output] = (output, inputs(query))
    if page in TABLES:
        calls["table"] = (
            TABLES[page],
            [(f"{page}-query", "data", query), (f"{page}-table-state", "data", {}), (f"{page}-reveal", "data", {})],
        )
    return calls


def signed_in_client(app):
    """A test client with a session of the province analyst `bench_analyst` (made in the state store if missing),
    sending the CSRF header the Dash renderer sends: callbacks refuse anyone not signed in."""
    from dashboard.state import accounts
    from dashboard.web.gate import CSRF_COOKIE, SESSION_COOKIE

    if accounts.get_account("bench_analyst") is None:
        accounts.add_user("bench_analyst", "bench", "分析", "430000", "Xiang#Jiang2024", actor="bench")
    token, csrf_token = accounts.start_session("bench_analyst")
    client = app.server.test_client()
    client.set_cookie(SESSION_COOKIE, token)
    client.set_cookie(CSRF_COOKIE, csrf_token)
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token
    return client


def _timed(client, payload: dict) -> float:
    start = time.perf_counter()
    response = client.post("/_dash-update-component", json=payload)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code not in (200, 204):
        raise RuntimeError(response.get_data(as_text=True)[-2000:])
    return elapsed


def rows_scanned(path: str, statements: list[tuple[str, object]]) -> int:
    """The rows the statements scanned, replayed in a child process (`--replay`: the app's own DuckDB connection
    keeps the file open with another configuration)."""
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as fh:
        pickle.dump((path, statements), fh)
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--replay", fh.name], capture_output=True, text=True, check=True
        )
    finally:
        os.unlink(fh.name)
    return int(done.stdout.strip().splitlines()[-1])


def _replay(path: str, statements: list[tuple[str, object]]) -> int:
    """Replay the statements under DuckDB's JSON profiler and add up the rows each one scanned."""
    total = 0
    conn = duckdb.connect(path, read_only=True)
    with tempfile.TemporaryDirectory() as tmp:
        for i, (sql, params) in enumerate(statements):
            out = os.path.join(tmp, f"{i}.json")
            conn.execute("PRAGMA enable_profiling='json'")
            conn.execute(f"PRAGMA profiling_output='{out}'")
            conn.execute(sql, list(params) if isinstance(params, (list, tuple)) else params or []).fetchall()
            conn.execute("PRAGMA disable_profiling")
            with open(out, encoding="utf-8") as fh:
                total += int(json.load(fh)["query"]["total_rows_scanned"])
    conn.close()
    return total


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _view_name(query: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in query.items() if k != "year")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", default=os.environ.get("COCKPIT_DB_URL", "duckdb:///data/cockpit.duckdb"))
    parser.add_argument("--rounds", type=int, default=20, help="cold and warm calls of every view and callback")
    parser.add_argument("--pages", nargs="*", default=list(VIEWS))
    parser.add_argument("--calls", nargs="*", default=None, help="only these callbacks (render, table, …)")
    parser.add_argument("--views", type=int, default=None, help="only the first N views of each page")
    parser.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "topics.json"))
    parser.add_argument("--replay", help=argparse.SUPPRESS)  # the child process of `rows_scanned`
    args = parser.parse_args()
    if args.replay:
        with open(args.replay, "rb") as fh:
            print(_replay(*pickle.load(fh)))
        return
    os.environ["COCKPIT_DB_URL"] = args.db_url
    os.environ["COCKPIT_STATE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/state.sqlite"  # the bench user's sessions
    from dashboard.store.engine import finance_engine, is_duckdb, reset_finance_engine
    from dashboard.store.schema import RECORDS
    from dashboard.web.app import create_app

    facts = {t.name for t in RECORDS}
    with finance_engine().connect() as conn:  # a payment traced (agency → indicator → payment) of the county view
        traced = conn.execute(
            sa.text(
                "SELECT agency_id, indicator_id, id FROM payment WHERE county_code = :c "
                "AND pay_date >= DATE '2024-01-01' ORDER BY id LIMIT 1"
            ),
            {"c": COUNTY["region"]},
        ).one()
    VIEWS["spending"].append(
        {**COUNTY, "agency": str(traced[0]), "indicator": str(traced[1]), "payment": str(traced[2])}
    )
    reset_finance_engine()
    duck_path = os.path.realpath(args.db_url.removeprefix("duckdb:///")) if is_duckdb(args.db_url) else None
    app = create_app()
    client = signed_in_client(app)
    rows: list[dict] = []
    for page in args.pages:
        for output, inputs in RENDERS[page].items():  # once, unmeasured: the warning run a fresh state store lacks
            _timed(client, body(app, output, inputs(VIEWS[page][0])))
        for query in VIEWS[page][: args.views]:
            for name, (output, inputs) in _calls(page, query).items():
                if args.calls and name not in args.calls:
                    continue
                payload = body(app, output, inputs)
                cold, warm, statements = [], [], []
                for round_ in range(args.rounds):
                    clear_process_caches()
                    reset_finance_engine()
                    with statements_run(finance_engine()) as seen:
                        cold.append(_timed(client, payload))
                    warm.append(_timed(client, payload))
                    if round_ == 0:
                        statements = seen
                scanned = None
                if duck_path:
                    scanned = rows_scanned(duck_path, statements)
                rows.append(
                    {
                        "page": page,
                        "view": _view_name(query),
                        "call": name,
                        "cold_p50_ms": statistics.median(cold),
                        "cold_p95_ms": p95(cold),
                        "warm_p50_ms": statistics.median(warm),
                        "warm_p95_ms": p95(warm),
                        "n": len(cold),
                        "statements": len(statements),
                        "fact_statements": sum(1 for sql, _ in statements if tables_read(sql) & facts),
                        "rows_scanned": scanned,
                    }
                )
                r = rows[-1]
                shown = "-" if scanned is None else f"{scanned:,}"
                print(
                    f"{page:<11} {r['view'][:44]:<44} {name[:18]:<18} cold {r['cold_p50_ms']:6.0f} /"
                    f" {r['cold_p95_ms']:6.0f} ms  warm {r['warm_p50_ms']:5.1f} / {r['warm_p95_ms']:5.1f} ms"
                    f"  stmts {r['statements']:3} (facts {r['fact_statements']:2})"
                    f"  rows {shown:>11}",
                    flush=True,
                )
    worst_warm = max(r["warm_p95_ms"] for r in rows)
    worst_cold = max(r["cold_p95_ms"] for r in rows)
    print(
        f"worst p95 (of {args.rounds} rounds per view): warm {worst_warm:.0f} ms (target ≤ {TARGET_WARM_MS:.0f}), "
        f"cold {worst_cold:.0f} ms (target ≤ {TARGET_COLD_MS:.0f}) on {args.db_url}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump({"db_url": args.db_url, "rounds": args.rounds, "views": rows}, fh, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
