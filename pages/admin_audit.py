"""审计日志 (`/admin/audit`): search the audit trail by user, region, event, outcome and date; 管理员 only."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.ui.admin_views import ACTION_NAMES, OUTCOME_NAMES
from pages._admin import admin_only


@admin_only
def layout(**_query) -> html.Div:
    return html.Div(
        [
            html.H1("审计日志", className="page-title"),
            html.P(
                "登录、查看、钻取、导出、明文查看、工单流转、权限变更与拒绝访问均记录在案,只增不改,保留不少于 180 天。"
                "命令行导出:python -m dashboard audit export",
                className="text-muted small",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("用户名", html_for="audit-user", className="small mb-1"),
                            dbc.Input(id="audit-user", maxlength=64),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("区划代码", html_for="audit-region", className="small mb-1"),
                            dbc.Input(id="audit-region", maxlength=6, placeholder="如 430100"),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("事件", html_for="audit-action", className="small mb-1"),
                            dcc.Dropdown(
                                id="audit-action", options=[{"label": v, "value": k} for k, v in ACTION_NAMES.items()]
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("结果", html_for="audit-outcome", className="small mb-1"),
                            dcc.Dropdown(
                                id="audit-outcome", options=[{"label": v, "value": k} for k, v in OUTCOME_NAMES.items()]
                            ),
                        ],
                        md=1,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("日期", className="small mb-1"),
                            dcc.DatePickerRange(
                                id="audit-dates",
                                display_format="YYYY-MM-DD",
                                clearable=True,
                                start_date_placeholder_text="开始日期",
                                end_date_placeholder_text="结束日期",
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        dbc.Button("查询", id="audit-search", color="primary", size="sm"),
                        md=1,
                        className="d-flex align-items-end",
                    ),
                ],
                className="mb-3 align-items-end",
            ),
            html.Div(id="audit-results"),
        ],
        className="admin-page",
    )


dash.register_page(
    __name__,
    path="/admin/audit",
    name="审计日志",
    title="审计日志",
    order=91,
    layout=layout,
    permission="admin",
    stylesheets=("admin.css",),
)
