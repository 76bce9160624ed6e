"""Headless Chromium against the app served on a free local port, on the session demo store.

- `live_server`: the base URL of the app (one server for the whole session, in a thread).
- `open_browser(width, height, user=PROVINCE_USER)`: a driver signed in as `user` (made in the test's state store if
  missing; see `tests.signin.browser_session_cookies`; `user=None` for a browser nobody signed in on), whose
  *viewport* is exactly width × height CSS pixels (set through the DevTools protocol, so window chrome never eats
  into it); every request it makes is recorded, and the test fails at teardown when one went anywhere but this
  host (the product runs on intranets: no CDN, no tiles, no fonts).

The helpers a test drives the page with (wait_for, screenshot, ...) are in `tests.browser.driver`. Without Chromium
and chromedriver the browser tests skip on a developer machine and fail under CI=true.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading

import pytest

from dashboard.state.engine import reset_state_engine
from dashboard.store.engine import reset_finance_engine
from tests.browser.driver import (
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_FLAGS,
    browser_available,
    free_port,
    is_local,
    requests_of,
)
from tests.signin import PROVINCE_USER, browser_session_cookies

_served: dict = {}  # the live server's Dash app, to sign browsers in through its /login


@pytest.fixture(scope="session")
def live_server(demo_url, tmp_path_factory):
    """Serve the app on 127.0.0.1:<free port> against the session demo store; yields the base URL."""
    if not browser_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium / chromedriver missing and CI=true: .ci/run must install them")
        pytest.skip("chromium / chromedriver not installed")
    from werkzeug.serving import make_server

    from dashboard.web.app import create_app

    saved = {k: os.environ.get(k) for k in ("COCKPIT_DB_URL", "COCKPIT_STATE_URL")}
    os.environ["COCKPIT_DB_URL"] = demo_url
    os.environ["COCKPIT_STATE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('browser-state')}/state.sqlite"
    reset_finance_engine()
    reset_state_engine()
    app = _served["app"] = create_app()
    server = make_server("127.0.0.1", free_port(), app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_finance_engine()
        reset_state_engine()


@pytest.fixture
def open_browser(live_server):
    """Factory: `open_browser(width, height, user=PROVINCE_USER)` → a signed-in Chromium driver with that viewport
    (see module docstring).

    The driver gets `driver.base_url`, `driver.go(path)` and `driver.requested` (every URL asked for so far).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    drivers = []

    def _open(
        width: int,
        height: int,
        user: str | None = PROVINCE_USER,
        role: str = "分析",
        region: str = "430000",
        may_unmask: bool = False,
    ):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        profile = tempfile.mkdtemp(prefix="cockpit-chromium-")
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={width},{height}")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 768},
        )
        if width < 768:
            driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
        driver.base_url = live_server
        driver.requested = []
        driver.profile_dir = profile

        def go(path: str) -> None:
            driver.get(live_server + path)

        driver.go = go
        drivers.append(driver)
        if user is not None:
            go("/login")  # cookies can only be set for the host the browser is on
            for cookie in browser_session_cookies(_served["app"].server, user, role, region, may_unmask):
                driver.add_cookie(cookie)
        return driver

    yield _open
    leaks = []
    for driver in drivers:
        try:
            driver.requested.extend(requests_of(driver))
            leaks.extend(url for url in driver.requested if not is_local(url))
        finally:
            driver.quit()
            shutil.rmtree(driver.profile_dir, ignore_errors=True)
    assert not leaks, f"requests left the host: {leaks[:10]}"
