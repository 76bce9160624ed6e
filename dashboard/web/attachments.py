"""`/warnings/attachments/<id>`: a ticket's attachment (整改材料) for a signed-in user whose scope covers the
ticket's region; every download and every refusal is audited. The ticket page links it from the history."""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask, Response

from dashboard.risk import monitor
from dashboard.state import audit
from dashboard.web.context import current_scope


def attachment_download(attachment_id: int) -> Response:
    page = f"/warnings/attachments/{attachment_id}"
    found = monitor.ticket_attachment(current_scope(), attachment_id)
    if found is None:
        audit.record(
            "denied", page=page, detail=f"attachment {attachment_id} missing or outside the scope", outcome="denied"
        )
        return Response("没有这个附件,或其工单不在您的权限范围内。", status=404, mimetype="text/plain")
    audit.record(
        "attachment_download",
        page=page,
        region=found["region_code"],
        params={"ticket": found["ticket_id"], "attachment": attachment_id},
        detail=found["filename"][:200],
    )
    response = Response(found["content"], mimetype=found["content_type"])
    name = found["filename"]
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def register_routes(server: Flask) -> None:
    server.add_url_rule("/warnings/attachments/<int:attachment_id>", "attachment_download", attachment_download)
