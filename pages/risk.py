"""风险监测 (`/risk`): heatmap of the region's children × warning topics, the fiscal health index and its ranking,
the distribution of regions by grade; drilled through the URL like every page."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.ui import chart_data
from dashboard.ui.graph import graph
from dashboard.ui.risk_views import rules_catalogue, weights_card


def _card(title_id: str, body) -> dbc.Card:
    parts = body if isinstance(body, list) else [body]
    return dbc.Card(dbc.CardBody([html.H2(id=title_id, className="h6"), *parts]), className="h-100")


def layout(
    region: str | None = None, year: str | None = None, period: str | None = None, rank: str | None = None, **_other
) -> html.Div:
    """The page skeleton; `callbacks.risk` fills it from the query held in `risk-query`."""
    still = {"responsive": True}
    return html.Div(
        [
            dcc.Store(id="risk-query", data={"region": region, "year": year, "period": period, "rank": rank}),
            dcc.Location(id="risk-nav", refresh="callback-nav"),
            html.Div(id="risk-notices"),
            html.Div(
                [
                    html.Div(
                        [html.H1(id="risk-title", className="page-title"), html.Div(id="risk-breadcrumb")],
                        className="me-auto",
                    ),
                    html.Div(id="risk-freshness", className="freshness text-muted"),
                ],
                className="d-flex flex-wrap align-items-end gap-2 mb-3",
            ),
            dcc.Loading(html.Div(id="risk-kpis"), type="dot", delay_show=300),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2(id="risk-heatmap-title", className="h6"),
                        html.P(
                            "格内文字为最高预警等级与待处理预警条数(蓝 记录、黄 提示、橙 需说明、红 需整改);"
                            "点击有预警的格子查看证据,点击“正常”的格子进入该区划。",
                            className="text-muted small mb-1",
                        ),
                        html.Div(
                            graph("risk-heatmap", mode_bar=False, config=still, className="risk-heatmap"),
                            className="risk-heatmap-scroll",
                        ),
                        chart_data.slot("risk-heatmap"),
                        html.Div(id="risk-evidence"),
                    ]
                ),
                className="mt-1",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _card(
                            "risk-health-title",
                            [graph("risk-health", mode_bar=False, config=still), chart_data.slot("risk-health")],
                        ),
                        lg=7,
                        className="mt-3",
                    ),
                    dbc.Col(
                        _card(
                            "risk-distribution-title",
                            [
                                graph("risk-distribution", mode_bar=False, config=still, style={"height": "240px"}),
                                chart_data.slot("risk-distribution"),
                            ],
                        ),
                        lg=5,
                        className="mt-3",
                    ),
                ]
            ),
            html.Div(id="risk-health-table", className="mt-3"),
            weights_card(),
            rules_catalogue(),
        ],
        className="risk-page",
    )


dash.register_page(
    __name__,
    path="/risk",
    name="风险监测",
    title="风险监测 · 财政健康指数",
    order=50,
    layout=layout,
    stylesheets=("risk.css",),
)
