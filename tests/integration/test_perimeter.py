"""The perimeter as an outside scanner sees it: every route prefix the app serves, with and without a session, the
sign-in answers that must not tell accounts apart, the per-client limit, forwarded headers, headers of the server.

The table covers every rule of the app's URL map (`test_the_table_covers_every_route_the_app_serves`), so a new
route fails here until its row says what a stranger and a signed-in user get.
"""

from __future__ import annotations

import contextlib
import re
import statistics
import sys
import threading
import time
import urllib.request

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.serving import make_server

from dashboard.state import accounts, audit
from dashboard.web import export
from dashboard.web.gate import QuietRequestHandler
from queries.public import township_key, village_key
from tests.integration.dash_tree import callback_body
from tests.signin import TEST_PASSWORD, ensure_user

EXPORT = "/export/spending.csv?region=430100&year=2024&period=1-6"
SUITE_FILE = "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js"
VILLAGE = "/gongkai/430102/" + village_key("430102", "冲溪镇", "北山村")  # a village of the seed-7 demo
HALL = "/gongkai/hall/430102/" + township_key("430102", "冲溪镇")
ANON, SIGNED_IN = False, True

# (method, path, signed in) -> status. 302 is the way to sign-in for a page; 401 for anything else without a session.
TABLE = [
    ("GET", "/login", ANON, 200),
    ("HEAD", "/login", ANON, 200),
    ("POST", "/login", ANON, 403),  # no CSRF token
    ("GET", "/login", SIGNED_IN, 302),
    ("GET", "/live", ANON, 200),
    ("GET", "/ready", ANON, 200),
    ("GET", "/live", SIGNED_IN, 200),
    ("POST", "/logout", ANON, 401),
    ("GET", "/logout", SIGNED_IN, 200),  # the shell (Dash's catch-all): a link signs nobody out
    ("POST", "/logout", SIGNED_IN, 302),
    ("GET", "/", ANON, 302),
    ("HEAD", "/", ANON, 401),
    ("OPTIONS", "/", ANON, 401),
    ("GET", "/", SIGNED_IN, 200),
    ("GET", "/spending?region=430100", ANON, 302),
    ("GET", "/spending?region=430100", SIGNED_IN, 200),
    ("GET", "/no-such-page", ANON, 302),
    ("GET", "/_dash-layout", ANON, 401),
    ("GET", "/_dash-layout", SIGNED_IN, 200),
    ("GET", "/_dash-dependencies", ANON, 401),
    ("GET", "/_dash-dependencies", SIGNED_IN, 200),
    ("POST", "/_dash-update-component", ANON, 401),
    ("POST", "/_dash-update-component", SIGNED_IN, 200),
    ("GET", "/_reload-hash", ANON, 401),
    ("GET", "/_favicon.ico", ANON, 200),
    ("GET", "/_favicon.icox", ANON, 401),
    ("GET", "/_favicon.ico/x", ANON, 401),
    ("GET", "/assets/auth.css", ANON, 200),
    ("GET", "/assets/geo/430000.json", ANON, 200),
    ("GET", "/assets/", ANON, 302),
    ("GET", "/assets//_dash-layout", ANON, 302),
    ("GET", "/assets/./auth.css", ANON, 302),
    ("GET", "/assets/geo/../auth.css", ANON, 302),
    ("GET", "/assets/geo", ANON, 302),  # a folder, not a file
    ("GET", "/assets/no-such.css", ANON, 302),
    ("GET", "/assets//_dash-layout", SIGNED_IN, 404),
    ("GET", "/assets/no-such.css", SIGNED_IN, 404),
    ("GET", SUITE_FILE, ANON, 200),
    ("GET", "/_dash-component-suites/x", ANON, 401),
    ("GET", "/_dash-component-suites/dash/__init__.py", ANON, 401),
    ("GET", "/_dash-component-suites/../_dash-layout", ANON, 401),
    ("GET", "/_dash-component-suites/dash/__init__.py", SIGNED_IN, 404),
    ("GET", "/_dash-component-suites/../_dash-layout", SIGNED_IN, 404),
    ("GET", "/_dash-component-suites/x", SIGNED_IN, 404),
    ("GET", "/static/x", ANON, 302),
    ("GET", "/static/x", SIGNED_IN, 404),
    ("GET", EXPORT, ANON, 302),
    ("HEAD", EXPORT, ANON, 401),
    ("OPTIONS", EXPORT, ANON, 401),
    ("POST", EXPORT, ANON, 401),
    ("GET", EXPORT, SIGNED_IN, 200),
    ("HEAD", EXPORT, SIGNED_IN, 200),
    ("OPTIONS", EXPORT, SIGNED_IN, 200),
    ("GET", "/export/nothing.csv", SIGNED_IN, 404),
    # the public side (dashboard.public): no session, its own 404, nothing of Dash under the prefix
    ("GET", "/gongkai", ANON, 308),
    ("GET", "/gongkai/", ANON, 200),
    ("GET", VILLAGE, ANON, 200),
    ("HEAD", VILLAGE, ANON, 200),
    ("GET", VILLAGE, SIGNED_IN, 200),
    ("POST", VILLAGE, ANON, 400),  # no form token: the page has expired
    ("GET", "/gongkai/430102/0000000000", ANON, 404),
    ("GET", HALL, ANON, 200),
    ("GET", "/gongkai/hall/430102/0000000000", ANON, 404),
    ("GET", "/gongkai/static/public.css", ANON, 200),
    ("GET", "/gongkai/static/../gate.py", ANON, 404),
    ("GET", "/gongkai/no-such", ANON, 404),
    ("POST", "/gongkai/_dash-update-component", ANON, 404),
    ("GET", "/gongkai/_dash-layout", SIGNED_IN, 404),
    ("GET", "/gongkaix", ANON, 302),  # a segment boundary: not the public side
    ("GET", "/gongkai.css", ANON, 302),
    ("GET", "/qrcodes", ANON, 302),
    ("GET", "/ask?q=%E6%94%B6%E5%85%A5", ANON, 302),  # the question box: to sign-in first
    ("GET", "/ask?q=%E6%94%B6%E5%85%A5", SIGNED_IN, 302),  # to the view that answers it
    ("GET", "/qrcodes/430102.pdf", ANON, 302),
    ("GET", "/qrcodes/430102.pdf", SIGNED_IN, 200),
    ("GET", "/reports", ANON, 302),
    ("GET", "/reports/1.pdf", ANON, 302),
    ("GET", "/reports/999999.pdf", SIGNED_IN, 404),
    ("GET", "/packs/1.pdf", ANON, 302),
    ("GET", "/packs/999999.pdf", SIGNED_IN, 404),
    ("GET", "/warnings/attachments/1", ANON, 302),
    ("GET", "/warnings/attachments/999999", SIGNED_IN, 404),
    ("GET", "/present", ANON, 302),
]


@pytest.fixture
def anonymous(app):
    return app.server.test_client()


@pytest.mark.parametrize(
    ("method", "path", "signed_in", "status"),
    TABLE,
    ids=[f"{m} {p} {'session' if s else 'anonymous'}" for m, p, s, _ in TABLE],
)
def test_every_route_answers_as_the_table_says(app, client, anonymous, method, path, signed_in, status):
    body = None
    if path == "/_dash-update-component" and signed_in:
        body = callback_body(app, "overview-kpis", [("overview-query", "data", {})])
    response = (client if signed_in else anonymous).open(path, method=method, json=body)
    assert response.status_code == status, response.get_data()[:300]
    text = response.get_data().decode("utf-8", "replace")
    assert "Traceback" not in text and sys.version not in text
    if not signed_in and status != 200:
        assert "_dash-config" not in text  # no app shell without a session
    if status == 302 and not signed_in:
        assert response.headers["Location"].startswith("/login")


def test_the_table_covers_every_route_the_app_serves(app):
    adapter = app.server.url_map.bind("localhost")
    served = {rule.endpoint for rule in app.server.url_map.iter_rules()}
    tabled = set()
    for method, path, _, _ in TABLE:
        with contextlib.suppress(NotFound, MethodNotAllowed, RequestRedirect):  # a 404, 405 or slash redirect row
            tabled.add(adapter.match(path.split("?")[0], method=method)[0])
    assert served <= tabled, served - tabled


def test_no_anonymous_request_writes_a_traceback(app, anonymous, caplog):
    for _, path, signed_in, _ in TABLE:
        if not signed_in:
            anonymous.get(path)
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]


def test_the_shell_names_no_versions(client):
    page = client.get("/").get_data(as_text=True)
    config = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page, re.S).group(1)
    for key in ("dash_version", "python_version", "plotly_version", "ddk_version"):
        assert key not in config
    assert sys.version not in page and f"Python/{sys.version.split()[0]}" not in page


def test_static_files_are_cacheable_and_everything_else_is_not(client, anonymous):
    assert "no-store" not in anonymous.get("/assets/auth.css").headers.get("Cache-Control", "")
    assert anonymous.get("/assets//_dash-layout").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"


# -- exports: HEAD and OPTIONS do no work ---------------------------------------------------------------------------


def test_head_and_options_on_an_export_query_nothing_and_audit_nothing(client, monkeypatch):
    def no_work(*_args, **_kwargs):
        raise AssertionError("HEAD or OPTIONS ran the export")

    monkeypatch.setattr(export, "table_totals", no_work)
    head = client.head(EXPORT)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == "text/csv; charset=utf-8"
    options = client.options(EXPORT)
    assert options.status_code == 200 and "GET" in options.headers["Allow"]
    assert audit.search(action="export") == [] and audit.search(action="unmask") == []


def test_an_export_sent_is_audited_once_with_one_charset(client):
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    assert len(audit.search(action="export")) == 1


# -- sign-in: one answer for every refusal --------------------------------------------------------------------------


def _attempt(client, username: str, password: str, address: str = "127.0.0.1"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    started = time.perf_counter()
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )
    return response, time.perf_counter() - started


def _words(response) -> str:
    found = re.search(r'id="sign-in-message">([^<]*)<', response.get_data(as_text=True))
    return found.group(1) if found else ""


def _lock(username: str) -> None:
    for _ in range(5):
        accounts.authenticate(username, "Wrong#Password1")
    assert accounts.get_account(username).locked


def test_unknown_name_wrong_password_and_locked_account_answer_alike(app, monkeypatch):
    """Same words, same status, same cookies, and timing within a tolerance a loaded 2-core machine keeps: each
    answer's median over interleaved rounds is within twice the fastest plus 20 ms (an answer that skipped the
    argon2 check, ~40 ms, would be several times faster)."""
    monkeypatch.setenv("COCKPIT_SIGN_IN_RATE_LIMIT", "1000 per minute")
    ensure_user("alice")
    ensure_user("bob")
    _lock("bob")
    cases = {
        "unknown": ("nobody_here", "Wrong#Password1"),
        "wrong": ("alice", "Wrong#Password1"),
        "locked": ("bob", "Wrong#Password1"),
    }
    client = app.server.test_client()
    _attempt(client, "nobody_here", "Wrong#Password1")  # warm-up: the dummy hash is made on first use
    times: dict[str, list[float]] = {name: [] for name in cases}
    answers = {}
    for _ in range(7):
        for name, (username, password) in cases.items():
            response, seconds = _attempt(client, username, password)
            times[name].append(seconds)
            cookies = sorted(c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie"))
            answers[name] = (response.status_code, _words(response), cookies)
    assert answers["unknown"] == answers["wrong"] == answers["locked"]
    assert answers["unknown"][:2] == (401, "用户名或密码错误。")
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    assert max(medians.values()) <= 2 * min(medians.values()) + 0.02, medians
    assert accounts.get_account("alice").locked  # locked along the way, and the answers did not change


def test_only_the_right_password_learns_of_the_lock(app, monkeypatch):
    ensure_user("bob")
    _lock("bob")
    client = app.server.test_client()
    response, _ = _attempt(client, "bob", TEST_PASSWORD)
    assert response.status_code == 401 and client.get_cookie("cockpit_session") is None
    assert "已锁定" in _words(response) and "管理员" in _words(response)
    last = audit.search(action="sign_in_failed", username="bob", limit=1)[0]
    assert (last["outcome"], last["detail"]) == ("denied", "locked")


def test_failed_sign_ins_are_limited_per_client_address(app, monkeypatch):
    monkeypatch.setenv("COCKPIT_SIGN_IN_RATE_LIMIT", "3 per minute")
    ensure_user("alice")
    client = app.server.test_client()
    statuses = [_attempt(client, "alice", "Wrong#Password1", "10.0.0.1")[0].status_code for _ in range(3)]
    limited, _ = _attempt(client, "alice", TEST_PASSWORD, "10.0.0.1")
    assert statuses == [401, 401, 401] and limited.status_code == 429
    assert "过于频繁" in _words(limited) and int(limited.headers["Retry-After"]) >= 1
    assert len(audit.search(action="sign_in_failed")) == 3  # the refused attempt checked and wrote nothing
    assert _attempt(client, "alice", TEST_PASSWORD, "10.0.0.2")[0].status_code == 302  # another client


def test_successful_sign_ins_do_not_count_against_the_limit(app, monkeypatch):
    monkeypatch.setenv("COCKPIT_SIGN_IN_RATE_LIMIT", "2 per minute")
    ensure_user("alice")
    for _ in range(4):  # an office behind one address signing in every morning
        assert _attempt(app.server.test_client(), "alice", TEST_PASSWORD, "10.0.0.9")[0].status_code == 302


# -- forwarded headers ---------------------------------------------------------------------------------------------


@pytest.fixture
def app_behind_proxy(demo_url, use_store, monkeypatch):
    from dashboard.web.app import create_app

    monkeypatch.setenv("COCKPIT_TRUSTED_PROXIES", "1")
    use_store(demo_url)
    return create_app()


def _sign_in_forwarded(app, headers: dict[str, str]):
    ensure_user("alice")
    client = app.server.test_client()
    page = client.get("/login", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(
        "/login", headers=headers, data={"username": "alice", "password": TEST_PASSWORD, "csrf_token": token}
    )


def test_behind_a_trusted_proxy_the_original_scheme_decides_hsts_and_secure_cookies(app_behind_proxy):
    response = _sign_in_forwarded(app_behind_proxy, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"})
    assert response.status_code == 302
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert audit.search(action="sign_in", limit=1)[0]["ip"] == "10.1.2.3"


def test_without_trusted_proxies_forwarded_headers_are_ignored(app):
    response = _sign_in_forwarded(app, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"})
    assert response.status_code == 302
    assert not any("Secure" in c for c in response.headers.getlist("Set-Cookie"))
    assert "Strict-Transport-Security" not in response.headers
    assert audit.search(action="sign_in", limit=1)[0]["ip"] != "10.1.2.3"


def test_a_forged_forwarded_address_does_not_escape_the_limit_without_a_trusted_proxy(app, monkeypatch):
    monkeypatch.setenv("COCKPIT_SIGN_IN_RATE_LIMIT", "2 per minute")
    client = app.server.test_client()
    statuses = []
    for n in range(3):
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post(
            "/login",
            headers={"X-Forwarded-For": f"10.9.0.{n}"},
            data={"username": "nobody", "password": "x", "csrf_token": token},
        )
        statuses.append(response.status_code)
    assert statuses == [401, 401, 429]


# -- the server's own headers --------------------------------------------------------------------------------------


def test_the_development_server_sends_no_server_header(app):
    server = make_server("127.0.0.1", 0, app.server, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/live", timeout=10) as response:
            assert response.status == 200
            assert response.headers.get("Server") is None and response.headers.get("Date")
    finally:
        server.shutdown()
        thread.join(timeout=10)
