"""Benchmark: the callbacks of every topic page, cold and warm, with the rows the store scanned for them.

    .venv/bin/python bench/bench_topics.py                                   # data/cockpit.duckdb
    .venv/bin/python bench/bench_topics.py --db-url duckdb:////tmp/i5a-x10.duckdb --rounds 5
    .venv/bin/python bench/bench_topics.py --pages revenue spending

What is measured: each page's three data callbacks — its render callback (`<key>-notices` …: KPIs, every chart, the
ranking), its filter bar (`<key>-year` …: the valid choices of every filter) and its drill-through table
(`<key>-table`) — posted through Flask's test client exactly as the browser
posts them (JSON in, callback, serialisation out), for each view in VIEWS (province, a city, a county, with a
filter or a drill level).
- cold: a fresh app (empty query cache) and a fresh engine (the DuckDB file reopened) before every call.
- warm: the same call again on the running app (served from the memoised query cache).
- rows scanned: every SQL statement a cold call issues is captured and replayed under DuckDB's profiler; the sum of
  its `cumulative_rows_scanned` (DuckDB only).
Targets (issue 5): p95 ≤ 300 ms warm and ≤ 1 s cold at 10× the demo. Results: a table on stdout and
bench/results/topics.json.

Adding a page: append its key and views to VIEWS (the kit gives every topic page the same callback ids).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import duckdb  # noqa: E402
import sqlalchemy as sa  # noqa: E402

CITY, COUNTY = {"region": "430100", "year": "2024", "period": "1-6"}, {"region": "430102", "year": "2024"}
VIEWS: dict[str, list[dict]] = {
    "revenue": [
        {"region": "430000", "year": "2024", "period": "1-12"},
        CITY,
        COUNTY,
        {**CITY, "kind": "103"},
        {**CITY, "item": "10101"},
    ],
    "spending": [
        {"region": "430000", "year": "2024", "period": "1-12"},
        CITY,
        COUNTY,
        {**CITY, "func": "205"},
        {**CITY, "sanbao": "保工资", "pay_type": "直接支付"},
    ],
    "transfers": [
        {"region": "430000", "year": "2024", "period": "1-12"},
        CITY,
        COUNTY,
        {**CITY, "kind": "专项"},
        {**CITY, "program": "均衡性转移支付"},
    ],
    "debt": [{"region": "430000", "year": "2024", "period": "1-12"}, CITY, COUNTY, {**CITY, "bond_kind": "专项"}],
    "quality": [{"region": "430000", "year": "2024", "period": "1-12"}, CITY, COUNTY, {**CITY, "rule": "G01"}],
    "procurement": [
        {"region": "430000", "year": "2024", "period": "1-12"},
        CITY,
        COUNTY,
        {**CITY, "method": "竞争性磋商"},
        {**CITY, "category": "服务"},
        {**CITY, "flag": "split"},
    ],
    # program 91 is the province's 城乡居民最低生活保障 at every scale (the generator numbers programs by category,
    # the province's first, then each city's)
    "subsidies": [
        {"region": "430000", "year": "2024", "period": "1-12"},
        CITY,
        COUNTY,
        {**CITY, "category": "高龄津贴"},
        {**COUNTY, "program": "91"},
        {**CITY, "flag": "after_death"},
    ],
}
TARGET_WARM_MS, TARGET_COLD_MS = 300.0, 1000.0


def _body(app, prefix: str, inputs: list[tuple[str, str, object]]) -> dict:
    key = next(k for k in app.callback_map if k.lstrip(".").startswith(prefix))
    outputs = []
    for text in key.strip(".").split("..."):
        component, prop = text.rsplit(".", 1)
        if not component.startswith("{"):
            outputs.append({"id": component, "property": prop})
            continue
        pattern = json.loads(component)
        if pattern.get("filter") == ["ALL"]:  # the filter bar's selects: one per filter of the page
            filters = importlib.import_module(f"pages.{pattern['page']}").FILTERS
            outputs.append([{"id": {**pattern, "filter": name}, "property": prop} for name, _label in filters])
        else:
            outputs.append({"id": pattern, "property": prop})
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
        "state": [],
    }


def _calls(key: str, query: dict) -> dict[str, tuple[str, list]]:
    return {
        "render": (f"{key}-notices", [(f"{key}-query", "data", query)]),
        "filters": (f"{key}-year.options", [(f"{key}-query", "data", query)]),
        "table": (
            f"{key}-table.",
            [(f"{key}-query", "data", query), (f"{key}-table-state", "data", {}), (f"{key}-reveal", "data", {})],
        ),
    }


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


def _timed(client, body: dict) -> float:
    start = time.perf_counter()
    response = client.post("/_dash-update-component", json=body)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(response.get_data(as_text=True)[-2000:])
    return elapsed


def _rows_scanned(path: str, statements: list[tuple[str, object]]) -> int:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", default=os.environ.get("COCKPIT_DB_URL", "duckdb:///data/cockpit.duckdb"))
    parser.add_argument("--rounds", type=int, default=3, help="cold and warm repetitions of every call")
    parser.add_argument("--pages", nargs="*", default=list(VIEWS))
    args = parser.parse_args()
    os.environ["COCKPIT_DB_URL"] = args.db_url
    os.environ["COCKPIT_STATE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/state.sqlite"  # the bench user's sessions
    from dashboard.store.engine import finance_engine, is_duckdb, reset_finance_engine
    from dashboard.web.app import create_app

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
    results = {}
    for key in args.pages:
        timings = {name: {"cold": [], "warm": []} for name in ("render", "filters", "table")}
        scanned = {name: [] for name in timings}
        for query in VIEWS[key]:
            for name, (prefix, inputs) in _calls(key, query).items():
                for round_ in range(args.rounds):
                    reset_finance_engine()
                    app = create_app()
                    client = signed_in_client(app)
                    body = _body(app, prefix, inputs)
                    _timed(client, _body(app, f"{key}-notices", [(f"{key}-query", "data", {})]))  # tree, years
                    reset_finance_engine()
                    app = create_app()
                    client = signed_in_client(app)
                    statements: list = []

                    def listener(_conn, _cursor, sql, params, _context, _many, statements=statements):
                        statements.append((sql, params))

                    engine = finance_engine()
                    sa.event.listen(engine, "before_cursor_execute", listener)
                    timings[name]["cold"].append(_timed(client, body))
                    sa.event.remove(engine, "before_cursor_execute", listener)
                    timings[name]["warm"].append(_timed(client, body))
                    if round_ == 0 and duck_path:
                        reset_finance_engine()  # DuckDB allows one configuration per file in a process
                        scanned[name].append(_rows_scanned(duck_path, statements))
        results[key] = {
            name: {
                mode: {"median_ms": statistics.median(v), "p95_ms": p95(v), "n": len(v)} for mode, v in modes.items()
            }
            | {"rows_scanned_max": max(scanned[name] or [0])}
            for name, modes in timings.items()
        }
    print(
        f"{'page':<10} {'callback':<8} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9} "
        f"{'rows scanned (max)':>19}"
    )
    for key, calls in results.items():
        for name, r in calls.items():
            print(
                f"{key:<10} {name:<8} {r['cold']['median_ms']:>8.0f}ms {r['cold']['p95_ms']:>8.0f}ms "
                f"{r['warm']['median_ms']:>8.1f}ms {r['warm']['p95_ms']:>8.1f}ms {r['rows_scanned_max']:>19,}"
            )
    worst_warm = max(r["warm"]["p95_ms"] for calls in results.values() for r in calls.values())
    worst_cold = max(r["cold"]["p95_ms"] for calls in results.values() for r in calls.values())
    print(
        f"worst p95: warm {worst_warm:.0f} ms (target ≤ {TARGET_WARM_MS:.0f}), cold {worst_cold:.0f} ms "
        f"(target ≤ {TARGET_COLD_MS:.0f}) on {args.db_url}"
    )
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "topics.json"), "w", encoding="utf-8") as fh:
        json.dump({"db_url": args.db_url, "rounds": args.rounds, "pages": results}, fh, indent=2)


if __name__ == "__main__":
    main()
