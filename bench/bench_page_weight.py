"""Bytes on the wire for one page load of a signed-in user, against a running server (real HTTP).

    python bench/bench_page_weight.py [--base http://127.0.0.1:8050] [--path /spending]

A page load is the shell, every script and stylesheet it links, `_dash-layout`, `_dash-dependencies` and the page
router's callback (the page's layout). Measured three ways: without compression (`Accept-Encoding: identity`, as
before issue 14), compressed (`br, gzip`, a browser's first visit), and a second visit with the browser cache:
a file whose URL carries its version and was answered `immutable` is not fetched again; any other is revalidated
with its ETag (a 304 costs its headers only, not counted). The render callbacks a page fires next vary by page
(bench_load.py times them); their compressed sizes are printed for the one page given.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import DEFAULT_USER, render_bodies, sign_in  # noqa: E402

LINKED = re.compile(r'(?:src|href)="(/(?:assets|_dash-component-suites)/[^"]+)"')


def _wire(session: requests.Session, method: str, url: str, encoding: str, **kwargs) -> tuple[int, requests.Response]:
    headers = {"Accept-Encoding": encoding, **kwargs.pop("headers", {})}
    response = session.request(method, url, headers=headers, stream=True, **kwargs)
    body = response.raw.read(decode_content=False)
    return len(body), response


def page_load(base: str, path: str, encoding: str, cache: dict[str, str] | None = None) -> tuple[int, int, dict]:
    """(bytes, requests, cache entries) of one page load; `cache` maps a URL to its validator or 'immutable'."""
    session = sign_in(base, *DEFAULT_USER)
    remembered: dict[str, str] = {}
    total = count = 0
    size, _ = _wire(session, "GET", base + path, encoding)
    total, count = total + size, count + 1
    html = session.get(base + path).text  # the shell again, decoded, to read its links (not counted)
    for url in LINKED.findall(html):
        url = url.replace("&amp;", "&")
        headers = {}
        if cache is not None and url in cache:
            if cache[url] == "immutable":
                continue
            headers["If-None-Match"] = cache[url]
        size, response = _wire(session, "GET", base + url, encoding, headers=headers)
        count += 1
        if response.status_code == 200:
            total += size
        control = response.headers.get("Cache-Control", "")
        if "immutable" in control:
            remembered[url] = "immutable"
        elif response.headers.get("ETag"):
            remembered[url] = response.headers["ETag"]
    csrf = session.cookies.get("_csrf_token")
    post_headers = {"X-CSRFToken": csrf, "Content-Type": "application/json"}
    for url in ("/_dash-layout", "/_dash-dependencies"):
        size, _ = _wire(session, "GET", base + url, encoding)
        total, count = total + size, count + 1
    router = {
        "output": "..._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [{"id": "_pages_location", "property": "hash", "value": ""}],
    }
    size, _ = _wire(
        session, "POST", base + "/_dash-update-component", encoding, data=json.dumps(router), headers=post_headers
    )
    total, count = total + size, count + 1
    return total, count, remembered


BROWSER_SUM = """
const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
return entries.map(e => [e.name, e.transferSize, e.encodedBodySize, e.decodedBodySize]);
"""


def browser_weight(base: str, path: str) -> None:
    """What headless Chromium transferred for a first and a second visit of `path` (every lazy chunk included:
    plotly.min.js is fetched by dcc.Graph when a chart first renders, not linked by the shell)."""
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.browser.driver import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp()}")
    options.add_argument("--window-size=1440,900")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.get(base + "/login")
        driver.find_element(By.ID, "username").send_keys(DEFAULT_USER[0])
        driver.find_element(By.ID, "password").send_keys(DEFAULT_USER[1])
        driver.find_element(By.CSS_SELECTOR, "#sign-in-form button").click()
        time.sleep(3)
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})  # the sign-in's own page load filled it
        for visit in ("first visit", "second visit"):
            driver.get(base + path)
            time.sleep(6)  # every chart drawn, plotly fetched (idle on this machine after ~3 s)
            entries = driver.execute_script(BROWSER_SUM)
            wire = sum(e[1] for e in entries)
            body = sum(e[3] for e in entries)
            plotly = [e for e in entries if "plotly" in e[0] and e[0].endswith(".js")]
            print(
                f"  browser {visit:<13} {len(entries):3} requests, {wire / 1e6:6.2f} MB transferred "
                f"({body / 1e6:.2f} MB uncompressed)"
                + (f"; plotly.min.js {plotly[0][1] / 1e6:.2f} MB on the wire" if plotly else "")
            )
    finally:
        driver.quit()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8050")
    parser.add_argument("--path", default="/")
    parser.add_argument("--browser", action="store_true", help="also measure a real page load in headless Chromium")
    args = parser.parse_args()
    if args.browser:
        browser_weight(args.base, args.path)
    plain, n, _ = page_load(args.base, args.path, "identity")
    packed, _, cache = page_load(args.base, args.path, "br, gzip")
    again, m, _ = page_load(args.base, args.path, "br, gzip", cache)
    print(f"page {args.path}: {n} requests")
    print(f"  uncompressed          {plain / 1e6:8.2f} MB")
    print(f"  compressed (br/gzip)  {packed / 1e6:8.2f} MB  ({plain / max(packed, 1):.1f}x smaller)")
    immutable = sum(1 for v in cache.values() if v == "immutable")
    print(f"  second visit          {again / 1e6:8.3f} MB  in {m} requests ({immutable} files cached as immutable)")
    session = sign_in(args.base, *DEFAULT_USER)
    csrf = session.cookies.get("_csrf_token")
    for name, body in render_bodies(args.base, session, args.path):
        sizes = []
        for encoding in ("identity", "br, gzip"):
            size, response = _wire(
                session,
                "POST",
                args.base + "/_dash-update-component",
                encoding,
                data=json.dumps(body),
                headers={"X-CSRFToken": csrf, "Content-Type": "application/json"},
            )
            sizes.append(size)
        print(f"  callback {name:<40} {sizes[0] / 1e3:7.1f} KB → {sizes[1] / 1e3:6.1f} KB on the wire")
    return 0


if __name__ == "__main__":
    sys.exit(main())
