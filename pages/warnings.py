"""预警工单 (`/warnings`): list, filter and work the tickets (预警 → 通知 → 反馈 → 销号); each shows its history."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.risk.rules import TOPICS
from dashboard.risk.tickets import ALLOWED_TEXT, TICKET_STATES


def _choice(value: str | None, allowed) -> str | None:
    return value if value in allowed else None


def layout(
    region: str | None = None,
    year: str | None = None,
    period: str | None = None,
    grade: str | None = None,
    topic: str | None = None,
    state: str | None = None,
    overdue: str | None = None,
    ticket: str | None = None,
    **_other,
) -> html.Div:
    """The page skeleton; filters start from the URL, `callbacks.warnings` fills the list and the ticket."""
    return html.Div(
        [
            dcc.Store(id="warnings-query", data={"region": region, "year": year, "period": period, "ticket": ticket}),
            dcc.Store(id="ticket-changed", data=0),
            dcc.Location(id="warnings-nav", refresh="callback-nav"),  # filter changes are written to the URL
            html.Div(id="warnings-notices"),
            html.Div(
                [
                    html.Div(
                        [html.H1(id="warnings-title", className="page-title"), html.Div(id="warnings-breadcrumb")],
                        className="me-auto",
                    ),
                    html.Div(id="warnings-summary", className="freshness text-muted"),
                ],
                className="d-flex flex-wrap align-items-end gap-2 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Label("预警等级", htmlFor="warnings-grade", className="visually-hidden"),
                            dcc.Dropdown(
                                id="warnings-grade",
                                options=["红", "橙", "黄", "蓝"],
                                value=_choice(grade, ("红", "橙", "黄", "蓝")),
                                placeholder="全部等级",
                            ),
                        ],
                        xs=6,
                        md=3,
                    ),
                    dbc.Col(
                        [
                            html.Label("专题", htmlFor="warnings-topic", className="visually-hidden"),
                            dcc.Dropdown(
                                id="warnings-topic",
                                options=list(TOPICS),
                                value=_choice(topic, TOPICS),
                                placeholder="全部专题",
                            ),
                        ],
                        xs=6,
                        md=3,
                    ),
                    dbc.Col(
                        [
                            html.Label("处置状态", htmlFor="warnings-state", className="visually-hidden"),
                            dcc.Dropdown(
                                id="warnings-state",
                                options=list(TICKET_STATES),
                                value=_choice(state, TICKET_STATES),
                                placeholder="全部状态",
                            ),
                        ],
                        xs=6,
                        md=3,
                    ),
                    dbc.Col(
                        dbc.Checklist(
                            id="warnings-overdue",
                            options=[{"label": "只看逾期", "value": "1"}],
                            value=["1"] if overdue == "1" else [],
                            switch=True,
                            className="pt-2",
                        ),
                        xs=6,
                        md=3,
                    ),
                ],
                className="g-2 mb-3 warnings-filters",
            ),
            dbc.Row(
                [
                    dbc.Col(dcc.Loading(html.Div(id="warnings-list"), type="dot", delay_show=300), lg=6),
                    dbc.Col(
                        dbc.Card(
                            dbc.CardBody(
                                [
                                    html.Div(
                                        id="ticket-detail",
                                        children=html.P("点击工单号查看预警证据与办理记录。", className="text-muted"),
                                    ),
                                    html.Div(
                                        [
                                            html.H3("办理", className="h6 mt-3"),
                                            dbc.Textarea(
                                                id="ticket-comment",
                                                placeholder="情况说明 / 审核意见(反馈、退回必填)",
                                                className="mb-2",
                                                maxLength=2000,
                                            ),
                                            dbc.Textarea(
                                                id="ticket-rectification",
                                                placeholder="整改措施(反馈时填写)",
                                                className="mb-2",
                                                maxLength=2000,
                                            ),
                                            dcc.Upload(
                                                id="ticket-upload",
                                                children=html.Div(["上传附件(", ALLOWED_TEXT, ")"]),
                                                className="ticket-upload mb-1",
                                                multiple=False,
                                            ),
                                            html.Div(id="ticket-upload-name", className="small text-muted mb-2"),
                                            html.Div(
                                                [
                                                    dbc.Button(
                                                        "提交反馈",
                                                        id="ticket-respond",
                                                        color="primary",
                                                        className="me-2 mb-2",
                                                    ),
                                                    dbc.Button(
                                                        "销号",
                                                        id="ticket-accept",
                                                        color="success",
                                                        className="me-2 mb-2",
                                                    ),
                                                    dbc.Button(
                                                        "退回", id="ticket-return", color="warning", className="mb-2"
                                                    ),
                                                ]
                                            ),
                                        ],
                                        id="ticket-actions",
                                        hidden=True,
                                    ),
                                    # outside the actions: after 销号 or a 反馈 by 经办 the buttons go, the result stays
                                    html.Div(id="ticket-feedback", role="status", className="mt-2"),
                                ]
                            )
                        ),
                        lg=6,
                        className="mt-3 mt-lg-0",
                    ),
                ]
            ),
        ],
        className="warnings-page",
    )


dash.register_page(
    __name__,
    path="/warnings",
    name="预警工单",
    title="预警工单 · 线上反馈与销号",
    order=51,
    layout=layout,
    stylesheets=("risk.css", "tickets.css"),
)
