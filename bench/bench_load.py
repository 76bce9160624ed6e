"""Load benchmark: N signed-in users over real HTTP against a running server (gunicorn, `make run`).

    python bench/bench_load.py                       # starts gunicorn itself on 127.0.0.1:8071, 50 users, 60 s a mix
    python bench/bench_load.py --base http://127.0.0.1:8050 --users 50 --seconds 60
    python bench/bench_load.py --users 20 --seconds 15 --mixes warm

Each user signs in once (its own session and CSRF token, like a browser), then loops without think time over a
mix of requests, as the Dash renderer posts them: the render callback of a page (`<page>-notices`: KPIs, charts,
ranking) for a view (region, year, period: a drill is a render for a lower region), and the page's drill-through
table (`<page>-table`, first page). Users are province analysts (every region) and Changsha analysts (their city
and its counties).
- warm: 24 views, repeated: after the first round every render is served from the query cache.
- cold: views drawn from ~2,000 distinct (page, region, year, period) combinations: mostly cache misses.
Reported per mix and route: requests, req/s, p50, p95 and p99 in ms, errors (any status other than 200, or a
transport failure). Issue 14's targets: 0 errors, p95 ≤ 1 s, ≥ 100 renders/s warm on the 2-core machine. Results
also go to bench/results/load.json. The client runs in this process (threads): on a 2-core machine it competes
with the server for the cores, so the numbers are a floor.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_USER = ("sheng_fenxi", "Analyst#2024demo")
CITY_USER = ("changsha_fenxi", "Changsha#2024demo")
TOPICS = ("spending", "revenue", "transfers", "debt", "procurement", "subsidies")
PROVINCE_REGIONS = ("430000", "430100", "430102", "431200", "430200", "430300")
CITY_REGIONS = ("430100", "430102", "430103", "430104", "430111")
YEARS = ("2023", "2024")
PERIODS = tuple(f"1-{m}" for m in range(1, 13))


def sign_in(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(base + "/login", timeout=30)
    token = session.cookies.get("_csrf_token")
    response = session.post(
        base + "/login",
        data={"csrf_token": token, "username": username, "password": password, "next": "/"},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in as {username} failed: {response.status_code}")
    return session


def _component_id(text: str) -> str | dict:
    return json.loads(text) if text.startswith("{") else text


class Callbacks:
    """The app's callbacks as the renderer knows them (`/_dash-dependencies`), to build request bodies from."""

    def __init__(self, base: str, session: requests.Session) -> None:
        self.deps = session.get(base + "/_dash-dependencies", timeout=30).json()

    def body(self, output_id: str, inputs: list[tuple[str, str, object]]) -> dict:
        spec = next(d for d in self.deps if f"{output_id}." in d["output"])
        key = spec["output"]
        outputs = [
            {"id": _component_id(o.rsplit(".", 1)[0]), "property": o.rsplit(".", 1)[1]}
            for o in key.strip(".").split("...")
        ]
        return {
            "output": key,
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
            "state": [{**s, "value": None} for s in spec.get("state", [])],
        }


def render_bodies(base: str, session: requests.Session, path: str) -> list[tuple[str, dict]]:
    """The data callbacks the page at `path` fires on load (its render and, for a topic, its table)."""
    key = path.strip("/") or "overview"
    calls = Callbacks(base, session)
    query = {"year": "2024", "period": "1-12"}
    bodies = [(f"{key}-notices", calls.body(f"{key}-notices", [(f"{key}-query", "data", query)]))]
    if key in TOPICS:
        inputs = [(f"{key}-query", "data", query), (f"{key}-table-state", "data", {}), (f"{key}-reveal", "data", {})]
        bodies.append((f"{key}-table", calls.body(f"{key}-table", inputs)))
    return bodies


def _views(mix: str, regions: tuple[str, ...], rng: random.Random) -> list[tuple[str, str, dict]]:
    """(route name, output id, query) requests of one user's mix."""
    pages = ("overview", *TOPICS)
    if mix == "warm":
        views = []
        for i in range(24):
            page = pages[i % len(pages)]
            query = {"region": regions[i % len(regions)], "year": "2024", "period": "1-12"}
            kind = "table" if page != "overview" and i % 4 == 3 else "render"
            views.append((f"{page} {kind}", f"{page}-{'table' if kind == 'table' else 'notices'}", query))
        return views
    views = []
    for _ in range(400):
        page = rng.choice(pages)
        query = {"region": rng.choice(regions), "year": rng.choice(YEARS), "period": rng.choice(PERIODS)}
        kind = "table" if page != "overview" and rng.random() < 0.25 else "render"
        views.append((f"{page} {kind}", f"{page}-{'table' if kind == 'table' else 'notices'}", query))
    return views


def _body(calls: Callbacks, output_id: str, query: dict) -> dict:
    key = output_id.rsplit("-", 1)[0]
    if output_id.endswith("-table"):
        inputs = [(f"{key}-query", "data", query), (f"{key}-table-state", "data", {}), (f"{key}-reveal", "data", {})]
    else:
        inputs = [(f"{key}-query", "data", query)]
    return calls.body(output_id, inputs)


def run_mix(base: str, mix: str, users: int, seconds: float, seed: int) -> dict:
    sessions = []
    for i in range(users):
        user = DEFAULT_USER if i % 2 == 0 else CITY_USER
        sessions.append((sign_in(base, *user), PROVINCE_REGIONS if user is DEFAULT_USER else CITY_REGIONS))
    calls = Callbacks(base, sessions[0][0])
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    kinds: dict[str, int] = defaultdict(int)  # what each error was (status or transport failure)
    lock = threading.Lock()
    stop_at = [0.0]
    start = threading.Barrier(users + 1)

    def user_loop(index: int) -> None:
        session, regions = sessions[index]
        rng = random.Random(seed * 1000 + index)
        views = _views(mix, regions, rng)
        headers = {"X-CSRFToken": session.cookies.get("_csrf_token") or "", "Accept-Encoding": "br, gzip"}
        bodies = [(name, json.dumps(_body(calls, output_id, query))) for name, output_id, query in views]
        start.wait()
        i = index
        while time.perf_counter() < stop_at[0]:
            name, body = bodies[i % len(bodies)]
            i += 1
            began = time.perf_counter()
            try:
                response = session.post(
                    base + "/_dash-update-component",
                    data=body,
                    headers={**headers, "Content-Type": "application/json"},
                    timeout=60,
                )
                ok = response.status_code == 200
                kind = f"HTTP {response.status_code}"
            except requests.RequestException as error:
                ok, kind = False, type(error).__name__
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                timings[name].append(elapsed)
                if not ok:
                    errors[name] += 1
                    kinds[f"{name}: {kind}"] += 1

    threads = [threading.Thread(target=user_loop, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds + 3600  # set properly once every thread is ready
    start.wait()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    routes = {}
    for name in sorted(timings):
        values = sorted(timings[name])
        routes[name] = _stats(values, errors[name], wall)
    everything = sorted(v for values in timings.values() for v in values)
    renders = sorted(v for name, values in timings.items() if name.endswith("render") for v in values)
    return {
        "mix": mix,
        "users": users,
        "seconds": round(wall, 1),
        "all": _stats(everything, sum(errors.values()), wall),
        "renders": _stats(renders, sum(n for k, n in errors.items() if k.endswith("render")), wall),
        "routes": routes,
        "error_kinds": dict(kinds),
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _stats(values: list[float], errors: int, wall: float) -> dict:
    return {
        "requests": len(values),
        "per_second": round(len(values) / wall, 1) if wall else 0.0,
        "p50_ms": round(statistics.median(values), 1) if values else 0.0,
        "p95_ms": round(_percentile(values, 0.95), 1),
        "p99_ms": round(_percentile(values, 0.99), 1),
        "errors": errors,
    }


def _print(result: dict) -> None:
    print(f"\n{result['mix']} mix: {result['users']} users, {result['seconds']} s")
    print(f"  {'route':<24} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    rows = [*result["routes"].items(), ("renders (all pages)", result["renders"]), ("all", result["all"])]
    for name, s in rows:
        print(
            f"  {name:<24} {s['requests']:>8} {s['per_second']:>7} {s['p50_ms']:>8} {s['p95_ms']:>8} "
            f"{s['p99_ms']:>8} {s['errors']:>6}"
        )
    for kind, count in sorted(result.get("error_kinds", {}).items()):
        print(f"  error: {kind} × {count}")


def _start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "COCKPIT_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.web.gunicorn_conf", "app:server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "bench" / "results" / "load-server.log", "w"),  # noqa: SIM115  (lives as long as the server)
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not become ready")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default=None, help="a running server (default: start gunicorn on --port)")
    parser.add_argument("--port", type=int, default=8071)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--mixes", nargs="+", default=["warm", "cold"], choices=["warm", "cold"])
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    process = None
    base = args.base
    if base is None:
        process = _start_server(args.port)
        base = f"http://127.0.0.1:{args.port}"
    try:
        results = []
        for mix in args.mixes:
            result = run_mix(base, mix, args.users, args.seconds, args.seed)
            _print(result)
            results.append(result)
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
