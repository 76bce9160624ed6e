"""Benchmark: generate the demo province and load it into a fresh DuckDB store (optionally PostgreSQL too).

    .venv/bin/python bench/bench_build.py                    # scale 1 into a temp dir, removed afterwards
    .venv/bin/python bench/bench_build.py --scale 0.1 --keep # keep the built store (path is printed)
    .venv/bin/python bench/bench_build.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Prints the wall time of generate + load (`build_demo`), a per-step breakdown taken from the progress messages,
rows per table, total rows and rows/second. Target: build <= 60 s at scale 1.

`--pg URL` re-uses the generated frames and times `load_store` into that PostgreSQL database (the loader REPLACES
every cockpit table in it, so never point it at a database you care about; the `test` database the test suite uses
is refused). Results are also written to bench/results/build.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import duckdb  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from dashboard.demo import build_demo  # noqa: E402
from dashboard.store.load import load_store  # noqa: E402
from dashboard.store.schema import MARTS  # noqa: E402

TARGET_BUILD_S = 60.0  # at scale 1


class StepClock:
    """Progress callback that timestamps every message, so the build can be broken down by step."""

    def __init__(self, echo: bool) -> None:
        self.t0 = time.perf_counter()
        self.marks: list[tuple[float, str]] = []
        self.echo = echo

    def __call__(self, msg: str) -> None:
        now = time.perf_counter() - self.t0
        self.marks.append((now, msg))
        if self.echo:
            print(f"  [{now:7.2f}s] {msg}", flush=True)

    def steps(self, end: float) -> list[tuple[str, float]]:
        out = []
        for i, (start, msg) in enumerate(self.marks):
            stop = self.marks[i + 1][0] if i + 1 < len(self.marks) else end
            out.append((msg, stop - start))
        return out

    def first(self, prefix: str) -> float | None:
        return next((t for t, m in self.marks if m.startswith(prefix)), None)


def _mart_counts_duckdb(path: str) -> dict[str, int]:
    con = duckdb.connect(os.path.realpath(path), read_only=True)
    try:
        return {m.name: con.execute(f'SELECT count(*) FROM "{m.name}"').fetchone()[0] for m in MARTS}
    finally:
        con.close()


def _print_steps(clock: StepClock, end: float) -> None:
    print("  step breakdown (the last step runs until the load returns: marts, indexes, ANALYZE, checkpoint, publish):")
    for msg, secs in clock.steps(end):
        print(f"    {secs:7.2f}s  {msg}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--province", default="430000")
    ap.add_argument("--dir", help="build into this directory instead of a fresh temp dir (never data/)")
    ap.add_argument("--keep", action="store_true", help="keep the temp store afterwards")
    ap.add_argument("--pg", metavar="URL", help="also time a load of the same frames into this PostgreSQL URL")
    ap.add_argument("--verbose", "-v", action="store_true", help="echo progress messages as they happen")
    ap.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "build.json"))
    args = ap.parse_args(argv)

    if args.pg and (make_url(args.pg).database or "") == "test":
        ap.error("refusing to load into the 'test' database: the test suite owns it")

    workdir = args.dir or tempfile.mkdtemp(prefix="cockpit-bench-build-", dir="/tmp")
    if os.path.realpath(workdir).startswith(os.path.realpath(os.path.join(ROOT, "data"))):
        ap.error("refusing to build into data/: the live app reads it")
    os.makedirs(workdir, exist_ok=True)
    url = f"duckdb:///{os.path.join(os.path.abspath(workdir), 'cockpit.duckdb')}"

    print(f"bench_build: scale={args.scale} seed={args.seed} province={args.province}")
    print(f"  store: {url}")
    clock = StepClock(args.verbose)
    t0 = time.perf_counter()
    data, version = build_demo(url, province=args.province, scale=args.scale, seed=args.seed, progress=clock)
    wall = time.perf_counter() - t0
    gen_end = clock.first("写入 ")
    generate_s = gen_end if gen_end is not None else float("nan")
    load_s = wall - generate_s

    counts = dict(data.counts)
    fact_rows = sum(counts.values())
    marts = _mart_counts_duckdb(make_url(url).database)
    mart_rows = sum(marts.values())
    size_mb = os.path.getsize(os.path.realpath(make_url(url).database)) / 2**20

    print(f"  load id {version.load_id}, data through {version.data_through}, file {size_mb:.1f} MiB")
    _print_steps(clock, wall)
    print("  rows per table:")
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"    {name:<22} {n:>11,}")
    for name, n in marts.items():
        print(f"    {name:<22} {n:>11,}  (mart)")
    print(f"    {'TOTAL facts':<22} {fact_rows:>11,}")
    print(f"    {'TOTAL marts':<22} {mart_rows:>11,}")
    print()
    print(f"DuckDB build (generate + load): {wall:6.2f} s  [generate {generate_s:.2f} s, load+marts {load_s:.2f} s]")
    print(f"  fact rows/s overall : {fact_rows / wall:>12,.0f}")
    print(f"  fact rows/s generate: {fact_rows / generate_s:>12,.0f}")
    print(f"  fact rows/s load    : {fact_rows / load_s:>12,.0f}")
    if args.scale == 1.0:
        verdict = "PASS" if wall <= TARGET_BUILD_S else "FAIL"
        print(f"  target: build <= {TARGET_BUILD_S:.0f} s at scale 1 -> {verdict}")
    else:
        print(f"  target: build <= {TARGET_BUILD_S:.0f} s at scale 1 (this run is scale {args.scale}; not judged)")

    result = {
        "scale": args.scale,
        "seed": args.seed,
        "province": args.province,
        "duckdb": {
            "wall_s": wall,
            "generate_s": generate_s,
            "load_s": load_s,
            "fact_rows": fact_rows,
            "mart_rows": mart_rows,
            "rows_per_s": fact_rows / wall,
            "file_mib": size_mb,
            "counts": counts,
            "marts": marts,
            "steps": clock.steps(wall),
            "target_s": TARGET_BUILD_S,
            "pass": (wall <= TARGET_BUILD_S) if args.scale == 1.0 else None,
        },
    }

    if args.pg:
        print()
        print(f"PostgreSQL load of the same frames: {make_url(args.pg).render_as_string(hide_password=True)}")
        pg_clock = StepClock(args.verbose)
        t1 = time.perf_counter()
        pg_version = load_store(
            args.pg,
            data.frames,
            source=f"bench seed={args.seed} scale={args.scale}",
            province_code=args.province,
            data_through=data.data_through,
            note="bench_build",
            progress=pg_clock,
        )
        pg_wall = time.perf_counter() - t1
        _print_steps(pg_clock, pg_wall)
        print(
            f"PostgreSQL load (+marts, indexes, ANALYZE): {pg_wall:6.2f} s, "
            f"{fact_rows / pg_wall:,.0f} fact rows/s (load id {pg_version.load_id})"
        )
        print(f"  generate + PostgreSQL load would be {generate_s + pg_wall:6.2f} s")
        result["postgres"] = {
            "wall_s": pg_wall,
            "rows_per_s": fact_rows / pg_wall,
            "generate_plus_load_s": generate_s + pg_wall,
            "steps": pg_clock.steps(pg_wall),
        }

    if args.json:
        os.makedirs(os.path.dirname(args.json), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
        print(f"\nresults written to {os.path.relpath(args.json, ROOT)}")

    if args.keep or args.dir:
        print(f"store kept at {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
