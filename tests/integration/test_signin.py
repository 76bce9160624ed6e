"""Sign-in, sessions and the hardening around them, through Flask's test client against the real app."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from dashboard.state import accounts, audit
from dashboard.web.gate import CSRF_COOKIE, SESSION_COOKIE
from tests.integration.dash_tree import callback_body
from tests.signin import TEST_PASSWORD, ensure_user, sign_in_with_password


@pytest.fixture
def anonymous(app):
    return app.server.test_client()


def actions(username: str | None = None) -> list[tuple[str, str]]:
    """(action, outcome) of the audit trail, oldest first, optionally of one user."""
    return [(r["action"], r["outcome"]) for r in reversed(audit.search(username=username, limit=None))]


def test_pages_redirect_to_sign_in_keeping_the_target(anonymous):
    response = anonymous.get("/?region=430100&year=2024")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "region%3D430100" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies"])
def test_dash_internals_are_401_without_a_session(anonymous, path):
    assert anonymous.get(path).status_code == 401


def test_sign_in_sets_http_only_samesite_cookies_and_goes_to_next(anonymous):
    ensure_user("alice", "分析", "430100")
    response = sign_in_with_password(anonymous, "alice", next_path="/?region=430102")
    assert response.status_code == 302 and response.headers["Location"] == "/?region=430102"
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "HttpOnly" in cookies[SESSION_COOKIE] and "SameSite=Lax" in cookies[SESSION_COOKIE]
    assert "HttpOnly" not in cookies[CSRF_COOKIE] and "SameSite=Strict" in cookies[CSRF_COOKIE]
    assert "Secure" not in cookies[SESSION_COOKIE]  # plain http here
    assert anonymous.get("/").status_code == 200
    assert actions("alice")[-1] == ("sign_in", "ok")


def test_cookies_are_secure_over_https(app):
    ensure_user("alice", "分析", "430100")
    client = app.server.test_client()
    response = sign_in_with_password(client, "alice")
    assert "Secure" not in response.headers["Set-Cookie"]
    secure = app.server.test_client()
    page = secure.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = secure.post(
        "/login",
        base_url="https://localhost",
        headers={"Origin": "https://localhost"},
        data={"username": "alice", "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_wrong_password_and_unknown_user_get_the_same_message(anonymous):
    ensure_user("alice")
    wrong = sign_in_with_password(anonymous, "alice", "Wrong#Password1")
    unknown = sign_in_with_password(anonymous, "nobody", "Wrong#Password1")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "用户名或密码错误" in response.get_data(as_text=True)
    assert SESSION_COOKIE not in (anonymous.get_cookie(SESSION_COOKIE) or "")
    assert [a for a in actions() if a[0] == "sign_in_failed"] == [("sign_in_failed", "failed")] * 2


def test_five_failures_in_five_minutes_lock_the_account_for_fifteen(anonymous, monkeypatch):
    ensure_user("alice")
    now = dt.datetime(2026, 1, 5, 9, 0)
    monkeypatch.setattr(accounts, "_now", lambda: now)
    for _ in range(4):
        assert accounts.authenticate("alice", "Wrong#Password1").token is None
    assert accounts.authenticate("alice", TEST_PASSWORD).token is not None  # 4 failures: not locked yet
    for _ in range(5):
        accounts.authenticate("alice", "Wrong#Password1")
    locked = accounts.authenticate("alice", TEST_PASSWORD)
    assert locked.token is None and "锁定" in locked.message
    assert ("account_locked", "denied") in actions("alice")
    now = now + dt.timedelta(minutes=14)
    assert accounts.authenticate("alice", TEST_PASSWORD).token is None
    now = now + dt.timedelta(minutes=2)
    assert accounts.authenticate("alice", TEST_PASSWORD).token is not None


def test_failures_spread_beyond_the_window_do_not_lock(monkeypatch):
    ensure_user("alice")
    clock = [dt.datetime(2026, 1, 5, 9, 0)]
    monkeypatch.setattr(accounts, "_now", lambda: clock[0])
    monkeypatch.setattr(audit, "_now", lambda: clock[0])
    for _ in range(8):
        accounts.authenticate("alice", "Wrong#Password1")
        clock[0] += dt.timedelta(minutes=2)  # never 5 within 5 minutes
    assert accounts.authenticate("alice", TEST_PASSWORD).token is not None


def test_thirty_idle_minutes_end_the_session(client, monkeypatch):
    assert client.get("/").status_code == 200
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=31)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    response = client.get("/?region=430100")
    assert response.status_code == 302 and "reason=idle" in response.headers["Location"]
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert ("session_ended", "ok") in actions()


def test_activity_keeps_the_session_alive(client, monkeypatch):
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for minutes in (20, 40, 60):  # each request within 30 minutes of the one before
        monkeypatch.setattr(accounts, "_now", lambda m=minutes: start + dt.timedelta(minutes=m))
        assert client.get("/").status_code == 200


def test_sign_out_ends_the_session_on_the_server(client):
    cookie = client.get_cookie(SESSION_COOKIE).value
    csrf = client.get_cookie(CSRF_COOKIE).value
    response = client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 302 and "reason=signed_out" in response.headers["Location"]
    replay = client.application.test_client()
    replay.set_cookie(SESSION_COOKIE, cookie)  # a copied cookie is worthless after sign-out
    assert replay.get("/").status_code == 302
    assert replay.post("/_dash-update-component", json={}).status_code == 401


def test_sign_out_is_post_only_and_needs_the_csrf_token(client):
    client.get("/logout")  # a link or an <img> pointing here signs nobody out
    assert client.post("/_dash-update-component", json={}).status_code != 401
    del client.environ_base["HTTP_X_CSRFTOKEN"]
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in


def test_sign_in_form_without_its_csrf_token_is_refused(anonymous):
    ensure_user("alice")
    anonymous.get("/login")
    response = anonymous.post("/login", data={"username": "alice", "password": TEST_PASSWORD, "csrf_token": "x"})
    assert response.status_code == 403 and "页面已过期" in response.get_data(as_text=True)
    assert anonymous.get_cookie(SESSION_COOKIE) is None
    assert actions()[-1] == ("denied", "denied")


def test_callbacks_need_the_csrf_header_and_same_origin(app, client):
    body = callback_body(app, "overview-kpis", [("overview-query", "data", {})])
    assert client.post("/_dash-update-component", json=body).status_code == 200
    assert (
        client.post("/_dash-update-component", json=body, headers={"Origin": "http://evil.example"}).status_code == 403
    )
    assert client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "forged"}).status_code == 403
    del client.environ_base["HTTP_X_CSRFTOKEN"]
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 403 and "CSRF" in response.get_json()["message"]
    assert actions().count(("denied", "denied")) == 3


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
    ],
)
def test_javascript_and_off_site_next_links_are_neutralised(anonymous, target):
    ensure_user("alice")
    page = anonymous.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert "javascript:" not in page.lower() and "evil.example" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = anonymous.post(
        "/login", data={"username": "alice", "password": TEST_PASSWORD, "next": target, "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_markup_in_a_username_is_rendered_as_text(anonymous):
    evil = "<img src=x onerror=alert(1)>"
    page = sign_in_with_password(anonymous, evil, "Wrong#Password1").get_data(as_text=True)
    assert evil not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_security_headers_on_pages_and_callbacks(app, client):
    body = callback_body(app, "overview-kpis", [("overview-query", "data", {})])
    for response in (client.get("/"), client.get("/login"), client.post("/_dash-update-component", json=body)):
        csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
        assert "'unsafe-eval'" not in csp["script-src"] and "'unsafe-inline'" not in csp["script-src"]
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
        assert "http" not in response.headers["Content-Security-Policy"]  # nothing allowed off this host
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"


def test_the_inline_renderer_script_is_allowed_by_its_hash(client):
    import base64
    import hashlib

    page = client.get("/")
    html = re.sub(r"<!--.*?-->", "", page.get_data(as_text=True), flags=re.S)  # IE conditional comments
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", html, re.S)
    assert scripts, "Dash's renderer bootstrap script is inline"
    policy = page.headers["Content-Security-Policy"]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


def test_live_is_always_200_and_ready_reports_each_store(app, anonymous, monkeypatch, tmp_path, use_store):
    assert anonymous.get("/live").status_code == 200
    assert anonymous.get("/ready").status_code == 200
    use_store(f"duckdb:///{tmp_path}/missing.duckdb")
    response = anonymous.get("/ready")
    assert response.status_code == 503 and "finance_store" in response.get_json()
    assert anonymous.get("/live").status_code == 200


def test_ready_is_503_for_a_store_of_an_older_schema(anonymous, tmp_path, use_store):
    from dashboard.store.schema import mart_subsidy_flag, metadata

    url = f"duckdb:///{tmp_path}/old.duckdb"
    engine = sa.create_engine(url)
    metadata.create_all(engine, tables=[t for t in metadata.sorted_tables if t is not mart_subsidy_flag])
    engine.dispose()
    use_store(url)
    response = anonymous.get("/ready")
    assert response.status_code == 503
    assert response.get_json()["finance_store"] == "missing tables: mart_subsidy_flag"


def test_ready_is_503_when_the_state_store_is_unreachable(anonymous, monkeypatch):
    from dashboard.state.engine import reset_state_engine

    monkeypatch.setenv("COCKPIT_STATE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    reset_state_engine()
    response = anonymous.get("/ready")
    assert response.status_code == 503 and set(response.get_json()) == {"status", "state_store", "reason", "cache"}
    assert anonymous.get("/live").status_code == 200
