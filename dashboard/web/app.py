"""The Dash application factory: the shell (navbar, user menu), the pages and their callbacks, the query cache,
the perimeter (`gate`), the export routes and the audit context.

Pages are found, not listed: every module of the `pages` package whose name does not start with `_` is a page,
and `callbacks/<same name>.py`, when there is one, registers that page's callbacks (and a topic page's callback
module exports its `TOPIC`, which the export routes serve). A new page is its two files; nothing else to edit.
The factory imports them by name because it is the one place allowed to know the layers above it.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import dash
import dash_bootstrap_components as dbc
from dash import Dash, dcc, html
from flask import g, has_request_context, request
from flask_caching import Cache

from dashboard.core import settings
from dashboard.core.regions import national_tree
from dashboard.core.roles import may
from dashboard.core.scope import User
from dashboard.public import routes as public_routes
from dashboard.state import audit, migrate
from dashboard.state.engine import state_engine
from dashboard.store.memo import ResilientCache, bind_cache
from dashboard.web import ask as ask_box
from dashboard.web import boundary, delivery, errors, logs, pageload, ratelimit, render_cache
from dashboard.web import gate as web
from dashboard.web.attachments import register_routes as register_attachment_routes
from dashboard.web.context import audit_context, current_user
from dashboard.web.export import register_routes as register_export_routes
from dashboard.web.qrcodes import register_routes as register_qrcode_routes
from dashboard.web.reports import register_routes as register_report_routes

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets"


VERSION_KEYS = ("dash_version", "dash_version_url", "python_version", "plotly_version", "ddk_version")

# The page shell (issue 20): the language of every page (WCAG 3.1.1) and a skip link to the page's <main>
# (`_shell`), the first thing a keyboard reaches (WCAG 2.4.1). Dash's own shell has neither.
INDEX_STRING = """<!DOCTYPE html>
<html lang="zh-CN">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        <a class="skip-link" href="#main-content">跳到主要内容</a>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""
MAIN_ID = "main-content"
# Scripts Dash links that no page needs (CockpitDash._generate_scripts_html)
_UNUSED_SCRIPT = re.compile(r"/polyfill@|/dash_table/").search


class CockpitDash(Dash):
    """Dash whose page shell names no versions: Dash puts its own, plotly's and the full Python version string in
    the `_dash-config` of every page, for its dev tools' version check (off here: DEBUG is never on in production),
    which tells a scanner what to look up."""

    def _config(self) -> dict:
        config = super()._config()
        for key in VERSION_KEYS:
            config.pop(key, None)
        return config

    def _generate_scripts_html(self) -> str:
        """Dash's scripts without the 98 KB Babel polyfill (core-js for browsers before ES2017: every browser the
        cockpit supports has what it fills in) and without dash_table's bundle (`import dash` registers it; no
        page uses a DataTable: the tables are `dashboard.ui` HTML)."""
        return "\n".join(line for line in super()._generate_scripts_html().split("\n") if not _UNUSED_SCRIPT(line))

    def _generate_css_dist_html(self) -> str:
        """The stylesheets every page uses, then the page's own (`dashboard.web.pageload`)."""
        own = pageload.head_links(request.path) if has_request_context() else ""
        return super()._generate_css_dist_html() + ("\n" + own if own else "")

    def interpolate_index(
        self, metas="", title="", css="", config="", scripts="", app_entry="", favicon="", renderer=""
    ) -> str:
        """The page's own title in the shell (the router's callback no longer has to set it)."""
        page = pageload.page_of(request.path) if has_request_context() else None
        if page is not None and isinstance(page.get("title"), str):
            title = page["title"]
        app_entry += pageload.first_paint_html(_shell)  # the page as static HTML until the renderer draws it
        return super().interpolate_index(metas, title, css, config, scripts, app_entry, favicon, renderer)


def _cache_config() -> dict:
    config = {"CACHE_TYPE": settings.get("CACHE_TYPE"), "CACHE_DEFAULT_TIMEOUT": settings.get("CACHE_TIMEOUT")}
    if config["CACHE_TYPE"] == "RedisCache":
        config["CACHE_REDIS_URL"] = settings.get("CACHE_REDIS_URL")
        config["CACHE_REDIS_DB"] = None  # the database is the URL's (flask-caching would otherwise force 0)
        config["CACHE_KEY_PREFIX"] = "cockpit:"
        # a Redis that is down or unreachable costs a request at most this long, then the cache steps aside
        config["CACHE_OPTIONS"] = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    return config


def _user_menu(user: User | None) -> list:
    """Who is signed in (name, role, region) and the sign-out button, a form that carries the CSRF token."""
    if user is None:
        return []
    tree = national_tree()
    region = tree.name(user.region) if user.region in tree else user.region
    return [
        html.Span(
            f"{user.display_name} · {user.role} · {region}", className="navbar-text user-badge me-2", id="user-badge"
        ),
        html.A(  # the current view into a meeting pack: its href is set to this page by callbacks/reports.py
            "加入会议材料",
            href="/reports",
            id="pack-add-link",
            className="btn btn-sm btn-outline-light",
            style=None if may(user, "reports") else {"display": "none"},
        ),
        html.Form(
            [
                dcc.Input(type="hidden", name="csrf_token", value=g.get("csrf_token") or ""),
                html.Button("退出登录", type="submit", className="btn btn-sm btn-outline-light"),
            ],
            action="/logout",
            method="post",
            id="sign-out-form",
            className="d-inline",
        ),
    ]


def _navbar(user: User | None) -> dbc.Navbar:
    """Links to the pages the user may open: a page registered with `permission=` shows only to roles that have it."""
    pages = sorted(dash.page_registry.values(), key=lambda p: (p.get("order") or 0, p["path"]))
    links = [
        dbc.NavItem(dbc.NavLink(p["name"], href=p["relative_path"], active="exact"))
        for p in pages
        if p.get("permission") is None or may(user, p["permission"])
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("财政运行监测驾驶舱", href="/", className="fw-bold"),
                dbc.NavbarToggler(id="nav-toggler"),
                dbc.Collapse(
                    [
                        dbc.Nav(links, navbar=True, className="me-auto"),
                        html.Div(_user_menu(user), className="d-flex flex-wrap align-items-center gap-2"),
                    ],
                    id="nav-collapse",
                    is_open=False,
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        expand="xl",
        className="mb-3",
    )


def _shell(address: tuple[str, str, str] | None = None) -> html.Div:
    """The app layout, built per page load for the signed-in user, with the page at `address` (default: the page
    the layout request comes from) in it, and the question box's answer when that address asks one."""
    if address is None and has_request_context():
        address = pageload.referrer_address()
    return html.Div(
        [
            _navbar(current_user()),
            ask_box.ask_bar(address[2] if address else None),
            html.Main(
                dbc.Container(pageload.page_container(address), fluid=True, className="pb-4"), id=MAIN_ID, tabIndex="-1"
            ),
        ]
    )


def page_module_names() -> list[str]:
    """The page modules of the `pages` package (a module starting with `_` is a helper, not a page)."""
    folder = ROOT / "pages"
    return sorted(info.name for info in pkgutil.iter_modules([str(folder)]) if not info.name.startswith("_"))


def callback_modules(page_names: list[str]) -> list[ModuleType]:
    """`callbacks.<page>` for each page that has one."""
    folder = ROOT / "callbacks"
    present = {info.name for info in pkgutil.iter_modules([str(folder)])}
    return [importlib.import_module(f"callbacks.{name}") for name in page_names if name in present]


def check_state_schema() -> None:
    """Refuse to start on a state store behind this version's schema (run `python -m dashboard migrate`); a store
    that cannot be reached now is no reason not to start (`/ready` says 503 until it answers)."""
    try:
        found = migrate.status(state_engine())
    except Exception as error:  # unreachable: serve the outage page and the probes, the store may come back
        log.warning("state store unreachable at start-up: %s", type(error).__name__)
        return
    if not found.up_to_date:
        raise RuntimeError(found.message())


def create_app() -> Dash:
    """Build the app: pages from `pages/`, callbacks from `callbacks/`, the query cache, and local assets only
    (no CDN: Bootstrap is assets/00-bootstrap-*.css, named to load before the theme CSS)."""
    app = CockpitDash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        # served on demand, never linked from every page: vendor/ (the Plotly bundle: assets/plotly-bundle.js),
        # pages/ (a page's own CSS: dashboard/web/pageload.py) and the sign-in page's auth.css (linked by /login)
        assets_path_ignore=["vendor", "pages"],
        assets_ignore=r"^auth\.css$",
        serve_locally=True,
        title="财政运行监测驾驶舱",
        update_title=None,  # type: ignore[arg-type]  # Dash documents None (keep the title) but types it str
        suppress_callback_exceptions=True,
        on_error=boundary.callback_failed,
    )
    check_state_schema()
    app.index_string = INDEX_STRING
    audit.set_context_provider(audit_context)
    page_names = page_module_names()
    for name in page_names:
        importlib.import_module(f"pages.{name}")
    app.layout = _shell
    cache = Cache(app.server, config=_cache_config())
    bind_cache(ResilientCache(cache.cache) if settings.get("CACHE_TYPE") == "RedisCache" else cache.cache)
    render_cache.clear()  # a new app (another store, other settings) starts with no rendered views
    topics, first_paint = {}, {}
    for module in callback_modules(page_names):
        module.register(app)
        if hasattr(module, "first_paint"):
            first_paint[module.__name__.rsplit(".", 1)[-1]] = module.first_paint
        topic = getattr(module, "TOPIC", None)
        if topic is not None:
            topics[topic.key] = topic
    app.clientside_callback(  # below the xl breakpoint the page links fold behind the toggler (phones, tablets)
        "function (clicks, open) { return clicks ? !open : open; }",
        dash.Output("nav-collapse", "is_open"),
        dash.Input("nav-toggler", "n_clicks"),
        dash.State("nav-collapse", "is_open"),
        prevent_initial_call=True,
    )
    pageload.install(first_paint)  # each page's stylesheets and first numbers in its first response
    ask_box.register(app, app.server)  # the question box of the shell (问数)
    register_export_routes(app.server, topics)
    register_qrcode_routes(app.server)
    register_report_routes(app.server)
    register_attachment_routes(app.server)
    logs.install(app.server)
    limiter = ratelimit.install(app.server)
    public_routes.install(app.server, limiter)
    web.install(app, limiter)
    app.server.before_request(boundary.check_request(app))  # after the session gate: anonymous requests get 401
    errors.install(app.server)
    delivery.install(app.server)
    return app
