"""领导驾驶舱大屏 (`/screen`): a fixed 16:9 wall layout, dark, sized in viewport units; `callbacks.screen` fills it.

The URL is the state (`?region=430102&year=2024&period=1-9&metric=risk&rotate=30`): this page's own
`dcc.Location` (refresh=False) carries it, so a drill pushes a history entry without re-rendering the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import dcc, html

from dashboard.core import settings
from dashboard.core.drill import rotate_seconds, wall_id
from dashboard.ui import chart_data
from dashboard.ui.figures.cockpit import MAP_METRICS
from dashboard.ui.graph import graph
from dashboard.ui.present_views import rotation_bar, wall_slots
from dashboard.ui.props import wildcard

PATH = "/screen"
BOARDS = ("overview", "revenue", "spending", "risk")


def _panel(title, body, area: str, title_id: str | None = None) -> html.Section:
    return html.Section(
        [
            html.H2(title, className="panel-title", id=title_id or f"{area}-title"),
            *(body if isinstance(body, list) else [body]),
        ],
        className=f"screen-panel panel-{area}",
    )


def _graph(graph_id: str) -> list:
    """A wall chart and its data table, there for screen readers only (a wall has no room for it)."""
    return [
        graph(
            graph_id,
            mode_bar=False,
            config={"scrollZoom": False, "doubleClick": False},
            className="screen-graph",
            responsive=True,
        ),
        chart_data.slot(graph_id, hidden=True),
    ]


def layout(
    region: str | None = None,
    year: str | None = None,
    period: str | None = None,
    metric: str | None = None,
    rotate: str | None = None,
    wall: str | None = None,
    board: str | None = None,
    **_other,
) -> html.Div:
    wall = wall_id(wall)  # presenter mode (`callbacks.present`): the wall follows its paired tablet
    board = board if board in BOARDS else None
    pairs = (("region", region), ("year", year), ("period", period), ("metric", metric), ("rotate", rotate))
    query = {k: v for k, v in (("wall", wall), *pairs, ("board", board)) if v}
    seconds = rotate_seconds(rotate)
    return html.Div(
        [
            dcc.Location(id="screen-url", refresh=False, pathname=PATH, search=f"?{urlencode(query)}" if query else ""),
            dcc.Store(id="screen-viewport"),
            dcc.Store(id="screen-version"),
            dcc.Interval(id="screen-refresh", interval=settings.get("SCREEN_REFRESH_SECONDS") * 1000),
            dcc.Interval(id="screen-rotate", interval=1000, disabled=not seconds),  # ticks; boards every `seconds`
            dcc.Store(id="screen-rotate-seconds", data=seconds),
            html.Header(
                [
                    html.Div(id="screen-breadcrumb", className="screen-breadcrumb"),
                    html.H1(id="screen-title", className="screen-title"),
                    html.Div(id="screen-freshness", className="screen-freshness"),
                ],
                className="screen-header",
            ),
            html.Div(id="screen-notices", className="screen-notices"),
            html.Div(id="screen-kpis", className="screen-kpis"),
            html.Div(
                [
                    _panel("收入结构 · 税收与非税", _graph("screen-revenue-mix"), "revenue"),
                    _panel("支出结构 · 前10类", _graph("screen-functions"), "functions"),
                    html.Section(
                        [
                            html.Div(
                                [
                                    html.H2(id="screen-map-title", className="panel-title"),
                                    dcc.RadioItems(
                                        id="screen-metric",
                                        value=metric if metric in MAP_METRICS else "execution",
                                        options=[{"label": v, "value": k} for k, v in MAP_METRICS.items()],
                                        className="metric-switch",
                                        inline=True,
                                    ),
                                ],
                                className="map-head",
                            ),
                            *_graph("screen-map"),
                            html.Div(id="screen-map-legend"),
                        ],
                        className="screen-panel panel-map",
                    ),
                    _panel("月度趋势 · 本年与上年", _graph("screen-trend"), "trend"),
                    _panel("", html.Div(id="screen-side"), "side", "screen-side-title"),
                ],
                id="screen-grid",
                className=f"screen-grid board-{board or 'overview'}",
            ),
            html.Footer(id="screen-ticker", className="screen-ticker"),
            *(wall_slots(settings.get("PRESENT_POLL_MS")) if wall else ()),
            *((rotation_bar(seconds),) if seconds else ()),
        ],
        className="screen-root",
        **wildcard({"data-boards": ",".join(BOARDS)}),
    )


dash.register_page(
    __name__,
    path=PATH,
    name="大屏",
    title="财政运行监测大屏",
    order=5,
    layout=layout,
    stylesheets=("screen.css", "map-labels.css", "present.css"),
    plotly="maps",  # its map needs the Plotly bundle with choroplethmap (dashboard/web/pageload.py)
)
