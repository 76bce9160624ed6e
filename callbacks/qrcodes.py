"""村务公开二维码: the counties of the user's region, then the villages of the chosen one with their public links."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html

from dashboard.core.roles import may
from dashboard.public.qr import village_url
from dashboard.public.routes import hall_path
from dashboard.state import audit
from dashboard.web.context import current_scope, current_user
from queries.public import villages
from queries.regions import region_tree


def _counties() -> list[dict]:
    tree, scope = region_tree(), current_scope()
    return [
        {"label": f"{tree.name(r.parent) if r.parent else ''} {r.name}".strip(), "value": code}
        for code, r in sorted(tree.regions.items())
        if r.level == "county" and scope.sees(tree, code)
    ]


def register(app: Dash) -> None:
    @app.callback(Output("qrcodes-county", "options"), Input("qrcodes-county", "id"))
    def counties(_id):
        return _counties() if may(current_user(), "public_qr") else []

    @app.callback(Output("qrcodes-list", "children"), Input("qrcodes-county", "value"))
    def village_list(county):
        if not may(current_user(), "public_qr"):
            audit.record("denied", page="/qrcodes", detail="no public_qr permission", outcome="denied")
            return dbc.Alert("无权查看村务公开二维码。", color="danger")
        if not county:
            return None
        if not current_scope().sees(region_tree(), county):
            audit.record("denied", page="/qrcodes", region=county[:6], outcome="denied")
            return dbc.Alert("该地区不在您的权限范围内。", color="danger")
        found = villages(county)
        if not found:
            return dbc.Alert("该县区没有补贴发放记录。", color="secondary")
        townships = sorted({v.township for v in found})
        rows = [
            html.Tr(
                [
                    html.Td(v.township),
                    html.Td(v.name),
                    html.Td(v.recipients, className="text-end"),
                    html.Td(html.A(village_url(v), href=village_url(v), target="_blank", rel="noopener")),
                ]
            )
            for v in found
        ]
        return html.Div(
            [
                html.A(
                    f"下载 A4 打印版({len(found)} 个村,每村一页)",
                    href=f"/qrcodes/{county}.pdf",
                    className="btn btn-primary mb-3",
                    id="qrcodes-download",
                ),
                html.P(
                    ["便民服务大厅一屏智报: "]
                    + [
                        html.A(t, href=hall_path(county, t), target="_blank", rel="noopener", className="me-2")
                        for t in townships
                    ],
                    className="small",
                ),
                dbc.Table(
                    [
                        html.Thead(html.Tr([html.Th("乡镇"), html.Th("村"), html.Th("受益人数"), html.Th("公开页")])),
                        html.Tbody(rows),
                    ],
                    size="sm",
                    striped=True,
                    id="qrcodes-table",
                ),
            ]
        )
