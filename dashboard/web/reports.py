"""`/reports/<id>.pdf` (a stored monthly report) and `/packs/<id>.pdf` (a meeting pack as one PDF): for users with
the `reports` permission whose scope covers the report's region, or who may open the pack; every download and
every refusal is audited. The pages that list them are `pages/reports.py` and `pages/packs.py`."""

from __future__ import annotations

from flask import Flask, Response

from dashboard.core.roles import may
from dashboard.report import archive
from dashboard.report.figures import ReportError
from dashboard.state import audit
from dashboard.web.context import current_scope, current_user


def _pdf(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def report_download(report_id: int) -> Response:
    page = f"/reports/{report_id}.pdf"
    if not may(current_user(), "reports"):
        audit.record("denied", page=page, detail="no reports permission", outcome="denied")
        return Response("无权下载报告。", status=403, mimetype="text/plain")
    found = archive.report_pdf(current_scope(), report_id)
    if found is None:
        audit.record("denied", page=page, detail=f"report {report_id} missing or outside the scope", outcome="denied")
        return Response("没有这份报告,或其区划不在您的权限范围内。", status=404, mimetype="text/plain")
    report, body = found
    audit.record(
        "report_download",
        page=page,
        region=report.region_code,
        params={"report": report.id, "data_version": report.data_version},
        detail=report.label,
    )
    return _pdf(body, report.filename)


def pack_download(pack_id: int) -> Response:
    page = f"/packs/{pack_id}.pdf"
    user = current_user()
    pack = archive.get_pack(user, pack_id) if user is not None and may(user, "reports") else None
    if user is None or pack is None:
        audit.record("denied", page=page, detail=f"pack {pack_id} missing or not shared", outcome="denied")
        return Response("没有这个会议材料包,或它没有共享给您。", status=404, mimetype="text/plain")
    try:
        body = archive.pack_pdf(user, pack)
    except ReportError as error:
        return Response(str(error), status=400, mimetype="text/plain")
    audit.record(
        "pack",
        page=page,
        region=pack.views[0].region_code if pack.views else None,
        params={"pack": pack.id, "data_version": pack.data_version},
        detail=f"导出PDF:{pack.title}",
    )
    return _pdf(body, f"pack-{pack.id}.pdf")


def register_routes(server: Flask) -> None:
    server.add_url_rule("/reports/<int:report_id>.pdf", "report_download", report_download)
    server.add_url_rule("/packs/<int:pack_id>.pdf", "pack_download", pack_download)
