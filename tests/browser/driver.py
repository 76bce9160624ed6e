"""Headless Chromium for the browser tests and bench/bench_screen.py: the binaries and flags, and the helpers a test
drives a page with.

- `screenshot(driver, name)`: saves `artifacts/screenshots/<name>.png` for people to look at.
- `wait_for(driver, script)`: polls a JavaScript expression until it is truthy; `wait_for_dash_idle(driver)` until
  no callback is in flight.
- `page_overflow(driver)`: the document's scroll size against the viewport.
- `record_requests(driver)`: every URL the driver asked for so far (`is_local` tells which stayed on this host).

Chromium and chromedriver come from Debian (`.ci/run` installs them); Selenium Manager is never asked to download
anything.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager must not phone home

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
    "--enable-unsafe-swiftshader",
)  # software WebGL for the MapLibre map (no GPU in headless CI)


def is_local(url: str) -> bool:
    """True for requests that stay on this host (or never leave the browser: data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "devtools"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


def browser_available() -> bool:
    """Both Debian binaries are installed."""
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def requests_of(driver: Any) -> list[str]:
    """URLs the page asked for since the last call (from Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def record_requests(driver: Any) -> list[str]:
    """Every URL the driver has asked for so far (also checked for non-local hosts at teardown)."""
    driver.requested.extend(requests_of(driver))
    return list(driver.requested)


def wait_for(driver: Any, script: str, timeout: float = 15.0, message: str = "") -> Any:
    """Poll `return (<script>)` until it is truthy; returns its value or fails with `message`."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        time.sleep(0.1)  # each poll is a round trip to the busy renderer: fewer of them leave it more CPU
    pytest.fail(message or f"timed out after {timeout}s waiting for: {script} (last value {value!r})")


RENDERER_DREW = (
    "document.querySelector('#react-entry-point') !== null && "
    "document.querySelector('#react-entry-point > ._dash-loading') === null && "
    "document.getElementById('first-paint') === null"
)  # Dash's "Loading" placeholder is gone and so is the static first paint (assets/page-css.js removes it)


def every_chart(script: str) -> str:
    """`script`, after asking for every chart to be drawn as printing does: a chart a screen or more below the
    viewport waits until the page scrolls near it (tools/plotly-bundle/one-chart-per-task.js), and a test that looks
    at every chart of a page would otherwise wait for it forever. Polled, so charts asked for later come too."""
    return f"(window.dispatchEvent(new Event('beforeprint')), {script})"


def wait_for_dash_idle(driver: Any, timeout: float = 15.0) -> None:
    """Wait until the Dash renderer has drawn the page itself and has no callback in flight (nothing marked as
    loading). Before the renderer mounts nothing is marked loading either, and an element found in the static first
    paint goes stale when the renderer replaces it: both waits are needed."""
    wait_for(
        driver,
        f"{RENDERER_DREW} && document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0",
        timeout,
        message="the Dash renderer did not draw the page, or a callback stayed in flight",
    )


def screenshot(driver: Any, name: str) -> Path:
    """Save a PNG of the viewport under artifacts/screenshots/ (looked at by people, kept by CI)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def page_overflow(driver: Any) -> dict:
    """Document scroll size against the viewport: the big screen must match exactly, other pages must not scroll
    sideways."""
    return driver.execute_script(
        "const d = document.documentElement, b = document.body;"
        "return {scrollWidth: Math.max(d.scrollWidth, b.scrollWidth), scrollHeight: Math.max(d.scrollHeight,"
        " b.scrollHeight), width: window.innerWidth, height: window.innerHeight, clientWidth: d.clientWidth};"
    )


def text_by_id(driver: Any, element_id: str) -> str:
    """The visible text of the element with `element_id`, looked up and read in one script: the static first paint
    (dashboard/web/pageload.py) is replaced by the rendered page, so an element found earlier may be gone."""
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.innerText.trim() : null;", element_id
    )
