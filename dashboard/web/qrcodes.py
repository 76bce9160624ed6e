"""`/qrcodes/<county>.pdf`: the A4 sheet of a county's village QR codes (村务公开) for staff with `public_qr` whose
region covers the county; each download is audited. The page that lists them is `pages/qrcodes.py`."""

from __future__ import annotations

from flask import Flask, Response

from dashboard.core.roles import may
from dashboard.public.qr import qr_sheet
from dashboard.state import audit
from dashboard.web.context import current_scope, current_user
from queries.public import villages
from queries.regions import region_tree


def county_sheet(county: str) -> Response:
    tree = region_tree()
    if not may(current_user(), "public_qr") or not current_scope().sees(tree, county):
        audit.record("denied", page=f"/qrcodes/{county}.pdf", region=county[:6], outcome="denied")
        return Response("无权下载该地区的二维码。", status=403, mimetype="text/plain")
    found = villages(county) if tree[county].level == "county" else ()
    if not found:
        return Response("该地区没有补贴发放记录。", status=404, mimetype="text/plain")
    body = qr_sheet(tree.name(county), found)
    audit.record("export", page=f"/qrcodes/{county}.pdf", region=county, rows=len(found), detail="村务公开二维码")
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="qrcodes-{county}.pdf"'
    return response


def register_routes(server: Flask) -> None:
    server.add_url_rule("/qrcodes/<county>.pdf", "qrcode_sheet", county_sheet)
