"""财政运行总览 (`/`): the analyst's overview — KPIs, the map of child regions, revenue mix, spending by function,
the monthly trend and the table of 本级 and children, with year and period filters; all drilled through the URL.
Light theme; reflows to one column on tablets and phones (assets/overview.css)."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.ui import chart_data
from dashboard.ui.figures.cockpit import MAP_METRICS
from dashboard.ui.graph import graph

_STILL = {"scrollZoom": False, "doubleClick": False}
PERIODS = [{"label": f"1-{m}月累计", "value": f"1-{m}"} for m in range(1, 13)] + [
    {"label": f"{m}月当月", "value": str(m)} for m in range(1, 13)
]


def _card(title_id: str, body, class_name: str = "") -> html.Section:
    parts = body if isinstance(body, list) else [body]
    return html.Section(
        [html.H2(id=title_id, className="card-heading"), *parts], className=f"overview-card {class_name}"
    )


def layout(region: str | None = None, year: str | None = None, period: str | None = None, **_other) -> html.Div:
    """The page skeleton; `callbacks.overview` fills it from the query held in `overview-query`."""
    return html.Div(
        [
            dcc.Store(id="overview-query", data={"region": region, "year": year, "period": period}),
            dcc.Store(id="overview-viewport"),
            dcc.Location(id="overview-nav", refresh="callback-nav"),
            html.Div(id="overview-notices"),
            html.Div(
                [
                    html.Div(
                        [html.H1(id="overview-title", className="page-title"), html.Div(id="overview-breadcrumb")],
                        className="me-auto",
                    ),
                    html.Div(
                        [
                            html.Label(
                                ["年度", dcc.Dropdown(id="overview-year", clearable=False, searchable=False)],
                                className="filter",
                            ),
                            html.Label(
                                [
                                    "期间",
                                    dcc.Dropdown(
                                        id="overview-period", options=PERIODS, clearable=False, searchable=False
                                    ),
                                ],
                                className="filter filter-period",
                            ),
                        ],
                        className="overview-filters",
                    ),
                    html.Div(id="overview-freshness", className="freshness text-muted"),
                ],
                className="overview-head d-flex flex-wrap align-items-end gap-2 mb-3",
            ),
            # the KPIs come with the layout (callbacks.overview.first_paint): a reload dims them, never hides them
            dcc.Loading(
                html.Div(id="overview-kpis"),
                type="dot",
                delay_show=300,
                overlay_style={"visibility": "visible", "opacity": 0.6},
            ),
            html.Div(id="overview-more-kpis"),
            html.Div(
                [
                    _card(
                        "overview-map-title",
                        html.Div(
                            [
                                dcc.RadioItems(
                                    id="overview-metric",
                                    value="execution",
                                    inline=True,
                                    className="metric-switch",
                                    options=[{"label": v, "value": k} for k, v in MAP_METRICS.items()],
                                ),
                                graph(
                                    "overview-map", mode_bar=False, config=_STILL, className="overview-graph map-graph"
                                ),
                                html.Div(id="overview-map-legend"),
                                chart_data.slot("overview-map"),
                            ]
                        ),
                        "card-map",
                    ),
                    _card(
                        "overview-mix-title",
                        [
                            graph("overview-revenue-mix", mode_bar=False, config=_STILL, className="overview-graph"),
                            chart_data.slot("overview-revenue-mix"),
                        ],
                        "card-mix",
                    ),
                    _card(
                        "overview-functions-title",
                        [
                            graph("overview-functions", mode_bar=False, config=_STILL, className="overview-graph tall"),
                            chart_data.slot("overview-functions"),
                        ],
                        "card-functions",
                    ),
                    _card(
                        "overview-trend-title",
                        [
                            graph("overview-trend", mode_bar=False, config=_STILL, className="overview-graph"),
                            chart_data.slot("overview-trend"),
                        ],
                        "card-trend",
                    ),
                    html.Div(id="overview-leaf", className="card-leaf"),
                ],
                className="overview-grid",
            ),
            html.Div(id="overview-table", className="mt-3"),
        ],
        className="overview-page",
    )


dash.register_page(
    __name__,
    path="/",
    name="总览",
    title="财政运行总览",
    order=0,
    layout=layout,
    stylesheets=("overview.css", "map-labels.css"),
    plotly="maps",  # its map needs the Plotly bundle with choroplethmap (dashboard/web/pageload.py)
)
