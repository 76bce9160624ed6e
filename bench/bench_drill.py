"""Benchmark: the overview drill aggregation through the app's query layer vs. the same SQL run raw on DuckDB.

    .venv/bin/python bench/bench_drill.py                                   # data/cockpit.duckdb, read-only
    .venv/bin/python bench/bench_drill.py --db-url duckdb:////tmp/x/cockpit.duckdb --rounds 50
    .venv/bin/python bench/bench_drill.py --cold-tree      # count loading the region tree as part of "cold"
    .venv/bin/python bench/bench_drill.py --profile        # also cProfile the app layer (cold and memo-miss)

What is measured: `queries.overview.region_breakdown(scope, DrillState(region, year, m1, m2))` — the drill
aggregation of the overview page (本级 + each child region: revenue and spending of the period this year and last
year, and the year's budget) — for the province (children: every city) and two cities (children: their counties),
each for the periods 1-12 and 1-6 of 2024. One *round* is those 3 regions x 2 periods = 6 calls.

Modes
  cold  app: memoisation disabled (`bind_cache(None)`) and a fresh engine for every call
        (`reset_finance_engine()` beforehand, untimed), so each call pays engine creation, the DuckDB open, the
        data-version read, SQL compilation, the three queries and the DataFrame assembly.
        raw: a fresh `duckdb.connect(realpath, read_only=True)` for every call (timed), the same three GROUP BY
        statements with the same filters and parameters, `.fetchall()`; "raw+df" additionally builds one
        DataFrame per statement (the app builds and merges DataFrames). The app engine is disposed before the
        raw connection opens and vice versa, so neither side reuses the other's open database or buffer pool.
        The region tree is loaded once per data version and shared by every page, so by default it is NOT part
        of cold (it stays in its lru_cache; its load is timed separately). `--cold-tree` clears
        `_tree_for` / `_years_for` before every app call and makes the raw side read the region table too.
  miss  memoisation disabled but the engine kept open (a cache miss in a running app) vs. raw on one persistent
        connection. Run as two phases because duckdb_engine opens the file with a different config than a plain
        `duckdb.connect`, and DuckDB refuses two configurations for one file in one process.
  warm  memoisation enabled with a bound `cachelib.SimpleCache` (as `create_app()` binds flask-caching's), each
        call primed once, then repeated.

Targets: cold app/raw ratio <= 1.3 (median of per-round totals); warm median and p95 <= 10 ms per call.
Results: a compact table on stdout and JSON in bench/results/drill.json.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import sys
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from cachelib import SimpleCache  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

TARGET_COLD_RATIO = 1.3
TARGET_WARM_MS = 10.0

# -- the raw side: the same three statements the query layer issues ---------------------------------------------------

_CHILD = {"province": "coalesce(city_code, county_code)", "city": "county_code", "county": "NULL"}
_LEVEL_COLUMN = {"province": "province_code", "city": "city_code", "county": "county_code"}


def raw_statements(
    level: str, code: str, scope_column: str, scope_root: str, year: int, first: int, last: int
) -> list[tuple[str, list]]:
    """(sql, params) for revenue, spending and budget, mirroring queries/overview.py filter for filter."""
    child, col = _CHILD[level], _LEVEL_COLUMN[level]
    out = []
    for mart, value in (("mart_revenue_month", "revenue"), ("mart_payment_month", "spending")):
        out.append(
            (
                f"SELECT {child} AS code, "
                f"sum(CASE WHEN (year = ?) THEN amount END) AS {value}, "
                f"sum(CASE WHEN (year = ?) THEN amount END) AS {value}_prev "
                f"FROM {mart} "
                f"WHERE {scope_column} = ? AND {col} = ? AND year IN (?, ?) AND month BETWEEN ? AND ? "
                f"GROUP BY {child}",
                [year, year - 1, scope_root, code, year, year - 1, first, last],
            )
        )
    out.append(
        (
            f"SELECT {child} AS code, sum(amount) AS budget FROM mart_indicator_year "
            f"WHERE {scope_column} = ? AND {col} = ? AND year = ? GROUP BY {child}",
            [scope_root, code, year],
        )
    )
    return out


REGION_SQL = "SELECT adcode, name, level, parent_adcode FROM region"


def raw_call(path: str, con, stmts, *, fresh: bool, with_tree: bool) -> tuple[float, float, list]:
    """Run the statements; returns (seconds to fetch, seconds incl. DataFrames, rows). Closing is untimed."""
    t0 = time.perf_counter()
    if fresh:
        con = duckdb.connect(path, read_only=True)
    if with_tree:
        con.execute(REGION_SQL).fetchall()
    results = []
    for sql, params in stmts:
        cur = con.execute(sql, params)
        results.append((cur.fetchall(), [d[0] for d in cur.description]))
    t1 = time.perf_counter()
    frames = [pd.DataFrame(rows, columns=cols) for rows, cols in results]
    t2 = time.perf_counter()
    if fresh:
        con.close()
    del frames
    return t1 - t0, t2 - t0, results


# -- statistics --------------------------------------------------------------------------------------------------------


def stats_ms(samples: list[float]) -> dict:
    a = np.asarray(samples) * 1000.0
    return {
        "n": len(a),
        "median_ms": float(np.median(a)),
        "p95_ms": float(np.percentile(a, 95)),
        "min_ms": float(a.min()),
        "mean_ms": float(a.mean()),
    }


def fmt(s: dict) -> str:
    return f"{s['median_ms']:8.2f} {s['p95_ms']:8.2f}"


# -- the benchmark -----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--db-url",
        default=os.environ.get("COCKPIT_DB_URL", "duckdb:///data/cockpit.duckdb"),
        help="DuckDB store to read (read-only); default duckdb:///data/cockpit.duckdb",
    )
    ap.add_argument("--rounds", type=int, default=30, help="measured rounds per mode (default 30)")
    ap.add_argument("--warmup", type=int, default=2, help="unmeasured rounds before each mode")
    ap.add_argument("--warm-repeats", type=int, default=100, help="repeats of each call in warm mode")
    ap.add_argument(
        "--regions", default=None, help="comma-separated adcodes to drill (default: the province, 430100, 430400)"
    )
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--periods", default="1-12,1-6")
    ap.add_argument(
        "--cold-tree",
        action="store_true",
        help="count loading the region tree (and the raw side's region read) as part of cold",
    )
    ap.add_argument("--profile", action="store_true", help="cProfile the app layer and print the top entries")
    ap.add_argument("--profile-calls", type=int, default=60)
    ap.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "drill.json"))
    args = ap.parse_args(argv)

    url = args.db_url
    if make_url(url).get_backend_name() != "duckdb":
        ap.error("the raw comparison needs a DuckDB store (duckdb:///path)")
    rel = make_url(url).database or ""
    if not os.path.isabs(rel):
        # settings resolve relative paths against the working directory; make the default work from anywhere
        rel = rel if os.path.exists(rel) else os.path.join(ROOT, rel)
        url = f"duckdb:///{os.path.abspath(rel)}"
    if not os.path.exists(rel):
        ap.error(f"no store at {rel}: build one with bench/bench_build.py --keep or `python -m dashboard demo`")
    path = os.path.realpath(rel)
    os.environ["COCKPIT_DB_URL"] = url

    # imported after COCKPIT_DB_URL is set (settings are read lazily anyway)
    from dashboard.core.drill import DrillState
    from dashboard.core.scope import Scope
    from dashboard.store.engine import current_data_version, finance_engine, reset_finance_engine
    from dashboard.store.memo import bind_cache
    from queries import regions as qregions
    from queries.overview import region_breakdown

    version = current_data_version()
    tree = qregions.region_tree()
    scope = Scope(version.province_code, "province")
    regions = args.regions.split(",") if args.regions else [version.province_code, "430100", "430400"]
    periods = []
    for p in args.periods.split(","):
        lo, _, hi = p.partition("-")
        periods.append((int(lo), int(hi or lo)))
    calls = []  # (label, DrillState, raw statements)
    for code in regions:
        r = tree[code]
        for lo, hi in periods:
            calls.append(
                (
                    f"{code} {r.level:<8} {lo}-{hi}",
                    DrillState(code, args.year, lo, hi),
                    raw_statements(r.level, code, scope.column, scope.root, args.year, lo, hi),
                )
            )

    print(f"bench_drill: {url} -> {path}")
    print(
        f"  load v{version.load_id}, scope {scope.root}/{scope.level}, year {args.year}, "
        f"periods {args.periods}, regions {','.join(regions)}; rounds {args.rounds} (+{args.warmup} warm-up)"
    )

    # correctness: the raw statements return what the query layer returns
    bind_cache(None)
    for label, state, stmts in calls:
        df = region_breakdown(scope, state)
        reset_finance_engine()
        _f, _d, results = raw_call(path, None, stmts, fresh=True, with_tree=False)
        for rows, cols in results:
            for row in rows:
                rec = dict(zip(cols, row))
                code = rec.pop("code")
                match = df[df["code"].isna()] if code is None else df[df["code"] == code]
                assert len(match) == 1, (label, code)
                for k, v in rec.items():
                    assert match.iloc[0][k] == (v if v is not None else Decimal("0.00")), (label, code, k)
    print(f"  check: raw SQL rows equal the query layer's DataFrames for all {len(calls)} calls")

    # tree load, timed separately (once per data version in the app)
    tree_samples = []
    for _ in range(10):
        qregions._tree_for.cache_clear()
        t0 = time.perf_counter()
        qregions.region_tree()
        tree_samples.append(time.perf_counter() - t0)
    tree_stats = stats_ms(tree_samples)

    def app_cold(state):
        reset_finance_engine()
        if args.cold_tree:
            qregions._tree_for.cache_clear()
            qregions._years_for.cache_clear()
        gc.collect()
        t0 = time.perf_counter()
        region_breakdown(scope, state)
        return time.perf_counter() - t0

    def raw_cold(stmts):
        reset_finance_engine()  # the app's DuckDB instance must be closed so the raw side opens the file afresh
        gc.collect()
        t_fetch, t_df, _ = raw_call(path, None, stmts, fresh=True, with_tree=args.cold_tree)
        return t_fetch, t_df

    # ---- cold
    bind_cache(None)
    cold = {label: {"app": [], "raw": [], "raw_df": []} for label, _, _ in calls}
    cold_rounds = {"app": [], "raw": [], "raw_df": []}
    t_mode = time.perf_counter()
    for rnd in range(args.warmup + args.rounds):
        tot = {"app": 0.0, "raw": 0.0, "raw_df": 0.0}
        for label, state, stmts in calls:
            if rnd % 2 == 0:  # alternate the order so drift and ordering effects cancel
                a = app_cold(state)
                f, d = raw_cold(stmts)
            else:
                f, d = raw_cold(stmts)
                a = app_cold(state)
            if rnd >= args.warmup:
                cold[label]["app"].append(a)
                cold[label]["raw"].append(f)
                cold[label]["raw_df"].append(d)
            tot["app"] += a
            tot["raw"] += f
            tot["raw_df"] += d
        if rnd >= args.warmup:
            for k, v in tot.items():
                cold_rounds[k].append(v)
    cold_secs = time.perf_counter() - t_mode
    reset_finance_engine()
    if args.cold_tree:
        qregions.region_tree()

    # cold breakdown of one app call: engine creation / data-version read (first connect) / the breakdown itself
    parts = {
        "create_engine": [],
        "connect+data_version": [],
        "region_breakdown": [],
        "raw_connect": [],
        "raw_queries+fetch": [],
    }
    state0, stmts0 = calls[0][1], calls[0][2]
    for _ in range(max(10, args.rounds // 2)):
        reset_finance_engine()
        gc.collect()
        t0 = time.perf_counter()
        finance_engine()
        t1 = time.perf_counter()
        current_data_version()
        t2 = time.perf_counter()
        region_breakdown(scope, state0)
        t3 = time.perf_counter()
        parts["create_engine"].append(t1 - t0)
        parts["connect+data_version"].append(t2 - t1)
        parts["region_breakdown"].append(t3 - t2)
        reset_finance_engine()
        gc.collect()
        t0 = time.perf_counter()
        con = duckdb.connect(path, read_only=True)
        t1 = time.perf_counter()
        raw_call(path, con, stmts0, fresh=False, with_tree=False)
        t2 = time.perf_counter()
        con.close()
        parts["raw_connect"].append(t1 - t0)
        parts["raw_queries+fetch"].append(t2 - t1)
    breakdown = {k: stats_ms(v) for k, v in parts.items()}

    # ---- miss: memo off, engine open (app phase), then one persistent raw connection (raw phase)
    bind_cache(None)
    reset_finance_engine()
    miss = {label: {"app": [], "raw": [], "raw_df": []} for label, _, _ in calls}
    miss_rounds = {"app": [], "raw": [], "raw_df": []}
    for rnd in range(args.warmup + args.rounds):
        tot = 0.0
        for label, state, _ in calls:
            t0 = time.perf_counter()
            region_breakdown(scope, state)
            a = time.perf_counter() - t0
            tot += a
            if rnd >= args.warmup:
                miss[label]["app"].append(a)
        if rnd >= args.warmup:
            miss_rounds["app"].append(tot)
    reset_finance_engine()
    con = duckdb.connect(path, read_only=True)
    for rnd in range(args.warmup + args.rounds):
        tf = td = 0.0
        for label, _, stmts in calls:
            f, d, _ = raw_call(path, con, stmts, fresh=False, with_tree=False)
            tf += f
            td += d
            if rnd >= args.warmup:
                miss[label]["raw"].append(f)
                miss[label]["raw_df"].append(d)
        if rnd >= args.warmup:
            miss_rounds["raw"].append(tf)
            miss_rounds["raw_df"].append(td)
    con.close()

    # ---- warm: memoised with a bound SimpleCache
    cache = SimpleCache(threshold=10_000, default_timeout=3600)
    bind_cache(cache)
    warm = {label: [] for label, _, _ in calls}
    for _label, state, _ in calls:
        region_breakdown(scope, state)  # prime
    for _ in range(args.warm_repeats):
        for label, state, _ in calls:
            t0 = time.perf_counter()
            region_breakdown(scope, state)
            warm[label].append(time.perf_counter() - t0)
    bind_cache(None)
    warm_all = [s for v in warm.values() for s in v]

    # ---- report
    def ratio(a: dict, b: dict) -> float:
        return a["median_ms"] / b["median_ms"]

    cold_s = {k: stats_ms(v) for k, v in cold_rounds.items()}
    miss_s = {k: stats_ms(v) for k, v in miss_rounds.items()}
    warm_s = stats_ms(warm_all)
    cold_ratio = ratio(cold_s["app"], cold_s["raw"])
    tree_note = (
        "INCLUDED in cold (--cold-tree: tree caches cleared before each app call; raw reads the region table)"
        if args.cold_tree
        else "EXCLUDED from cold (loaded once per data version, shared by all pages; lru_cache kept)"
    )

    print(
        f"\n  region tree load: {tree_note}; load alone median {tree_stats['median_ms']:.2f} ms, "
        f"p95 {tree_stats['p95_ms']:.2f} ms"
    )
    print(
        "\n  per call (ms)                    | cold: app          raw(fetch)        raw+df     app/raw"
        " | miss: app          raw(fetch)   app/raw | warm: app"
    )
    print(
        "                                   |    median      p95   median      p95   median        "
        " |    median      p95   median        |    median      p95"
    )
    for label, _, _ in calls:
        c = {k: stats_ms(v) for k, v in cold[label].items()}
        m = {k: stats_ms(v) for k, v in miss[label].items()}
        w = stats_ms(warm[label])
        print(
            f"  {label:<32} | {fmt(c['app'])} {fmt(c['raw'])} {c['raw_df']['median_ms']:8.2f} "
            f"{ratio(c['app'], c['raw']):8.2f} | {fmt(m['app'])} {m['raw']['median_ms']:8.2f} "
            f"{ratio(m['app'], m['raw']):8.2f} | {fmt(w)}"
        )
    print(f"\n  per round ({len(calls)} calls), ms       median      p95")
    for name, s in (
        ("cold app", cold_s["app"]),
        ("cold raw (fetch)", cold_s["raw"]),
        ("cold raw+df", cold_s["raw_df"]),
        ("miss app (engine open)", miss_s["app"]),
        ("miss raw (fetch)", miss_s["raw"]),
        ("miss raw+df", miss_s["raw_df"]),
    ):
        print(f"  {name:<28} {fmt(s)}")
    print(
        "\n  cold call breakdown, first call only (ms, median): "
        + ", ".join(f"{k} {v['median_ms']:.2f}" for k, v in breakdown.items())
    )
    print()
    cold_verdict = "PASS" if cold_ratio <= TARGET_COLD_RATIO else "FAIL"
    warm_verdict = "PASS" if max(warm_s["median_ms"], warm_s["p95_ms"]) <= TARGET_WARM_MS else "FAIL"
    print(
        f"HEADLINE cold: app {cold_s['app']['median_ms']:.1f} ms (p95 {cold_s['app']['p95_ms']:.1f}) vs raw SQL "
        f"+ fetch {cold_s['raw']['median_ms']:.1f} ms (p95 {cold_s['raw']['p95_ms']:.1f}) per round; "
        f"ratio {cold_ratio:.2f} (vs raw+df {ratio(cold_s['app'], cold_s['raw_df']):.2f}); "
        f"target <= {TARGET_COLD_RATIO} -> {cold_verdict}"
    )
    print(
        f"HEADLINE miss: app {miss_s['app']['median_ms']:.1f} ms vs raw {miss_s['raw']['median_ms']:.1f} ms per "
        f"round; ratio {ratio(miss_s['app'], miss_s['raw']):.2f} (informational)"
    )
    print(
        f"HEADLINE warm: median {warm_s['median_ms']:.3f} ms, p95 {warm_s['p95_ms']:.3f} ms per call; "
        f"target <= {TARGET_WARM_MS:.0f} ms -> {warm_verdict}"
    )
    print(f"  (cold mode took {cold_secs:.1f} s)")

    result = {
        "db_url": url,
        "db_file": path,
        "load_id": version.load_id,
        "year": args.year,
        "periods": args.periods,
        "regions": regions,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "warm_repeats": args.warm_repeats,
        "cold_tree_included": args.cold_tree,
        "tree_load": tree_stats,
        "cold": {
            "per_round": cold_s,
            "ratio_app_over_raw": cold_ratio,
            "ratio_app_over_raw_df": ratio(cold_s["app"], cold_s["raw_df"]),
            "per_call": {lbl: {k: stats_ms(v) for k, v in d.items()} for lbl, d in cold.items()},
            "breakdown_first_call": breakdown,
            "target_ratio": TARGET_COLD_RATIO,
            "pass": cold_ratio <= TARGET_COLD_RATIO,
        },
        "miss": {
            "per_round": miss_s,
            "ratio_app_over_raw": ratio(miss_s["app"], miss_s["raw"]),
            "per_call": {lbl: {k: stats_ms(v) for k, v in d.items()} for lbl, d in miss.items()},
        },
        "warm": {
            "per_call": warm_s,
            "by_call": {lbl: stats_ms(v) for lbl, v in warm.items()},
            "target_ms": TARGET_WARM_MS,
            "pass": warm_verdict == "PASS",
        },
    }

    if args.profile:
        result["profile"] = {}
        for mode in ("cold", "miss"):
            bind_cache(None)
            reset_finance_engine()
            region_breakdown(scope, calls[0][1])
            prof = cProfile.Profile()
            for i in range(args.profile_calls):
                state = calls[i % len(calls)][1]
                if mode == "cold":
                    reset_finance_engine()
                    prof.enable()
                    region_breakdown(scope, state)
                    prof.disable()
                else:
                    prof.enable()
                    region_breakdown(scope, state)
                    prof.disable()
            out = io.StringIO()
            st = pstats.Stats(prof, stream=out).strip_dirs()
            st.sort_stats("cumulative").print_stats(30)
            st.sort_stats("tottime").print_stats(20)
            print(f"\n===== cProfile: {mode} app calls x{args.profile_calls} =====")
            print(out.getvalue())
            result["profile"][mode] = out.getvalue()

    if args.json:
        os.makedirs(os.path.dirname(args.json), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1)
        print(f"results written to {os.path.relpath(args.json, ROOT)}")
    reset_finance_engine()
    return 0


if __name__ == "__main__":
    sys.exit(main())
