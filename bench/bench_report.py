"""Benchmark: the monthly report (财政运行监测月报) of the province, then of all its cities (not a test).

    .venv/bin/python bench/bench_report.py                                  # the scale-1 store in data/
    .venv/bin/python bench/bench_report.py --month 2024-06 --db-url duckdb:///data/cockpit.duckdb

Each report is made from scratch (figures from the store, charts, PDF) into a fresh temporary state store, so no
stored report is reused; the query memo is not cleared between reports (a server keeps it too). Prints wall and CPU
seconds of the province report and of the 14 cities together, and each city's. Targets: province <= 20 s; all
cities <= 5 min. Results go to bench/results/report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default="duckdb:///data/cockpit.duckdb")
    parser.add_argument("--month", default="2024-06", help="YYYY-MM (default 2024-06)")
    args = parser.parse_args()
    state = tempfile.mkdtemp(prefix="bench-report-")
    os.environ["COCKPIT_DB_URL"] = args.db_url
    os.environ["COCKPIT_STATE_URL"] = f"sqlite:///{state}/state.sqlite"

    from dashboard.core.scope import Scope
    from dashboard.report import archive
    from dashboard.store.engine import current_data_version
    from queries.regions import region_tree

    year, month = (int(x) for x in args.month.split("-"))
    province = current_data_version().province_code
    scope = Scope(province, "province")
    tree = region_tree()

    def timed(code: str) -> dict:
        wall, cpu = time.perf_counter(), time.process_time()
        report, new = archive.monthly(scope, code, year, month, "bench")
        assert new
        return {
            "region": code,
            "name": tree.name(code),
            "wall_s": round(time.perf_counter() - wall, 2),
            "cpu_s": round(time.process_time() - cpu, 2),
            "kb": round(report.size / 1024),
        }

    first = timed(province)
    print(f"省级月报 {first['name']}: {first['wall_s']:.1f} s (CPU {first['cpu_s']:.1f} s), {first['kb']} KB")
    cities = [c.adcode for c in tree.children(province)]
    wall, cpu = time.perf_counter(), time.process_time()
    rows = []
    for code in cities:
        rows.append(timed(code))
        print(f"  {rows[-1]['name']}: {rows[-1]['wall_s']:.1f} s (CPU {rows[-1]['cpu_s']:.1f} s), {rows[-1]['kb']} KB")
    total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{len(cities)} 个市级月报: {total_wall:.1f} s (CPU {total_cpu:.1f} s)")
    ok = first["wall_s"] <= 20 and total_wall <= 300
    print("目标: 省级 <= 20 s, 全部市级 <= 300 s:", "达到" if ok else "未达到")
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "report.json"), "w", encoding="utf-8") as fh:
        json.dump(
            {
                "province": first,
                "cities": rows,
                "cities_wall_s": round(total_wall, 1),
                "cities_cpu_s": round(total_cpu, 1),
            },
            fh,
            ensure_ascii=False,
            indent=2,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
