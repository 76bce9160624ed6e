"""Fiscal Cockpit (财政运行监测驾驶舱): the Dash application factory."""

from __future__ import annotations

import importlib
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html
from flask_caching import Cache

from dashboard import settings
from dashboard.store.memo import bind_cache

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"


def _cache_config() -> dict:
    config = {"CACHE_TYPE": settings.get("CACHE_TYPE"), "CACHE_DEFAULT_TIMEOUT": settings.get("CACHE_TIMEOUT")}
    if config["CACHE_TYPE"] == "RedisCache":
        config["CACHE_REDIS_URL"] = settings.get("CACHE_REDIS_URL")
    return config


def _navbar() -> dbc.Navbar:
    pages = sorted(dash.page_registry.values(), key=lambda p: (p.get("order") or 0, p["path"]))
    links = [dbc.NavItem(dbc.NavLink(p["name"], href=p["relative_path"], active="exact")) for p in pages]
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand("财政运行监测驾驶舱", href="/", className="fw-bold"),
        dbc.Nav(links, navbar=True, className="me-auto"),
    ], fluid=True), color="primary", dark=True, className="mb-3")


def create_app() -> Dash:
    """Build the app: pages from `pages/`, callbacks from `callbacks/`, the query cache, and local assets only
    (no CDN: Bootstrap is assets/00-bootstrap-*.css, named to load before the theme CSS)."""
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        serve_locally=True,
        title="财政运行监测驾驶舱",
        update_title=None,
        suppress_callback_exceptions=True,
    )
    from pages import PAGE_MODULES
    from callbacks import CALLBACK_MODULES
    from dashboard.export import register_routes as register_export_routes

    for name in PAGE_MODULES:
        importlib.import_module(name)
    app.layout = html.Div([_navbar(), dbc.Container(dash.page_container, fluid=True, className="pb-4")])
    cache = Cache(app.server, config=_cache_config())
    bind_cache(cache.cache)
    for name in CALLBACK_MODULES:
        importlib.import_module(name).register(app)
    register_export_routes(app.server)
    return app
