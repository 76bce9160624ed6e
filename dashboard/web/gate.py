"""The web perimeter: sign-in and sign-out, the session gate in front of every page and callback, CSRF, security
headers, and the `/live` and `/ready` probes.

Why no Flask-Login: the session must be server-side (revocable, idle-timed, re-read per request so that disabling
a user or moving their region bites on their next request, shared by every worker through the state store), which
Flask-Login leaves to the application anyway. What remains — read a cookie, load a user — is `before_request`.

The gate fails closed: only the sign-in page, the probes (exact paths), the public side (`/gongkai` and below it, on
a segment boundary: `dashboard.public`, which has its own routes, headers and 404; no session is read there) and
static files that exist are public: an asset is a real file under the assets folder reached by a clean path (no
empty, `.` or `..` segment), a component suite file one Dash registered, the favicon its one path. Any other page
redirects to sign-in and any other request (a Dash callback, the layout, `/assets//_dash-layout`, `/_favicon.icox`)
gets 401 before Dash sees it. Anything else under the two static prefixes is 404 for a signed-in user too: Dash
never sees a component-suite path it does not know (it would raise DependencyException: a 500 and a logged
traceback), nor serves its shell under `/assets/`.
Sign-in: one answer for an unknown name, a wrong password and a locked account (`accounts.authenticate`), and a
per-client limit of failed attempts (the app's one rate limiter, `ratelimit`) in front of the per-account lock.
Behind a reverse proxy, TRUSTED_PROXIES hops of `X-Forwarded-*` are believed (werkzeug ProxyFix), so the scheme of
the browser's request decides HSTS and `Secure` cookies and the client's address the rate limit.
CSRF: the Dash renderer sends the `_csrf_token` cookie back as the `X-CSRFToken` header on every callback; the
gate requires it to equal the session's token (a cross-site page can neither read the cookie nor set the header),
and an `Origin` header, when the browser sends one, to be this host. Forms carry the token as a hidden field.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import sqlalchemy as sa
from dash import Dash
from dash.fingerprint import check_fingerprint
from flask import Response, g, jsonify, redirect, render_template_string, request
from flask_limiter import Limiter, RequestLimit
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Response as BaseResponse

from dashboard.core import settings
from dashboard.public import is_public
from dashboard.state import accounts, audit
from dashboard.state.engine import state_engine
from dashboard.store.engine import finance_engine
from dashboard.store.memo import cache_status
from dashboard.store.schema import metadata as store_metadata

SESSION_COOKIE = "cockpit_session"
CSRF_COOKIE = "_csrf_token"  # the name the Dash renderer reads (Dash's csrf_token_name default)
CSRF_HEADER = "X-CSRFToken"  # the header it sends (csrf_header_name default)
ASSETS_PREFIX = "/assets/"
SUITES_PREFIX = "/_dash-component-suites/"
FAVICON = "/_favicon.ico"
PUBLIC_PATHS = ("/login", "/live", "/ready")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ENDED_MESSAGES = {
    "ended": "会话已结束,请重新登录。",
    "idle": "长时间未操作,会话已结束,请重新登录。",
    "expired": "会话已到期,请重新登录。",
    "disabled": "账户已停用,请联系管理员。",
    "password": "密码已修改,请重新登录。",
    "signed_out": "已安全退出。",
}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never a scheme (`javascript:`), host or `//` URL."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or parts.scheme
        or parts.netloc
        or any(ord(c) < 32 for c in target)
    ):
        return "/"
    return target


def _secure_cookies() -> bool:
    mode = settings.get("COOKIE_SECURE")
    return request.is_secure if mode == "auto" else mode == "true"


def _set_cookies(response: Response, token: str | None, csrf_token: str) -> None:
    secure = _secure_cookies()
    if token is not None:
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax", secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, csrf_token, httponly=False, samesite="Strict", secure=secure, path="/")


def _clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=_secure_cookies())


# --- the gate ---------------------------------------------------------------------------------------------------


def _load_session() -> None:
    """Put the signed-in user (or None) and the session's CSRF token on `g`, ending sessions that timed out."""
    g.user, g.csrf_token, g.session_ended = None, None, None
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return
    session = accounts.resume_session(token)
    if isinstance(session, accounts.ActiveSession):
        g.user, g.csrf_token = session.user, session.csrf_token
    elif isinstance(session, accounts.EndedSession):
        g.session_ended = session.reason
        if session.ended_now:
            audit.append(
                "session_ended",
                username=session.username,
                role=session.role,
                user_region=session.region,
                detail=session.reason,
            )


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


def _csrf_ok(sent: str | None) -> bool:
    return bool(sent) and g.csrf_token is not None and hmac.compare_digest(sent, g.csrf_token) and _same_origin()


def _clean_relative(path: str) -> bool:
    """A relative path of real names only: no empty, `.` or `..` segment, no backslash or NUL."""
    segments = path.split("/")
    return bool(path) and "\\" not in path and "\x00" not in path and all(s not in ("", ".", "..") for s in segments)


def public_file(app: Dash, path: str) -> bool:
    """Whether `path` is a static file anyone may fetch: the favicon, a file of the assets folder, or a component
    suite file Dash registered (Dash registers them at its first request, before this gate runs)."""
    if path == FAVICON:
        return True
    if path.startswith(ASSETS_PREFIX):
        relative = path.removeprefix(ASSETS_PREFIX)
        if not _clean_relative(relative):
            return False
        folder = Path(app.config.assets_folder).resolve()
        try:
            target = (folder / relative).resolve()
            return target.is_relative_to(folder) and target.is_file()
        except OSError:  # a name too long for the file system, say: no such file
            return False
    if path.startswith(SUITES_PREFIX):
        package, _, fingerprinted = path.removeprefix(SUITES_PREFIX).partition("/")
        in_package, _ = check_fingerprint(fingerprinted)
        return _clean_relative(fingerprinted) and in_package in app.registered_paths.get(package, ())
    return False


def _gate(app: Dash) -> Callable[[], BaseResponse | None]:
    def gate() -> BaseResponse | None:
        g.public_file = public_file(app, request.path)
        if g.public_file:  # static files: no session needed, no store read
            return None
        g.public_side = is_public(request.path)
        if g.public_side:  # the public side (dashboard.public): no session read, its own headers, its own 404
            g.user, g.csrf_token, g.session_ended = None, None, None
            return None
        refused = _session_gate()
        if refused is None and request.path.startswith((ASSETS_PREFIX, SUITES_PREFIX)):
            return Response("没有这个文件。", status=404, mimetype="text/plain")
        return refused

    return gate


def _session_gate() -> BaseResponse | None:
    _load_session()
    if request.path in PUBLIC_PATHS:
        return None
    if g.user is None:
        if request.method == "GET" and not request.path.startswith("/_"):
            query = {"next": request.full_path.rstrip("?")}
            if g.session_ended:
                query["reason"] = g.session_ended
            return redirect(f"/login?{urlencode(query)}")
        response = jsonify({"message": "未登录或会话已结束,请重新登录。", "reason": g.session_ended})
        response.status_code = 401
        return response
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token")
        if not _csrf_ok(sent):
            audit.record("denied", page=request.path, detail="CSRF token or origin check failed", outcome="denied")
            response = jsonify({"message": "请求校验失败(CSRF),请刷新页面后重试。"})
            response.status_code = 403
            return response
    return None


def _page_view(response: Response) -> Response:
    """Audit a page view: the Dash pages router callback answered with a page for a signed-in user."""
    if g.get("user") is not None and request.path == "/_dash-update-component" and response.status_code == 200:
        body = request.get_json(silent=True) or {}
        if "_pages_content.children" in str(body.get("output", "")):
            values = {i.get("property"): i.get("value") for i in body.get("inputs", []) if isinstance(i, dict)}
            query = {k: v[0] for k, v in parse_qs(str(values.get("search") or "").lstrip("?")).items()}
            audit.record(
                "drill" if query.get("region") else "view",
                page=str(values.get("pathname") or "/"),
                region=query.get("region"),
                params=query or None,
            )
    return response


# --- headers ------------------------------------------------------------------------------------------------------


def _content_security_policy(app: Dash) -> str:
    """Scripts only from this host plus the hashes of Dash's own inline scripts: no 'unsafe-inline', no
    'unsafe-eval' (plotly.js 4 — bar charts and choroplethmap — and the Dash renderer run without eval; checked in
    Chromium's console). Styles need
    'unsafe-inline': React and plotly.js set style attributes and inject <style> elements at run time."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(app.csp_hashes()),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",  # plotly's map traces (maplibre) run their tile workers from blob: URLs
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _security_headers(app: Dash):
    policy: list[str] = []  # computed at the first response, after every (inline clientside) callback exists

    def add(response: Response) -> Response:
        if g.get("public_side"):  # dashboard.public sets its own, stricter headers
            return response
        if not policy:
            policy.append(_content_security_policy(app))
        headers = response.headers
        headers["Content-Security-Policy"] = policy[0]
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if not g.get("public_file"):
            headers["Cache-Control"] = "no-store"  # finance data and session state are never cached by the browser
        return response

    return add


# --- sign-in page ---------------------------------------------------------------------------------------------------

SIGN_IN_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · 财政运行监测驾驶舱</title>
<link rel="stylesheet" href="/assets/00-bootstrap-5.3.6.min.css"><link rel="stylesheet" href="/assets/auth.css">
</head><body class="sign-in-body">
<main class="sign-in-card card">
  <div class="card-body">
    <h1 class="sign-in-title">财政运行监测驾驶舱</h1>
    <p class="sign-in-subtitle">请使用分配的账户登录</p>
    {% if message %}
    <div class="alert alert-{{ tone }} py-2" role="alert" id="sign-in-message">{{ message }}</div>
    {% endif %}
    <form method="post" action="/login" autocomplete="off" id="sign-in-form">
      <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
      <input type="hidden" name="next" value="{{ next }}">
      <div class="mb-3"><label class="form-label" for="username">用户名</label>
        <input class="form-control" id="username" name="username" value="{{ username }}" required autofocus
               maxlength="64" autocomplete="username"></div>
      <div class="mb-3"><label class="form-label" for="password">密码</label>
        <input class="form-control" id="password" name="password" type="password" required maxlength="200"
               autocomplete="current-password"></div>
      <button class="btn btn-primary w-100" type="submit">登录</button>
    </form>
    <p class="sign-in-note">本系统仅限授权人员使用。查询、导出等全部操作均记录在案(全过程留痕,谁使用谁负责)。</p>
  </div>
</main></body></html>"""


def _sign_in_page(message: str | None = None, tone: str = "danger", username: str = "", status: int = 200):
    csrf_token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    html = render_template_string(
        SIGN_IN_PAGE,
        message=message,
        tone=tone,
        username=username[:64],
        next=safe_next(request.values.get("next")),
        csrf_token=csrf_token,
    )
    response = Response(html, status=status, mimetype="text/html")
    _set_cookies(response, None, csrf_token)
    return response


def _sign_in():
    if request.method in ("GET", "HEAD"):
        if g.user is not None:
            return redirect(safe_next(request.args.get("next")))
        reason = request.args.get("reason")
        return _sign_in_page(ENDED_MESSAGES.get(reason or ""), tone="warning" if reason != "signed_out" else "info")
    sent, expected = request.form.get("csrf_token", ""), request.cookies.get(CSRF_COOKIE, "")
    if not sent or not hmac.compare_digest(sent, expected) or not _same_origin():
        audit.append("denied", username=None, detail="CSRF token or origin check failed", outcome="denied")
        return _sign_in_page("页面已过期,请重新登录。", status=403)
    username = request.form.get("username", "").strip()[:64]
    outcome = accounts.authenticate(username, request.form.get("password", "")[:200])
    if outcome.token is None:
        return _sign_in_page(outcome.message, username=username, status=401)
    response = redirect(safe_next(request.form.get("next")))
    _set_cookies(response, outcome.token, outcome.csrf_token)
    return response


def _sign_in_limit() -> str:
    return settings.get("SIGN_IN_RATE_LIMIT")


def _sign_in_failed(response: Response) -> bool:
    """Only attempts that did not sign in count: an office behind one address signing in every morning is not
    slowed."""
    return response.status_code != 302


def _too_many_sign_ins(limit: RequestLimit) -> Response:
    """The sign-in form again, 429, with when to retry; nothing is checked or audited (a flood writes nothing)."""
    response = _sign_in_page("登录尝试过于频繁,请稍后再试。", status=429)
    response.headers["Retry-After"] = str(max(1, limit.reset_at - int(time.time())))
    return response


def _sign_out():
    token = request.cookies.get(SESSION_COOKIE)
    audit.record("sign_out")
    accounts.end_session(token, "signed_out")
    response = redirect("/login?reason=signed_out")
    _clear_session_cookie(response)
    return response


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's request handler without its `Server: Werkzeug/… Python/…` header."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())


# --- probes ---------------------------------------------------------------------------------------------------------


def _live():
    return jsonify({"status": "ok"})


def _ready():
    """503 when the finance store or the state store cannot answer a trivial query, or the finance store lacks a
    table this version reads (a store built by an older version: rebuild it, `make demo` or a new load); `reason`
    names which and why. `cache` is `ok`, `off` or `degraded` (Redis unreachable: pages render uncached)."""
    problems = {}
    for name, engine in (("finance_store", finance_engine), ("state_store", state_engine)):
        try:
            with engine().connect() as conn:
                conn.execute(sa.text("select 1"))
                if name == "finance_store":
                    inspector = sa.inspect(conn)
                    missing = [t.name for t in store_metadata.sorted_tables if not inspector.has_table(t.name)]
                    if missing:
                        problems[name] = "missing tables: " + ", ".join(missing)
        except Exception as error:  # any failure to reach a store means "not ready"
            problems[name] = f"unreachable: {type(error).__name__}"
    body: dict[str, object] = {"status": "unavailable" if problems else "ok", **problems}
    if problems:
        body["reason"] = "; ".join(f"{name} {problem}" for name, problem in problems.items())
    # the shared query cache (Redis) being down slows pages but breaks none: reported, never a 503
    body["cache"] = cache_status()
    response = jsonify(body)
    response.status_code = 503 if problems else 200
    return response


def install(app: Dash, limiter: Limiter) -> None:
    """Put the perimeter in front of `app`: forwarded headers, the gate, headers, page-view audit, sign-in (limited
    by `limiter`), sign-out and probes."""
    server = app.server
    proxies = settings.get("TRUSTED_PROXIES")
    if proxies > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    server.before_request(_gate(app))
    server.after_request(_page_view)
    server.after_request(_security_headers(app))
    sign_in = limiter.limit(
        _sign_in_limit, methods=["POST"], deduct_when=_sign_in_failed, on_breach=_too_many_sign_ins
    )(_sign_in)
    server.add_url_rule("/login", "sign_in", sign_in, methods=["GET", "POST"])
    server.add_url_rule("/logout", "sign_out", _sign_out, methods=["POST"])
    server.add_url_rule("/live", "live", _live)
    server.add_url_rule("/ready", "ready", _ready)
