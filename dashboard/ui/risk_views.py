"""Pure component builders for /risk and /warnings: data in, Dash components out (no queries, no callbacks)."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.drill import DrillState
from dashboard.core.links import href
from dashboard.risk.health import COMPONENTS, GRADE_SCORE
from dashboard.risk.rules import RULES
from dashboard.ui.props import wildcard
from dashboard.ui.views import Kpi, grade_badge, kpi_row

LIST_LIMIT = 100


def risk_kpis(own: pd.Series | None, counts: dict[str, int], tickets: dict) -> dbc.Row:
    """财政健康指数 of the region and its change, open warnings by grade, open and overdue tickets."""
    index = "—" if own is None or pd.isna(own["health_index"]) else f"{own['health_index']:.1f}"
    change = "" if own is None or pd.isna(own["change"]) else f"较上季度末 {own['change']:+.1f}"
    red, orange, yellow, blue = (counts.get(g, 0) for g in ("红", "橙", "黄", "蓝"))
    return kpi_row(
        [
            Kpi("kpi-health", "财政健康指数(0–100)", index, "", change),
            Kpi("kpi-red", "待处理红色预警", f"{red} 条", "", f"橙色 {orange} 条"),
            Kpi("kpi-yellow", "黄色 / 蓝色预警", f"{yellow} / {blue} 条", "", "提示与记录"),
            Kpi("kpi-tickets", "未销号工单", f"{tickets['open']} 件", "", f"其中逾期 {tickets['overdue']} 件"),
        ],
        xs=6,
    )


def evidence_block(evidence: dict) -> html.Div:
    """A warning's evidence: the figures it was computed from, or the records it flagged (masked)."""
    parts: list[Component] = []
    if evidence.get("facts"):
        parts.append(
            html.Dl(
                [item for label, value in evidence["facts"] for item in (html.Dt(label), html.Dd(value))],
                className="evidence-facts",
            )
        )
    if evidence.get("columns"):
        shown = len(evidence.get("rows", []))
        parts.append(
            html.Div(
                html.Table(
                    [
                        html.Thead(html.Tr([html.Th(c) for c in evidence["columns"]])),
                        html.Tbody([html.Tr([html.Td(v) for v in row]) for row in evidence["rows"]]),
                    ],
                    className="table table-sm evidence-table mb-1",
                ),
                className="table-responsive",
            )
        )
        if evidence.get("total", shown) > shown:
            parts.append(html.Div(f"共 {evidence['total']} 条,列出前 {shown} 条", className="text-muted small"))
    return html.Div(parts)


def evidence_panel(
    warnings: pd.DataFrame, name: str, topic: str, state: DrillState, code: str, drillable: bool
) -> dbc.Card:
    """The open warnings of one heatmap cell with their rule, value, threshold and evidence, and where to go next."""
    links = [
        dcc.Link("办理这些工单 →", href=href("/warnings", state, region=code) + f"&topic={topic}", className="me-3")
    ]
    if drillable:
        links.append(dcc.Link(f"查看{name}下级区划 →", href=href("/risk", state, region=code)))
    items: list[Component] = []
    for row in warnings.head(20).itertuples():
        items.append(
            html.Div(
                [
                    html.Div(
                        [
                            grade_badge(row.grade, row.grade_label),
                            html.Strong(f" {row.rule_name}", className="ms-1"),
                            html.Span(f" · {row.region_name} · {row.period_label}", className="text-muted"),
                        ]
                    ),
                    html.Div(f"结果:{row.value_text}"),
                    html.Div(f"阈值:{row.threshold}", className="text-muted small"),
                    html.Div(f"计算方法:{row.computes}", className="text-muted small"),
                    evidence_block(row.evidence),
                ],
                className="evidence-item",
            )
        )
    if not items:
        items = [html.P(f"{name}在「{topic}」专题没有待处理的预警。")]
    more = [html.P(f"共 {len(warnings)} 条,列出最严重的 20 条。", className="text-muted")] if len(warnings) > 20 else []
    return dbc.Card(
        dbc.CardBody(
            [html.H2(f"{name} · {topic} · 预警证据", className="h6"), *items, *more, html.Div(links, className="mt-2")]
        ),
        className="mt-3",
        id="risk-evidence-card",
    )


def health_table(health: pd.DataFrame, risk: pd.DataFrame, state: DrillState) -> html.Div:
    """Children ranked by 财政健康指数 with the change since last quarter and the worst open grade; names drill."""
    frame = health.merge(risk[["code", "grade"]], on="code", how="left").sort_values(
        "health_index", ascending=False, na_position="last"
    )
    body = []
    for rank, row in enumerate(frame.itertuples(), start=1):
        change = "—" if pd.isna(row.change) else f"{row.change:+.1f}"
        body.append(
            html.Tr(
                [
                    html.Td(rank),
                    html.Td(dcc.Link(row.name, href=href("/risk", state, region=row.code)), className="text-start"),
                    html.Td("—" if pd.isna(row.health_index) else f"{row.health_index:.1f}"),
                    html.Td(change),
                    html.Td(grade_badge(row.grade if isinstance(row.grade, str) else None)),
                ],
                **wildcard({"data-region": row.code}),
            )
        )
    return html.Div(
        html.Table(
            [
                html.Caption(
                    f"财政健康指数排名 · 截至{state.year}年{state.last_month}月末 · 较上季度末变化",
                    className="caption-top",
                ),
                html.Thead(
                    html.Tr(
                        [
                            html.Th("排名"),
                            html.Th("区划", className="text-start"),
                            html.Th("健康指数"),
                            html.Th("较上季度"),
                            html.Th("最高预警"),
                        ]
                    )
                ),
                html.Tbody(body),
            ],
            className="table table-sm money-table mb-0",
            id="risk-health-table",
        ),
        className="table-responsive",
    )


def weights_card() -> dbc.Card:
    """How the 财政健康指数 is computed: the components, their weights and the score of each grade."""
    scores = ",".join(f"{g or '正常'} {s} 分" for g, s in GRADE_SCORE.items())
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("财政健康指数的计算方法", className="h6"),
                html.P(
                    "每个区划按其全辖范围(本级加下级,先汇总再求比率)计算以下指标,按与预警规则相同的阈值定级,"
                    f"再按等级计分({scores}),以权重加权平均得到 0–100 分;缺少数据的指标不计入。"
                ),
                html.Table(
                    [
                        html.Thead(html.Tr([html.Th("指标", className="text-start"), html.Th("权重")])),
                        html.Tbody(
                            [
                                html.Tr([html.Td(c.name, className="text-start"), html.Td(f"{c.weight}%")])
                                for c in COMPONENTS
                            ]
                        ),
                    ],
                    className="table table-sm money-table mb-2",
                    id="risk-weights",
                ),
                html.P(
                    "较上季度:与上一季度末(例如 12 月对 9 月)同口径计算的指数之差。", className="text-muted small mb-0"
                ),
            ]
        ),
        className="mt-3",
    )


def rules_catalogue() -> html.Details:
    """Every warning rule: topic, name, what it computes and its grading (from the current settings)."""
    return html.Details(
        [
            html.Summary(f"预警规则一览({len(RULES)} 条,{len({r.topic for r in RULES})} 个专题)"),
            html.Div(
                html.Table(
                    [
                        html.Thead(
                            html.Tr(
                                [html.Th(h, className="text-start") for h in ("专题", "规则", "计算方法", "分级阈值")]
                            )
                        ),
                        html.Tbody(
                            [
                                html.Tr(
                                    [html.Td(r.topic), html.Td(r.name), html.Td(r.computes), html.Td(r.threshold())],
                                    className="text-start",
                                )
                                for r in RULES
                            ]
                        ),
                    ],
                    className="table table-sm rules-table",
                ),
                className="table-responsive",
            ),
            html.P("暂付款、结转结余类规则待财政数据仓接入暂付款余额与结转数据后启用。", className="text-muted small"),
        ],
        className="mt-3 rules-catalogue",
    )


def _when(value: dt.datetime | None) -> str:
    return "" if value is None or pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"


def region_links(tree, state: DrillState, path: str, query_suffix: str) -> html.Div:
    """Links narrowing a list to each child region of the current one (the filters kept)."""
    children = tree.children(state.region)
    if not children:
        return html.Div()
    return html.Div(
        [
            "按区划:",
            *(
                dcc.Link(
                    child.name, href=href(path, state, region=child.adcode) + query_suffix, className="region-link"
                )
                for child in children
            ),
        ],
        className="region-links small mb-2",
        id="warnings-regions",
    )


def ticket_table(tickets: pd.DataFrame, state: DrillState, query_suffix: str) -> html.Div:
    """The tickets (first LIST_LIMIT), each linking to its detail; overdue ones say so in words."""
    body = []
    for row in tickets.head(LIST_LIMIT).itertuples():
        deadline = f"{row.deadline:%Y-%m-%d}" + (" 逾期" if row.overdue else "")
        link = href("/warnings", state) + query_suffix + f"&ticket={row.id}"
        body.append(
            html.Tr(
                [
                    html.Td(dcc.Link(f"#{row.id}", href=link)),
                    html.Td(row.state, className="ticket-state-cell text-start"),
                    html.Td(grade_badge(row.grade)),
                    html.Td(row.region_name, className="text-start"),
                    html.Td(row.rule_name, className="text-start ticket-rule-cell"),
                    html.Td(deadline, className="ticket-deadline-cell" + (" overdue" if row.overdue else "")),
                    html.Td(_when(row.updated_at), className="ticket-updated-cell"),
                ],
                className="ticket-row",
                **wildcard({"data-ticket": str(row.id)}),
            )
        )
    caption = f"共 {len(tickets)} 件" + (f",显示最近更新的 {LIST_LIMIT} 件" if len(tickets) > LIST_LIMIT else "")
    return html.Div(
        html.Table(
            [
                html.Caption(caption, className="caption-top"),
                html.Thead(
                    html.Tr(  # 状态 second: on a phone it is what a reader looks for, never cut off
                        [
                            html.Th(h, className=c)
                            for h, c in (
                                ("工单", ""),
                                ("状态", "ticket-state-cell"),
                                ("等级", ""),
                                ("区划", ""),
                                ("预警规则", "ticket-rule-cell"),
                                ("办理期限", ""),
                                ("最近更新", "ticket-updated-cell"),
                            )
                        ]
                    )
                ),
                html.Tbody(body),
            ],
            className="table table-sm table-hover money-table mb-0",
            id="ticket-table",
        ),
        className="table-responsive",
    )


def ticket_detail(ticket: dict, history: pd.DataFrame) -> html.Div:
    """One ticket: its warning, the evidence and the full history of who did what, when, and what they said."""
    events = []
    for row in history.itertuples():
        change = f"{row.from_state} → {row.to_state}" if isinstance(row.from_state, str) else row.to_state
        attachment = (
            html.A(  # /warnings/attachments/<id>: checks the scope again and audits the download
                f"附件:{row.attachment}({row.attachment_size / 1024:.1f} KB)",
                href=f"/warnings/attachments/{int(row.attachment_id)}",
                className="ticket-attachment",
                download=row.attachment,
            )
            if isinstance(row.attachment, str)
            else ""
        )
        events.append(
            html.Li(
                [
                    html.Div(
                        [
                            html.Strong(row.action),
                            html.Span(f" {change}", className="text-muted"),
                            html.Span(f" · {row.actor}({row.role}) · {_when(row.at)}", className="text-muted"),
                        ]
                    ),
                    html.Div(row.comment) if row.comment else None,
                    html.Div(f"整改措施:{row.rectification}") if row.rectification else None,
                    html.Div(attachment, className="small") if attachment else None,
                ],
                className="history-item",
            )
        )
    deadline = f"{ticket['deadline']:%Y-%m-%d}" + ("(已逾期)" if ticket["overdue"] else "")
    return html.Div(
        [
            html.H2(
                [
                    f"工单 #{ticket['id']} · ",
                    grade_badge(ticket["grade"], ticket["grade_label"]),
                    f" {ticket['rule_name']}",
                ],
                className="h6",
            ),
            html.Dl(
                [
                    html.Dt("区划"),
                    html.Dd(ticket["region_name"]),
                    html.Dt("期间"),
                    html.Dd(ticket["period_label"]),
                    html.Dt("状态"),
                    html.Dd(ticket["state"], id="ticket-state"),
                    html.Dt("办理期限"),
                    html.Dd(deadline),
                    html.Dt("预警结果"),
                    html.Dd(ticket["value_text"]),
                    html.Dt("阈值"),
                    html.Dd(ticket["threshold"]),
                    html.Dt("计算方法"),
                    html.Dd(ticket["computes"]),
                ],
                className="evidence-facts",
            ),
            evidence_block(ticket["evidence"]),
            html.H3("办理记录", className="h6 mt-3"),
            html.Ol(events, className="ticket-history", id="ticket-history"),
        ]
    )
