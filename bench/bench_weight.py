"""Page weight and load timings of every staff page, cold cache, in headless Chromium (issue 20).

Signs in through /login as a demo user, then opens each page with the browser cache disabled and reports, from the
DevTools Network events, the bytes transferred (JS, CSS, other; as encoded on the wire) and, from the page's own
performance entries, DOMContentLoaded, the first contentful paint, the largest contentful paint, the cumulative
layout shift and the time until the Dash renderer has no callback in flight.

    python bench/bench_weight.py --url http://127.0.0.1:8050 [--user sheng_admin --password ...] [--width 390 ...]

A benchmark, not a test: the page-weight budget test is tests/browser/test_accessibility.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.driver import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

PAGES = (
    "/",
    "/screen",
    "/revenue",
    "/spending",
    "/transfers",
    "/debt",
    "/procurement",
    "/subsidies",
    "/risk",
    "/warnings",
    "/qrcodes",
    "/admin/users",
    "/admin/audit",
)

OBSERVERS = """
window.__lcp = 0; window.__cls = 0;
new PerformanceObserver(l => { for (const e of l.getEntries()) window.__lcp = e.startTime; })
  .observe({type: 'largest-contentful-paint', buffered: true});
new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
  .observe({type: 'layout-shift', buffered: true});
"""


def _driver(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="cockpit-weight-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 768},
    )
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVERS})
    driver.profile_dir = profile
    return driver


def _network(driver) -> dict[str, int]:
    """Bytes on the wire per resource kind since the last call."""
    kinds: dict[str, str] = {}
    sizes = {"js": 0, "css": 0, "other": 0, "requests": 0}
    finished = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.responseReceived":
            kind = params.get("type", "")
            kinds[params["requestId"]] = {"Script": "js", "Stylesheet": "css"}.get(kind, "other")
        elif message.get("method") == "Network.loadingFinished":
            finished.append((params["requestId"], int(params.get("encodedDataLength", 0))))
    for request_id, size in finished:
        sizes[kinds.get(request_id, "other")] += size
        sizes["requests"] += 1
    return sizes


def measure(driver, base: str, path: str) -> dict:
    driver.get_log("performance")
    start = time.monotonic()
    driver.get(base + path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        idle = driver.execute_script(
            "return document.querySelector('#_dash-app-content, #react-entry-point') !== null && "
            "document.querySelector('#react-entry-point').children.length > 0 && "
            "document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0 && "
            "document.querySelector('._dash-loading') === null"
        )
        if idle:
            break
        time.sleep(0.05)
    idle_s = time.monotonic() - start
    time.sleep(1.0)  # late layout shifts and the last LCP candidate
    timing = driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "const fcp = performance.getEntriesByName('first-contentful-paint')[0];"
        "return {dcl: n.domContentLoadedEventEnd, fcp: fcp ? fcp.startTime : null, lcp: window.__lcp,"
        " cls: window.__cls};"
    )
    return {"path": path, **_network(driver), **timing, "idle": idle_s * 1000}


def sign_in(driver, base: str, user: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#sign-in-form button[type=submit]").click()
    time.sleep(1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8050")
    parser.add_argument("--user", default="sheng_admin")
    parser.add_argument("--password", default="Admin#2024demo")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    args = parser.parse_args()
    driver = _driver(args.width, args.height)
    try:
        sign_in(driver, args.url, args.user, args.password)
        print(f"{args.width}x{args.height}, cold cache; KB on the wire; ms from navigation start")
        print(
            f"{'page':<14}{'JS KB':>9}{'CSS KB':>8}{'other KB':>9}{'req':>5}{'DCL':>7}{'FCP':>7}{'LCP':>7}"
            f"{'idle':>7}{'CLS':>7}"
        )
        for path in args.pages:
            row = measure(driver, args.url, path)
            print(
                f"{path:<14}{row['js'] / 1024:>9.0f}{row['css'] / 1024:>8.0f}{row['other'] / 1024:>9.0f}"
                f"{row['requests']:>5}{row['dcl']:>7.0f}{(row['fcp'] or 0):>7.0f}{row['lcp']:>7.0f}"
                f"{row['idle']:>7.0f}{row['cls']:>7.3f}"
            )
    finally:
        driver.quit()
        shutil.rmtree(driver.profile_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
