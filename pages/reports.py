"""报告 (`/reports`): generate the monthly monitoring report (财政运行监测月报) of a region in the user's scope,
list and download the stored ones; put views into meeting packs (会议材料包), freeze and share them. A pack opens
at `/reports?pack=<id>` (its permalink). For roles with `reports`."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.core.drill import TEXT_MAX, ascii_int
from dashboard.core.roles import may
from dashboard.web.context import current_user


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "")[:TEXT_MAX]


def _pack_layout(pack_id: int) -> html.Div:
    return html.Div(
        [
            dcc.Store(id="pack-id", data=pack_id),
            dcc.Store(id="pack-version", data=0),
            html.Div(id="pack-head"),
            dbc.Row(
                [
                    dbc.Col(dbc.Button("冻结", id="pack-freeze", color="primary", size="sm"), width="auto"),
                    dbc.Col(
                        dbc.Input(
                            id="pack-share-users", placeholder="共享给(用户名,逗号分隔)", size="sm", maxlength=500
                        ),
                        md=4,
                    ),
                    dbc.Col(dbc.Button("共享", id="pack-share", color="secondary", size="sm"), width="auto"),
                ],
                className="g-2 mb-2",
                id="pack-actions",
            ),
            html.Div(id="pack-message"),
            dcc.Loading(html.Div(id="pack-views")),
        ]
    )


def layout(**query) -> html.Div | dbc.Alert:
    if not may(current_user(), "reports"):
        return dbc.Alert("无权访问此页面。", color="danger", id="reports-refused")
    pack = ascii_int(_first(query.get("pack")), 9)
    if pack is not None:
        return _pack_layout(pack)
    return html.Div(
        [
            html.H1("报告", className="page-title"),
            dcc.Store(id="reports-version", data={"n": 0}),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("财政运行监测月报", className="h5"),
                        html.P(
                            "按区划和月份生成(1月至该月累计),数字与驾驶舱页面同一口径;同一数据版本只生成一次,"
                            "再次生成返回已存档的报告。",
                            className="text-muted small",
                        ),
                        dbc.Row(
                            [
                                dbc.Col(
                                    dcc.Dropdown(id="reports-region", placeholder="选择区划", clearable=False), md=4
                                ),
                                dbc.Col(
                                    dcc.Dropdown(id="reports-month", placeholder="选择月份", clearable=False), md=3
                                ),
                                dbc.Col(dbc.Button("生成月报", id="reports-generate", color="primary"), width="auto"),
                            ],
                            className="g-2 mb-2",
                        ),
                        dcc.Loading(html.Div(id="reports-result")),
                    ]
                ),
                className="mb-3",
            ),
            dbc.Card(
                dbc.CardBody([html.H2("已生成的月报", className="h5"), html.Div(id="reports-list")]),
                className="mb-3",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("会议材料包", className="h5"),
                        html.P(
                            "在任一页面点“加入会议材料”把当前视图加入材料包;“冻结”后材料包保存当时的数字,"
                            "以后载入新数据也不变。",
                            className="text-muted small",
                        ),
                        dbc.Row(
                            [
                                dbc.Col(
                                    dbc.Input(
                                        id="reports-add-url",
                                        value=_first(query.get("add")),
                                        maxlength=500,
                                        placeholder="视图链接,如 /revenue?region=430100&period=1-6",
                                    ),
                                    md=5,
                                ),
                                dbc.Col(dcc.Dropdown(id="reports-add-pack", placeholder="加入哪个材料包"), md=3),
                                dbc.Col(dbc.Input(id="reports-add-note", placeholder="备注", maxlength=1000), md=3),
                                dbc.Col(dbc.Button("加入", id="reports-add", color="primary"), width="auto"),
                            ],
                            className="g-2 mb-2",
                        ),
                        dbc.Row(
                            [
                                dbc.Col(
                                    dbc.Input(id="reports-pack-title", placeholder="新材料包标题", maxlength=200), md=5
                                ),
                                dbc.Col(
                                    dbc.Button("新建材料包", id="reports-pack-create", color="secondary"), width="auto"
                                ),
                            ],
                            className="g-2 mb-2",
                        ),
                        html.Div(id="reports-pack-message"),
                        html.Div(id="reports-packs"),
                    ]
                )
            ),
        ]
    )


dash.register_page(
    __name__, path="/reports", name="报告", title="财政运行监测月报", order=85, layout=layout, permission="reports"
)
