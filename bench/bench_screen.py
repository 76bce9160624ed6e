"""Benchmark (not a test): the big screen in headless Chromium against a served app on the demo store.

    .venv/bin/python bench/bench_screen.py                      # data/cockpit.duckdb (scale 1), 1920x1080
    .venv/bin/python bench/bench_screen.py --cities 8 --loads 4

What is measured
  load   time from `driver.get('/screen?…')` until the page is fully rendered: the six KPI values shown, the map's
         outline file fetched (Plotly fetches a figure's geojson URL asynchronously and keeps drawing the old
         outlines meanwhile, so the figure naming the new file is not enough), MapLibre loaded with every source
         (the new outlines handed to its worker and tiled) and not moving, the region layers drawn, and no Dash
         callback in flight. The same test ends a drill in both phases. The first load after
         the server starts is "cold" (empty query cache); later loads are "warm".
  drill  time from a click on a city (dispatched as Plotly's own `plotly_click` event on the map, exactly what a
         mouse click makes Plotly emit, so the hover-then-click dance of a real pointer is not timed) until the
         title and KPIs show that city and the map has drawn the city's county outlines — timed inside the page
         (performance.now on every animation frame), so WebDriver's own latency is not counted. "cold": the first drill
         into each city after the server started (its queries run); "warm": the same drills again (memoised).
         Also timed: until the title and KPIs show the city (the numbers, before the map has finished drawing).
  bytes  size of every `_dash-update-component` response a drill caused (Chromium's encodedDataLength), and the
         callback round trip (request sent → response loaded, as Chromium timed it): the server's share of a drill;
         the rest is the browser drawing (MapLibre on software WebGL here).

Targets: drill p95 <= 250 ms warm and <= 600 ms cold; /screen fully rendered <= 1.5 s; <= 50 KB per drill response.
The app runs as a separate process (`python app.py`, Flask's threaded server); the browser uses software WebGL.
Results: a table on stdout and JSON in bench/results/screen.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from tests.browser.driver import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS  # noqa: E402  (one flag list)

CITIES = [
    "430100",
    "430200",
    "430300",
    "430400",
    "430500",
    "430600",
    "430700",
    "430800",
    "430900",
    "431000",
    "431100",
    "431200",
    "431300",
    "433100",
]
RENDERED = """(() => {
  const g = document.querySelector('#screen-map .js-plotly-plot');
  const s = g && g._fullLayout && g._fullLayout.map && g._fullLayout.map._subplot;
  const title = document.getElementById('screen-title');
  const outline = (window.PlotlyGeoAssets || {})[arguments[0]];
  return !!(s && s.map && g._fullData[0].geojson === arguments[0]
    && outline && outline !== 'pending' && s.map.loaded() && !s.map.isMoving()
    && s.map.getStyle().layers.some(l => l.id.startsWith('plotly-trace-layer'))
    && title && title.textContent.startsWith(arguments[1])
    && document.querySelectorAll('.tile-value').length === 6
    && document.querySelectorAll('[data-dash-is-loading="true"]').length === 0);
})()"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


DRILL = """
  const [code, name, check] = arguments, t0 = performance.now(), done = new Function('return ' + check);
  window.__drill = {};
  const poll = () => {
    const title = document.getElementById('screen-title');
    if (!window.__drill.numbers && title && title.textContent.startsWith(name)) {
      window.__drill.numbers = performance.now() - t0;
    }
    if (done.call(null)) { window.__drill.rendered = performance.now() - t0; } else { requestAnimationFrame(poll); }
  };
  document.querySelector('#screen-map .js-plotly-plot').emit('plotly_click', {points: [{location: code}]});
  requestAnimationFrame(poll);
"""


def wait(driver, script: str, *args, timeout: float = 60.0) -> float:
    """Seconds until `script` is truthy (polled every 5 ms)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if driver.execute_script(f"return {script};", *args):
            return time.perf_counter() - start
        time.sleep(0.005)
    raise TimeoutError(script[:80])


def callbacks(driver) -> list[tuple[int, float]]:
    """(response bytes, seconds from request sent to response loaded) of each `_dash-update-component` call since
    the last call: the server's share of a drill, as the browser saw it."""
    sent, out = {}, []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent" and "_dash-update-component" in params["request"]["url"]:
            sent[params["requestId"]] = params["timestamp"]
        elif message["method"] == "Network.loadingFinished" and params.get("requestId") in sent:
            out.append((int(params["encodedDataLength"]), params["timestamp"] - sent[params["requestId"]]))
    return out


def sign_in(driver, base: str) -> None:
    """Give the browser a session of a province leader made in the bench's own state store (the server shares it):
    every page and callback refuses anyone not signed in."""
    from dashboard.state import accounts
    from dashboard.web.gate import CSRF_COOKIE, SESSION_COOKIE

    accounts.add_user("bench_leader", "bench", "领导", "430000", "Xiang#Jiang2024", actor="bench")
    token, csrf_token = accounts.start_session("bench_leader")
    driver.get(base + "/login")
    driver.add_cookie({"name": SESSION_COOKIE, "value": token, "path": "/", "httpOnly": True})
    driver.add_cookie({"name": CSRF_COOKIE, "value": csrf_token, "path": "/"})


def stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db-url", default="duckdb:///data/cockpit.duckdb")
    ap.add_argument("--cities", type=int, default=14)
    ap.add_argument("--loads", type=int, default=4)
    ap.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "screen.json"))
    args = ap.parse_args(argv)

    port = free_port()
    os.environ["COCKPIT_STATE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-screen-state-')}/state.sqlite"
    env = {
        **os.environ,
        "COCKPIT_PORT": str(port),
        "COCKPIT_DB_URL": args.db_url,
        "COCKPIT_SCREEN_REFRESH_SECONDS": "3600",
    }
    server = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='bench-screen-')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = None
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/_dash-layout", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        sign_in(driver, base)
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
        )
        province = "/screen?region=430000&year=2024&period=1-9"
        loads = []
        for _ in range(args.loads):
            start = time.perf_counter()
            driver.get(base + province)
            wait(driver, RENDERED, "/assets/geo/430000.json", "湖南省")
            loads.append(time.perf_counter() - start)
        callbacks(driver)

        drills: dict[str, list[float]] = {"cold": [], "warm": []}
        numbers: dict[str, list[float]] = {"cold": [], "warm": []}
        round_trips: dict[str, list[float]] = {"cold": [], "warm": []}
        sizes: list[int] = []
        names = json.loads(urllib.request.urlopen(base + "/assets/geo/430000.json").read())["features"]
        names = {f["id"]: f["properties"]["name"] for f in names}
        for phase in ("cold", "warm"):
            for code in CITIES[: args.cities]:
                check = RENDERED.replace("arguments[0]", json.dumps(f"/assets/geo/{code}.json")).replace(
                    "arguments[1]", json.dumps(names[code])
                )
                driver.execute_script(DRILL, code, names[code], check)
                timed = None
                deadline = time.perf_counter() + 60
                while timed is None and time.perf_counter() < deadline:
                    time.sleep(0.05)  # WebDriver polls slowly; the page times itself
                    timed = driver.execute_script(
                        "return window.__drill.rendered !== undefined ? window.__drill : null"
                    )
                if timed is None:
                    raise TimeoutError(f"drill into {code}")
                numbers[phase].append(timed["numbers"] / 1000)
                drills[phase].append(timed["rendered"] / 1000)
                calls = callbacks(driver)
                sizes.extend(size for size, _ in calls)
                round_trips[phase].append(sum(seconds for _, seconds in calls))
                driver.back()
                wait(driver, RENDERED, "/assets/geo/430000.json", "湖南省")
                callbacks(driver)
        result = {
            "load_cold": stats(loads[:1]),
            "load_warm": stats(loads[1:] or loads),
            "drill_cold": stats(drills["cold"]),
            "drill_warm": stats(drills["warm"]),
            "drill_to_new_numbers_cold": stats(numbers["cold"]),
            "drill_to_new_numbers_warm": stats(numbers["warm"]),
            "drill_callback_round_trip_cold": stats(round_trips["cold"]),
            "drill_callback_round_trip_warm": stats(round_trips["warm"]),
            "load_average_1min": os.getloadavg()[0],
            "drill_response_bytes": {"n": len(sizes), "max": max(sizes), "median": statistics.median(sizes)},
        }
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)
    for name, row in result.items():
        print(f"{name:22s} {row}")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
