"""用户管理 (`/admin/users`): users, roles, regions, the unmask permission, enabling and disabling, lifting a sign-in
lock; 管理员 only."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.core.roles import ROLES
from pages._admin import admin_only


def _field(label: str, control, width: int = 3) -> dbc.Col:
    """A labelled control: the label names its control (`html_for`), so a screen reader says what the field is."""
    target = getattr(control, "id", None)
    tied = {"html_for": target} if isinstance(target, str) else {}
    return dbc.Col([dbc.Label(label, className="small mb-1", **tied), control], md=width, className="mb-2")


def _user_form(prefix: str, title: str, with_identity: bool) -> dbc.Card:
    identity = (
        [
            _field("用户名", dbc.Input(id=f"{prefix}-username", maxlength=64, placeholder="字母、数字、下划线"), 2),
            _field("姓名", dbc.Input(id=f"{prefix}-name", maxlength=64), 2),
            _field(
                "初始密码",
                dbc.Input(id=f"{prefix}-password", type="password", maxlength=200, autoComplete="new-password"),
                2,
            ),
        ]
        if with_identity
        else [
            _field("用户", dcc.Dropdown(id=f"{prefix}-username", placeholder="选择用户", clearable=False)),
        ]
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(title, className="h6 mb-3"),
                dbc.Row(
                    [
                        *identity,
                        _field("角色", dcc.Dropdown(id=f"{prefix}-role", options=list(ROLES), clearable=False), 2),
                        _field(
                            "区划",
                            dcc.Dropdown(id=f"{prefix}-region", placeholder="选择区划"),
                            2 if with_identity else 3,
                        ),
                        _field(
                            "个人信息",
                            dbc.Checklist(
                                id=f"{prefix}-unmask",
                                options=[{"label": "可查看明文", "value": "yes"}],
                                value=[],
                                switch=True,
                            ),
                            2,
                        ),
                        *(
                            []
                            if with_identity
                            else [
                                _field(
                                    "状态",
                                    dbc.Checklist(
                                        id=f"{prefix}-enabled",
                                        options=[{"label": "启用", "value": "yes"}],
                                        value=["yes"],
                                        switch=True,
                                    ),
                                    2,
                                ),
                                _field(
                                    "重设密码(可选)",
                                    dbc.Input(
                                        id=f"{prefix}-password",
                                        type="password",
                                        maxlength=200,
                                        autoComplete="new-password",
                                    ),
                                ),
                            ]
                        ),
                    ],
                    className="align-items-end",
                ),
                dbc.Button(
                    "新建用户" if with_identity else "保存修改", id=f"{prefix}-submit", color="primary", size="sm"
                ),
                *(
                    []
                    if with_identity
                    else [
                        dbc.Button(
                            "解除锁定",
                            id=f"{prefix}-unlock",
                            color="secondary",
                            outline=True,
                            size="sm",
                            className="ms-2",
                            disabled=True,
                        )
                    ]
                ),
            ]
        ),
        className="mb-3",
    )


@admin_only
def layout(**_query) -> html.Div:
    return html.Div(
        [
            html.H1("用户管理", className="page-title"),
            html.P(
                "角色决定可用功能,区划决定可见数据范围;查看个人信息明文是单独授权,每次查看须填写事由并留痕。"
                "修改在该用户的下一次请求时生效。",
                className="text-muted small",
            ),
            html.Div(id="admin-users-message"),
            _user_form("admin-new", "新建用户", with_identity=True),
            _user_form("admin-edit", "修改用户", with_identity=False),
            dcc.Store(id="admin-users-version", data=0),
            html.Div(id="admin-users-table"),
            html.Div(id="admin-roles-table", className="mt-3"),
        ],
        className="admin-page",
    )


dash.register_page(
    __name__,
    path="/admin/users",
    name="用户管理",
    title="用户管理",
    order=90,
    layout=layout,
    permission="admin",
    stylesheets=("admin.css",),
)
