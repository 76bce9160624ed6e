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

Plotly. Two partial bundles live in `assets/vendor/` (built by `tools/plotly-bundle/`): `charts` (bar, pie,
heatmap, scatter: 1.3 MB) and `maps` (the same and choroplethmap with MapLibre: 3.1 MB). A page with a map says so
(`dash.register_page(..., plotly="maps")`); the page shell names its bundle, by a content-hashed URL, in
`<meta name="cockpit-plotly">`, with the maps bundle's URL and the pages that need it, for `assets/plotly-bundle.js`
(which points dcc.Graph's lazy loader at it, and loads a map page afresh when the app moves to one from a page
that had only the charts bundle).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import dash
from dash import dcc, html
from dash.development.base_component import Component
from flask import has_request_context, request
from markupsafe import escape

log = logging.getLogger(__name__)
ASSETS = Path(__file__).resolve().parents[2] / "assets"
PAGE_CSS = "pages"  # the subfolder of assets/ with page-specific stylesheets
VENDOR = "vendor"  # the subfolder of assets/ with the Plotly bundles (tools/plotly-bundle/)
PLOTLY_BUNDLES = {"charts": "plotly-cockpit-charts.min.js", "maps": "plotly-cockpit-maps.min.js"}
PLOTLY_META = "cockpit-plotly"
ATTRIBUTE = "data-page-css"
FirstPaint = Callable[[Mapping[str, str]], Mapping[str, Any]]
_providers: dict[str, FirstPaint] = {}


@functools.cache
def hashed_href(folder: str, name: str) -> str:
    """The URL of `assets/<folder>/<name>` with its content's hash (a new file, a new URL: cached `immutable`)."""
    data = (ASSETS / folder / name).read_bytes()
    return f"/assets/{folder}/{name}?m={hashlib.sha256(data).hexdigest()[:16]}"


def stylesheet_href(name: str) -> str:
    """The URL of `assets/pages/<name>`, hashed."""
    return hashed_href(PAGE_CSS, name)


def plotly_bundle(page: Mapping[str, Any] | None) -> str:
    """The Plotly bundle a page draws with: `maps` for a page registered with `plotly="maps"`, else `charts`."""
    return "maps" if page is not None and page.get("plotly") == "maps" else "charts"


def plotly_meta(path: str) -> str:
    """`<meta name="cockpit-plotly">` of the page shell at `path`: its bundle's URL, the maps bundle's and the
    paths of the pages that need that one (`assets/plotly-bundle.js` reads it)."""
    maps = sorted(p["path"] for p in dash.page_registry.values() if plotly_bundle(p) == "maps")
    info = {
        "url": hashed_href(VENDOR, PLOTLY_BUNDLES[plotly_bundle(page_of(path))]),
        "maps": hashed_href(VENDOR, PLOTLY_BUNDLES["maps"]),
        "mapPages": maps,
    }
    return f'<meta name="{PLOTLY_META}" content="{escape(json.dumps(info, separators=(",", ":")))}">'


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
    """`<link>`s for the `<head>` of the page shell at `path`, and its Plotly bundle's `<meta>`."""
    page = page_of(path)
    links = [
        f'<link rel="stylesheet" href="{stylesheet_href(name)}" {ATTRIBUTE}="{page["path"] if page else ""}">'
        for name in stylesheets(page)
    ]
    return "\n".join([*links, plotly_meta(path)])


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


def referrer_address() -> tuple[str, str, str] | None:
    """(href, pathname, search) of the page a `_dash-layout` request comes from, from its Referer (sent in full:
    same origin, `Referrer-Policy: same-origin`); None when it is missing or from elsewhere."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    return referrer.split("#", 1)[0], parts.path or "/", f"?{parts.query}" if parts.query else ""


def page_container(address: tuple[str, str, str] | None = None) -> html.Div:
    """Dash's page container with the page at `address` (default: the one the `_dash-layout` request comes from)
    already rendered in it (see the module's docstring); Dash's own empty container (the router fills it) when the
    page is unknown or its layout fails."""
    if address is None:
        address = referrer_address() if has_request_context() else None
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


# The page shell's first paint: the same layout as static HTML, shown until the Dash renderer has drawn it (a
# screen's worth of numbers at the speed of the HTML, instead of after the scripts, the layout and the dependencies).
# `#first-paint` sits beside Dash's `#react-entry-point`; `assets/page-css.js` hides it (in the same frame, by CSS)
# and removes it as soon as the renderer's own page is there. Only what shows is written: stores, locations and
# intervals are nothing, a chart is its empty box, a dropdown its frame and value.
_VOID = frozenset({"img", "input", "br", "hr", "link", "meta", "col", "source", "wbr"})
_ATTRIBUTES = {"className": "class", "htmlFor": "for", "colSpan": "colspan", "rowSpan": "rowspan"}
_PLAIN = frozenset({"id", "href", "title", "role", "scope", "type", "rel", "action", "method", "name", "placeholder"})
FIRST_PAINT_ID = "first-paint"


def _style(style: Mapping[str, Any]) -> str:
    def css(name: str) -> str:
        return "".join(f"-{c.lower()}" if c.isupper() else c for c in name)

    return ";".join(f"{css(k)}:{v}" for k, v in style.items() if v is not None)


def _tag(tag: str, props: Mapping[str, Any], inner: str = "", classes: str = "") -> str:
    attributes = []
    names = " ".join(c for c in (classes, props.get("className") or "") if c)
    if names:
        attributes.append(f'class="{escape(names)}"')
    for key, value in props.items():
        if value is None or value is False or key in ("children", "className"):
            continue
        if key == "style" and isinstance(value, Mapping):
            attributes.append(f'style="{escape(_style(value))}"')
        elif key in _PLAIN or key in _ATTRIBUTES or key.startswith(("aria-", "data-")):
            attributes.append(f'{_ATTRIBUTES.get(key, key)}="{escape(str(value))}"')
    opening = f"<{tag}{' ' if attributes else ''}{' '.join(attributes)}>"
    return opening if tag in _VOID else f"{opening}{inner}</{tag}>"


def _dbc(kind: str, props: Mapping[str, Any], inner: str, path: str) -> str:
    """The markup dash-bootstrap-components renders for the few components the shell and pages use."""
    if kind == "Navbar":
        classes = f"navbar navbar-expand-{props.get('expand') or 'md'} bg-{props.get('color') or 'light'}"
        return _tag("nav", props, inner, classes + (" navbar-dark" if props.get("dark") else ""))
    if kind == "Container":
        return _tag("div", props, inner, "container-fluid" if props.get("fluid") else "container")
    if kind == "NavbarBrand":
        return _tag("a", props, inner, "navbar-brand")
    if kind == "NavbarToggler":
        return _tag("button", props, '<span class="navbar-toggler-icon"></span>', "navbar-toggler")
    if kind == "Collapse":
        return _tag("div", props, inner, "collapse navbar-collapse" if props.get("navbar") else "collapse")
    if kind == "Nav":
        return _tag("ul", props, inner, "navbar-nav nav" if props.get("navbar") else "nav")
    if kind == "NavItem":
        return _tag("li", props, inner, "nav-item")
    if kind == "NavLink":
        active = props.get("active") == "exact" and props.get("href") == path
        return _tag("a", props, inner, "nav-link active" if active else "nav-link")
    if kind == "Row":
        return _tag("div", props, inner, "row")
    if kind == "Col":
        sizes = [f"col-{props['xs']}" if props.get("xs") else "col"]
        sizes += [f"col-{bp}-{props[bp]}" for bp in ("sm", "md", "lg", "xl", "xxl") if props.get(bp)]
        return _tag("div", props, inner, " ".join(sizes))
    if kind in ("Card", "CardBody", "CardHeader"):
        return _tag("div", props, inner, {"Card": "card", "CardBody": "card-body", "CardHeader": "card-header"}[kind])
    if kind == "Alert":
        return _tag("div", {**props, "role": "alert"}, inner, f"alert alert-{props.get('color') or 'info'}")
    if kind == "Button":
        return _tag("button", props, inner, "btn")
    return _tag("div", props, inner)


def _dcc(kind: str, props: Mapping[str, Any], inner: str) -> str:
    if kind in ("Store", "Location", "Interval", "Download", "ConfirmDialog"):
        return ""
    if kind == "Loading":
        return inner
    if kind == "Graph":
        return _tag("div", {"className": props.get("className"), "style": props.get("style")}, "", "dash-graph")
    if kind == "Input":
        return _tag("input", {k: props.get(k) for k in ("type", "placeholder", "className", "value", "name")})
    if kind == "Link":
        return _tag("a", props, inner)
    if kind == "Dropdown":
        shown = next((o.get("label") for o in props.get("options") or [] if o.get("value") == props.get("value")), "")
        value = f'<span class="dash-dropdown-value">{escape(str(shown or ""))}</span>'
        return f'<div class="dash-dropdown-wrapper"><div class="dash-dropdown">{value}</div></div>'
    if kind == "RadioItems":
        labels = "".join(
            f'<label><input type="radio"{" checked" if o.get("value") == props.get("value") else ""} disabled>'
            f"{escape(str(o.get('label', '')))}</label>"
            for o in props.get("options") or []
        )
        return _tag("div", {"className": props.get("className")}, labels, "dash-radioitems")
    return inner


def static_html(node: Any, path: str) -> str:
    """`node` (a Dash component tree) as the HTML its components render, for the first paint."""
    if node is None or node is False:
        return ""
    if isinstance(node, (str, int, float)):
        return str(escape(str(node)))
    if isinstance(node, (list, tuple)):
        return "".join(static_html(child, path) for child in node)
    if not isinstance(node, Component):
        return ""
    props = {k: v for k, v in node.to_plotly_json()["props"].items() if not k.startswith("_")}
    inner = static_html(props.get("children"), path)
    namespace, kind = node._namespace, node._type
    if namespace == "dash_html_components":
        return _tag(kind.lower(), props, inner)
    if namespace == "dash_bootstrap_components":
        return _dbc(kind, props, inner, path)
    if namespace == "dash_core_components":
        return _dcc(kind, props, inner)
    return inner


def request_address() -> tuple[str, str, str] | None:
    """(href, pathname, search) of the page request itself (the page shell)."""
    if not has_request_context():
        return None
    search = f"?{request.query_string.decode('latin-1')}" if request.query_string else ""
    return request.base_url + search, request.path, search


def first_paint_html(shell: Callable[[tuple[str, str, str] | None], Component]) -> str:
    """The `#first-paint` block of the page shell for the current request ('' outside one or when it fails)."""
    address = request_address()
    if address is None or page_of(address[1]) is None:
        return ""
    try:
        body = static_html(shell(address), address[1])
    except Exception:  # the renderer will draw the page as it always did
        log.exception("static first paint of %s failed", address[1])
        return ""
    return f'<div id="{FIRST_PAINT_ID}" inert>{body}</div>'  # inert: nothing typed into it is lost when it goes
