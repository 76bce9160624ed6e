"""Lighthouse performance of `/`, `/spending` and `/screen`, signed in, mobile and desktop, median of three (issue 20).

    python bench/bench_lighthouse.py [--base http://127.0.0.1:8062] [--port 8062] [--runs 3]
                                     [--pages / /spending /screen] [--forms mobile desktop] [--dump DIR]

Without `--base` it serves the app itself as `make run` does (gunicorn, `dashboard.web.gunicorn_conf`, the demo
store in data/) on `--port` and stops it afterwards. Lighthouse (the npm package, pinned in
tools/lighthouse/package.json) is installed into tools/lighthouse/node_modules on first use with `npm install`
from the npm registry; it is never committed and never served. `tools/lighthouse/run.mjs` drives it: one headless
Chromium per form factor, signed in through /login once, the HTTP cache emptied before every run (every run is a
first load, compression on), the performance category only, Lighthouse's own presets (mobile: Moto G Power,
simulated slow 4G and a 4× slower CPU; desktop: `desktop-config`).

Reported per page and form factor, the median of the runs: the performance score, LCP, TBT, CLS and the total
bytes transferred (Lighthouse's `total-byte-weight`, compressed as on the wire). Targets (issue 20): mobile ≥ 80
and LCP ≤ 2.5 s, desktop ≥ 90, CLS ≤ 0.1, a first load ≤ 1.5 MB. The scores depend on the machine: say how loaded
it was, and compare before/after back to back. A benchmark, not a test (`make bench`, never `make test`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "lighthouse"
sys.path.insert(0, str(ROOT))

from tests.browser.driver import CHROMIUM  # noqa: E402

PAGES = ("/", "/spending", "/screen")
FORMS = ("mobile", "desktop")
USER = ("sheng_fenxi", "Analyst#2024demo")  # a demo user (README): 分析, the whole province
TARGETS = {"mobile": 80, "desktop": 90}
METRICS = ("score", "fcp", "lcp", "tbt", "cls", "bytes")
LCP_TARGET_MS, CLS_TARGET, BYTES_TARGET = 2500, 0.1, 1_500_000


def ensure_lighthouse() -> None:
    """`npm install` into tools/lighthouse when its node_modules lacks lighthouse (registry: npm's own)."""
    if (TOOL / "node_modules" / "lighthouse" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed (apt-get install npm), so Lighthouse cannot be installed")
    print("installing Lighthouse into tools/lighthouse/node_modules …", flush=True)
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOL, check=True)


def start_server(port: int) -> subprocess.Popen:
    """gunicorn as `make run` starts it, on `port`; returns once /ready answers."""
    subprocess.run([sys.executable, "-m", "dashboard", "migrate"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    env = {**os.environ, "COCKPIT_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.web.gunicorn_conf", "app:server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not become ready")


def warm(base: str, pages: list[str]) -> None:
    """One load of each page's shell and static files first, so no run pays a worker's one-off compression of the
    bundles (delivery.py keeps them compressed per process) or the query cache's first fill."""
    session = requests.Session()
    session.get(base + "/login", timeout=30)
    session.post(
        base + "/login",
        data={"csrf_token": session.cookies.get("_csrf_token"), "username": USER[0], "password": USER[1], "next": "/"},
        timeout=30,
    )
    for _ in range(4):  # each gunicorn worker, probably
        for path in pages:
            session.get(base + path, timeout=60, headers={"Accept-Encoding": "br, gzip"})


def run_lighthouse(base: str, pages: list[str], forms: list[str], runs: int, dump: str | None = None) -> list[dict]:
    arguments = {
        "chromium": CHROMIUM,
        "base": base,
        "user": USER[0],
        "password": USER[1],
        "pages": pages,
        "forms": forms,
        "runs": runs,
        **({"dump": str(Path(dump).resolve())} if dump else {}),
    }
    process = subprocess.Popen(
        ["node", "run.mjs", json.dumps(arguments)], cwd=TOOL, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    rows = []
    assert process.stdout is not None
    for line in process.stdout:
        row = json.loads(line)
        rows.append(row)
        print(
            f"  {row['form']:<8}{row['page']:<11} run {row['run']}: score {row['score']}, "
            f"LCP {row.get('lcp') or 0:.0f} ms, TBT {row.get('tbt') or 0:.0f} ms, CLS {row.get('cls') or 0:.3f}, "
            f"{(row.get('bytes') or 0) / 1e6:.2f} MB{' ' + row['error'] if row.get('error') else ''}",
            flush=True,
        )
    if process.wait() != 0:
        raise SystemExit(f"Lighthouse failed ({process.returncode})")
    return rows


def medians(rows: list[dict]) -> list[dict]:
    table = []
    for form in dict.fromkeys(r["form"] for r in rows):
        for page in dict.fromkeys(r["page"] for r in rows):
            runs = [r for r in rows if r["form"] == form and r["page"] == page and r["score"] is not None]
            if not runs:
                continue
            table.append(
                {
                    "form": form,
                    "page": page,
                    "runs": len(runs),
                    **{k: statistics.median(r[k] for r in runs) for k in METRICS},
                }
            )
    return table


def report(table: list[dict]) -> str:
    lines = [
        f"{'form':<9}{'page':<11}{'score':>6}{'FCP s':>7}{'LCP s':>7}{'TBT ms':>8}{'CLS':>7}{'KB':>7}  targets",
    ]
    for row in table:
        missed = []
        if row["score"] < TARGETS[row["form"]]:
            missed.append(f"score<{TARGETS[row['form']]}")
        if row["form"] == "mobile" and row["lcp"] > LCP_TARGET_MS:
            missed.append("LCP>2.5s")
        if row["cls"] > CLS_TARGET:
            missed.append("CLS>0.1")
        if row["bytes"] > BYTES_TARGET:
            missed.append(">1.5MB")
        lines.append(
            f"{row['form']:<9}{row['page']:<11}{row['score']:>6.0f}{row['fcp'] / 1000:>7.1f}{row['lcp'] / 1000:>7.1f}"
            f"{row['tbt']:>8.0f}{row['cls']:>7.3f}{row['bytes'] / 1024:>7.0f}  {', '.join(missed) or 'met'}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=None, help="a running, signed-in-able server (default: start gunicorn)")
    parser.add_argument("--port", type=int, default=8072, help="the port gunicorn is started on without --base")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", nargs="+", default=list(PAGES))
    parser.add_argument("--forms", nargs="+", default=list(FORMS), choices=FORMS)
    parser.add_argument("--dump", default=None, help="a folder for each run's whole Lighthouse report (JSON)")
    parser.add_argument("--label", default="", help="a name for this run in bench/results/lighthouse.json")
    args = parser.parse_args()
    ensure_lighthouse()
    process = None
    base = args.base
    if base is None:
        process = start_server(args.port)
        base = f"http://127.0.0.1:{args.port}"
    try:
        warm(base, args.pages)
        if args.dump:
            Path(args.dump).mkdir(parents=True, exist_ok=True)
        rows = run_lighthouse(base, args.pages, args.forms, args.runs, args.dump)
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    table = medians(rows)
    print(f"\nLighthouse 12, signed in, cold cache, median of {args.runs} (load average {os.getloadavg()[0]:.1f})")
    print(report(table))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    result = {"label": args.label, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "runs": rows, "medians": table}
    (out / "lighthouse.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
