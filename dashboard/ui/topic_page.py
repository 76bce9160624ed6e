"""The skeleton every topic page shares (layout only, no data): title with region and period, breadcrumb,
"数据截至", notices, the filter bar, KPI row, chart grid, child-region ranking and the drill-through table.

Component ids are `<key>-<part>` (`ids(key)`), so one set of kit callbacks (`callbacks._topic`) serves every page.
Charts that cross-filter carry the URL filter they set in their id:
`{"type": "topic-chart", "page": key, "slot": slot, "filter": name}`; clicking a bar or slice navigates to the
same page with that filter set (clicking it again clears it), so the state stays in the URL and Back works.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.ui import chart_data
from dashboard.ui.graph import graph

PERIODS = (
    ("1-3", "一季度累计"),
    ("1-6", "上半年累计"),
    ("1-9", "前三季度累计"),
    ("1-12", "全年累计"),
    *((str(m), f"{m}月") for m in range(1, 13)),
)


@dataclass(frozen=True)
class ChartSlot:
    """A chart cell of the grid: `slot` names it, `filter` is the URL filter a click on it sets (None: not
    clickable); `width` is its share of a desktop row in twelfths (tablet and phone stack the charts)."""

    slot: str
    filter: str | None = None
    width: int = 6


def ids(key: str) -> dict[str, str]:
    """The component ids of topic page `key`."""
    parts = (
        "query",
        "nav",
        "notices",
        "title",
        "breadcrumb",
        "freshness",
        "filterbar",
        "year",
        "period",
        "kpis",
        "ranking",
        "table",
        "table-state",
        "table-page",
        "trace",
        "reveal",
    )
    return {part: f"{key}-{part}" for part in parts}


def chart_id(key: str, slot: ChartSlot) -> dict[str, str]:
    return {"type": "topic-chart", "page": key, "slot": slot.slot, "filter": slot.filter or ""}


def filter_control_id(key: str, name: str) -> dict[str, str]:
    return {"type": "topic-filter", "page": key, "filter": name}


def _filter_bar(key: str, query: dict, filters: Sequence[tuple[str, str]]) -> html.Div:
    """Year and period selects, one select per topic filter (options come from the page's callback)."""
    i = ids(key)
    period = query.get("period")
    controls = [
        html.Div(
            [
                html.Label("年度", htmlFor=i["year"], className="form-label"),
                dcc.Dropdown(  # the URL's year is an option from the start: Dash 4's dropdown clears a value its
                    id=i["year"],  # options lack when it mounts, and showed 年度 empty (the callback fills the rest)
                    options=[{"label": f"{year}年", "value": year} for year in [query.get("year")] if year],
                    value=query.get("year"),
                    clearable=False,
                    searchable=False,
                ),
            ],
            className="filter-cell",
        ),
        html.Div(
            [
                html.Label("期间", htmlFor=i["period"], className="form-label"),
                dcc.Dropdown(
                    id=i["period"],
                    options=[{"label": label, "value": value} for value, label in PERIODS],
                    value=period,
                    clearable=False,
                    searchable=False,
                ),
            ],
            className="filter-cell",
        ),
    ]
    for name, label in filters:
        control_id = filter_control_id(key, name)
        controls.append(
            html.Div(
                [
                    html.Label(label, className="form-label"),
                    dcc.Dropdown(id=control_id, value=query.get(name), placeholder="全部", searchable=True),
                ],
                className="filter-cell",
            )
        )
    return html.Div(controls, className="filter-bar", id=i["filterbar"], role="search")


def topic_layout(
    key: str,
    query: dict,
    filters: Sequence[tuple[str, str]],
    charts: Sequence[ChartSlot],
    ranking_title: str = "下级区划排名",
) -> html.Div:
    """The whole page skeleton for topic `key`; its callbacks fill every part from the URL query in
    `<key>-query`. `filters` are the topic's own URL filters as (name, label)."""
    i = ids(key)
    query = {k: v for k, v in query.items() if isinstance(v, str)}
    grid = dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    [
                        dcc.Loading(
                            graph(chart_id(key, slot), config={"responsive": True}, className="topic-graph"),
                            type="dot",
                            delay_show=300,
                        ),
                        chart_data.slot(chart_id(key, slot)),
                    ],
                    className="chart-card h-100",
                ),
                xs=12,
                lg=slot.width,
                className="mb-3",
            )
            for slot in charts
        ],
        className="g-3 chart-grid",
    )
    return html.Div(
        [
            dcc.Store(id=i["query"], data=query),
            dcc.Location(id=i["nav"], refresh="callback-nav"),
            dcc.Store(id=i["table-state"], data={}),
            dcc.Store(id=i["table-page"], data={}),
            dcc.Store(id=i["reveal"], data={}),  # the stated reason to show personal data: memory only, never the URL
            html.Div(id=i["notices"]),
            html.Div(
                [
                    html.Div(
                        [html.H1(id=i["title"], className="page-title"), html.Div(id=i["breadcrumb"])],
                        className="me-auto",
                    ),
                    html.Div(id=i["freshness"], className="freshness text-muted"),
                ],
                className="d-flex flex-wrap align-items-end gap-2 mb-2",
            ),
            _filter_bar(key, query, filters),
            dcc.Loading(html.Div(id=i["kpis"]), type="dot", delay_show=300),
            grid,
            dbc.Card(
                dbc.CardBody([html.H2(ranking_title, className="section-title"), html.Div(id=i["ranking"])]),
                className="mb-3 section-card",
            ),
            html.Div(id=i["trace"]),
            dbc.Card(
                dbc.CardBody(dcc.Loading(html.Div(id=i["table"]), type="dot", delay_show=300)),
                className="mb-3 section-card",
            ),
        ],
        className=f"topic-page topic-{key}",
    )
