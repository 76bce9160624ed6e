"""What a page's first load carries (issue 20): its own stylesheets, and its layout with the first numbers in it.

Stylesheets. `assets/` holds what every page uses (Bootstrap, the desktop theme, the shell's accessibility and
question-box styles), which Dash links from every page. A page's own CSS lives in `assets/pages/` (not auto-loaded:
`assets_path_ignore` in the app factory); a page names its files in `dash.register_page(..., stylesheets=(...))`.
They are linked by a content-hashed URL (`/assets/pages/overview.css?m=<sha256>`, cached `immutable` by
`delivery`): in the page shell's `<head>` when the page is the one first loaded (render-blocking, so nothing shifts
when they arrive), and in the page's layout, so a page opened by a link inside the app gets them too. The `<head>`
copy of a page left behind is dropped by `assets/page-css.js`.

The first response. Dash's pages render a page only after the browser has the shell, the scripts, the layout and
the dependencies, and then asked the page router's callback for the page's layout; the page's own callbacks come
after that. Here the shell's layout (`_dash-layout`) already holds the page the browser is on (the Referer of that
request names it), with the router's `dcc.Location` set to the same address so the router does not ask again. A
page's callback module may offer `first_paint(query) -> {"component-id.property": value}`, the values its render
callback will show (same code path, the scope from the server-side session), which are put into the layout before
it is sent: the heading and the KPI tiles are on screen before any callback ran. The app factory installs both
(`install`); `pages` stay layout only and never import queries.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import dash
from dash import dcc, html
from dash.development.base_component import Component
from flask import has_request_context, request

log = logging.getLogger(__name__)
ASSETS = Path(__file__).resolve().parents[2] / "assets"
PAGE_CSS = "pages"  # the subfolder of assets/ with page-specific stylesheets
ATTRIBUTE = "data-page-css"
FirstPaint = Callable[[Mapping[str, str]], Mapping[str, Any]]
_providers: dict[str, FirstPaint] = {}


@functools.cache
def stylesheet_href(name: str) -> str:
    """The URL of `assets/pages/<name>` with its content's hash (a new file, a new URL)."""
    data = (ASSETS / PAGE_CSS / name).read_bytes()
    return f"/assets/{PAGE_CSS}/{name}?m={hashlib.sha256(data).hexdigest()[:16]}"


def page_of(path: str) -> dict | None:
    """The registered page at `path` (pages here have fixed paths)."""
    wanted = path.rstrip("/") or "/"
    for page in dash.page_registry.values():
        if (page["path"].rstrip("/") or "/") == wanted:
            return page
    return None


def stylesheets(page: Mapping[str, Any] | None) -> tuple[str, ...]:
    return tuple(page.get("stylesheets") or ()) if page else ()


def head_links(path: str) -> str:
    """`<link>`s for the `<head>` of the page shell at `path`."""
    page = page_of(path)
    return "\n".join(
        f'<link rel="stylesheet" href="{stylesheet_href(name)}" {ATTRIBUTE}="{page["path"] if page else ""}">'
        for name in stylesheets(page)
    )


def _fill(layout: Component, values: Mapping[str, Any]) -> None:
    for target, value in values.items():
        component_id, prop = target.rsplit(".", 1)
        try:
            node = layout[component_id]
        except KeyError:
            log.warning("first paint: no %s in the layout", component_id)
            continue
        setattr(node, prop, value)


def _wrap(module: str, layout: Callable[..., Component]) -> Callable[..., Component]:
    page = dash.page_registry[module]

    def wrapped(**query: Any) -> Component:
        body = layout(**query)
        provider = _providers.get(module.rsplit(".", 1)[-1])
        if provider is not None and has_request_context():
            _fill(body, provider({k: v for k, v in query.items() if isinstance(v, str)}))
        links = [html.Link(rel="stylesheet", href=stylesheet_href(name)) for name in stylesheets(page)]
        return html.Div([*links, body], className="page-root") if links else body

    wrapped.__doc__ = layout.__doc__
    return wrapped


def install(providers: Mapping[str, FirstPaint]) -> None:
    """Wrap every registered page's layout: its stylesheets, and the values of its `first_paint` (by page name)."""
    _providers.clear()
    _providers.update(providers)
    for module, page in dash.page_registry.items():
        layout = page.get("layout")
        if callable(layout) and not getattr(layout, "_first_paint", False):
            page["layout"] = _wrap(module, layout)
            page["layout"]._first_paint = True


def _address() -> tuple[str, str, str] | None:
    """(href, pathname, search) of the page a `_dash-layout` request comes from, from its Referer (sent in full:
    same origin, `Referrer-Policy: same-origin`); None when it is missing or from elsewhere."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    return referrer.split("#", 1)[0], parts.path or "/", f"?{parts.query}" if parts.query else ""


def page_container() -> html.Div:
    """Dash's page container with the current page already rendered in it (see the module's docstring); Dash's
    own empty container (the router fills it) when the page is unknown or its layout fails."""
    address = _address() if has_request_context() else None
    page = page_of(address[1]) if address else None
    if address is None or page is None or not callable(page.get("layout")):
        return dash.page_container
    href, pathname, search = address
    try:
        content = page["layout"](**dict(parse_qsl(search.lstrip("?"))))
    except Exception:  # the router's callback will try again, and show the error page if it fails there too
        log.exception("first paint of %s failed", pathname)
        return dash.page_container
    return html.Div(
        [
            dcc.Location(
                id="_pages_location", refresh="callback-nav", pathname=pathname, search=search, href=href, hash=""
            ),
            html.Div(content, id="_pages_content", disable_n_clicks=True),
            dcc.Store(id="_pages_store", data={"title": page["title"]}),
            html.Div(id="_pages_dummy", disable_n_clicks=True),
        ]
    )
