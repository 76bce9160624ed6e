"""财政运行总览 (`/`): KPIs of a region and the table of its child regions, drilled through the URL."""

from __future__ import annotations

import dash
from dash import dcc, html

def layout(region: str | None = None, year: str | None = None, period: str | None = None, **_other) -> html.Div:
    """The page skeleton; `callbacks.overview` fills it from the query held in `overview-query`."""
    return html.Div([
        dcc.Store(id="overview-query", data={"region": region, "year": year, "period": period}),
        html.Div(id="overview-notices"),
        html.Div([
            html.Div([html.H1(id="overview-title", className="page-title"),
                      html.Div(id="overview-breadcrumb")], className="me-auto"),
            html.Div(id="overview-freshness", className="freshness text-muted"),
        ], className="d-flex flex-wrap align-items-end gap-2 mb-3"),
        dcc.Loading(html.Div(id="overview-kpis"), type="dot", delay_show=300),
        html.Div(id="overview-table", className="mt-2"),
    ], className="overview-page")


dash.register_page(__name__, path="/", name="总览", title="财政运行总览", order=0, layout=layout)
