"""村务公开二维码 (`/qrcodes`): the villages of a county in the user's region, the public page each QR code points
at, and the printable A4 sheet (`/qrcodes/<county>.pdf`); for roles with `public_qr`."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.core.roles import may
from dashboard.web.context import current_user


def layout(**_query) -> html.Div | dbc.Alert:
    if not may(current_user(), "public_qr"):
        return dbc.Alert("无权访问此页面。", color="danger", id="qrcodes-refused")
    return html.Div(
        [
            html.H1("村务公开二维码", className="page-title"),
            html.P(
                "每村一个二维码,张贴在村务公开栏和便民服务大厅:村民扫码查看本村补贴公示(姓名部分隐去),"
                "输入姓名和身份证号查询本人补贴。选择县区后下载 A4 打印版(每村一页)。",
                className="text-muted small",
            ),
            dcc.Dropdown(id="qrcodes-county", placeholder="选择县区", className="mb-3", style={"maxWidth": "320px"}),
            html.Div(id="qrcodes-list"),
        ]
    )


dash.register_page(
    __name__, path="/qrcodes", name="村务公开", title="村务公开二维码", order=90, layout=layout, permission="public_qr"
)
