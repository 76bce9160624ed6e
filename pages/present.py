"""大屏演示 (`/present`, 三端联动): a 领导 or 分析 on a tablet pairs with walls (`/screen?wall=<id>` shows the code)
and drives them: every drill, board, metric or period change here moves the paired walls. The URL is the state
(`?region=430100&year=2024&period=1-9&metric=risk&board=revenue`, and `?pair=<code>` from a wall's QR code);
`callbacks.present` fills it and writes the shared state (`dashboard.state.present`)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.core.drill import TEXT_MAX
from dashboard.ui.figures.cockpit import MAP_METRICS
from dashboard.ui.present_views import BOARD_NAMES

PATH = "/present"


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "")[:TEXT_MAX]


def layout(
    region: str | None = None,
    year: str | None = None,
    period: str | None = None,
    metric: str | None = None,
    board: str | None = None,
    pair: str | None = None,
    **_other,
) -> html.Div:
    query = {"region": region, "year": year, "period": period, "metric": metric, "board": board}
    search = urlencode({k: _first(v) for k, v in query.items() if v})
    code = _first(pair)
    return html.Div(
        [
            dcc.Location(id="present-url", refresh=False, pathname=PATH, search=f"?{search}" if search else ""),
            dcc.Interval(id="present-heartbeat", interval=5000),
            html.H1("大屏演示 · 三端联动", className="page-title"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.H2("配对大屏", className="h5 mb-0 me-3"),
                                html.Label("配对码", htmlFor="present-code", className="me-2"),
                                dcc.Input(
                                    id="present-code",
                                    value=code if code.isdigit() and len(code) == 6 else "",
                                    inputMode="numeric",
                                    maxLength=6,
                                    placeholder="大屏上的 6 位数字",
                                    className="form-control present-code-input present-touch",
                                    autoComplete="off",
                                ),
                                html.Button("配对", id="present-pair", className="btn btn-primary present-touch ms-2"),
                            ],
                            className="d-flex align-items-center flex-wrap gap-1",
                        ),
                        html.Div(id="present-pair-status", role="status", className="mt-2"),
                        html.Div(id="present-walls", className="mt-1"),
                    ],
                    className="py-2",
                ),
                className="mb-2",
            ),
            html.Div(id="present-notices"),
            html.Div(
                [html.H2(id="present-title", className="h4 mb-1"), html.Div(id="present-breadcrumb")],
                className="mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Label("年度", htmlFor="present-year", className="form-label"),
                            dcc.Dropdown(id="present-year", clearable=False, searchable=False),
                        ],
                        xs=6,
                        md=3,
                    ),
                    dbc.Col(
                        [
                            html.Label("期间", htmlFor="present-period", className="form-label"),
                            dcc.Dropdown(id="present-period", clearable=False, searchable=False),
                        ],
                        xs=6,
                        md=3,
                    ),
                    _choice("看板", "present-board", BOARD_NAMES, board, "overview"),
                    _choice("地图指标", "present-metric", MAP_METRICS, metric, "execution"),
                ],
                className="g-2 mb-3 present-controls",
            ),
            html.H2("下级区划 · 点击下钻(大屏同步)", className="h5"),
            html.Div(id="present-children", className="mb-3"),
            html.H2("本级概览(与大屏同一口径)", className="h5"),
            html.Div(id="present-kpis"),
        ],
        className="present-page",
    )


dash.register_page(
    __name__,
    path=PATH,
    name="大屏演示",
    title="大屏演示 · 三端联动",
    order=6,
    layout=layout,
    permission="present",
    stylesheets=("present.css",),
)


def _choice(label: str, component_id: str, choices: dict[str, str], value: str | None, default: str) -> dbc.Col:
    """A labelled row of touch-sized radio buttons (the board, the map's metric)."""
    return dbc.Col(
        [
            html.Div(label, className="form-label", id=f"{component_id}-label"),
            dcc.RadioItems(
                id=component_id,
                options=[{"label": v, "value": k} for k, v in choices.items()],
                value=value if value in choices else default,
                inline=True,
                className="present-radio",
                inputClassName="present-radio-input",
            ),
        ],
        xs=12,
        md=3,
    )
