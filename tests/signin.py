"""Signing test clients and browsers in as a user of the state store (the store COCKPIT_STATE_URL names).

Users made here share one precomputed argon2 hash of `TEST_PASSWORD`, so making a user costs no hashing.
"""

from __future__ import annotations

import functools
import re

from flask.testing import FlaskClient

from dashboard.core.scope import User
from dashboard.state import accounts
from dashboard.web.gate import CSRF_COOKIE, SESSION_COOKIE

TEST_PASSWORD = "Test#Cockpit2024"
PROVINCE_USER = "province_analyst"


def session_user(username: str, role: str, region: str, may_unmask: bool = False) -> User:
    """The user as the session gives it to a request (display name = username), without touching the state store."""
    return User(username, username, role, region, may_unmask)


@functools.cache
def _test_password_hash() -> str:
    return accounts.hash_password(TEST_PASSWORD)


def ensure_user(
    username: str, role: str = "分析", region: str = "430000", may_unmask: bool = False, display_name: str | None = None
) -> User:
    """The user `username` in the current state store, created (password TEST_PASSWORD) if missing and otherwise
    brought to the given role, region and unmask permission."""
    if accounts.get_account(username) is None:
        accounts.add_user(
            username,
            display_name or username,
            role,
            region,
            TEST_PASSWORD,
            may_unmask=may_unmask,
            actor="test-setup",
            password_hash=_test_password_hash(),
        )
    else:
        accounts.update_user(username, role=role, region=region, may_unmask=may_unmask, actor="test-setup")
    return User(username, display_name or username, role, region, may_unmask)


def sign_in_test_client(client: FlaskClient, username: str) -> str:
    """Give `client` a session of `username` (who must exist) without the cost of a password check: the session
    cookie, the CSRF cookie, and the X-CSRFToken header on every later request, as the Dash renderer sends it.
    Returns the CSRF token."""
    token, csrf_token = accounts.start_session(username)
    client.set_cookie(SESSION_COOKIE, token)
    client.set_cookie(CSRF_COOKIE, csrf_token)
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token
    return csrf_token


def sign_in_with_password(client: FlaskClient, username: str, password: str = TEST_PASSWORD, next_path: str = "/"):
    """Sign in through the real form: GET /login for its CSRF field, then POST it. Returns the POST's response."""
    page = client.get(f"/login?next={next_path}").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token, "next": next_path}
    )


def browser_session_cookies(
    flask_app, username: str, role: str = "分析", region: str = "430000", may_unmask: bool = False
) -> list[dict]:
    """Cookies that sign a browser in as `username` (made if missing, password TEST_PASSWORD) on a live server
    that shares this process's state store (same COCKPIT_STATE_URL), e.g. the browser harness's server thread.

    Signs in through the real /login form with Flask's test client and returns the session and CSRF cookies in
    Selenium's shape. Use: open any page of the live server (e.g. `/login`) so the browser is on its host, then
    `for c in browser_session_cookies(app.server, "u"): driver.add_cookie(c)`, then open the page to test.
    """
    ensure_user(username, role, region, may_unmask)
    client = flask_app.test_client()
    response = sign_in_with_password(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    cookies = []
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        cookie = client.get_cookie(name)
        cookies.append(
            {
                "name": name,
                "value": cookie.value,
                "path": "/",
                "httpOnly": name == SESSION_COOKIE,
                "sameSite": "Lax" if name == SESSION_COOKIE else "Strict",
            }
        )
    return cookies
