"""Export of a topic page's current view (its drill-through table) as CSV or Excel, built on the server.

`GET /export/<topic>.csv|xlsx?<the page's query string>`, for a role with the export permission (领导 and 经办 get
403 from every method, HEAD included, audited as denied): the state is resolved exactly as the page resolves it,
with the scope of the request's own session (never from the browser), personal data masked, and every export
recorded in the audit trail with its row count. `POST` to the same address with a `reason` (and the session's CSRF
token) is how a user who may see personal data exports it unmasked: `masking.reveal` decides and audits it, as it
does on screen; anyone else still gets the masked file. The file holds every row of the view and
the same 合计 line as the screen (from the same SQL). A view larger than EXPORT_MAX_ROWS is refused with a message
rather than cut, so a file's totals always equal the screen's. `HEAD` (a link checker, a scanner) answers with the
file's type and no work: nothing is queried or audited; `OPTIONS` is Flask's (the allowed methods). The audit
records an export once the file is built and about to be sent, never for a request that got none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from urllib.parse import quote

import pandas as pd
import xlsxwriter
from flask import Flask, Response, request

from dashboard.core import settings
from dashboard.core.roles import may
from dashboard.state import audit
from dashboard.ui.drilltable import Column, TableView, cell_text
from dashboard.web.context import current_user
from dashboard.web.reveal import mask_rows
from dashboard.web.topics import Topic, resolve
from queries._paging import SOURCES, PageRequest, table_all, table_totals

KIND_WIDTHS = {"money": 18, "int": 10, "date": 12, "percent": 10, "text": 16}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_text(value: str) -> str:
    """Text a spreadsheet will not run: a cell starting with = + - @, a tab or CR gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cells(frame: pd.DataFrame, view: TableView, native_dates: bool = False) -> Iterator[list[object]]:
    """Rows of the file, one at a time: money as exact Decimals and counts as integers (numbers in Excel), dates as
    dates in a spreadsheet (`native_dates`), the rest as safe text."""
    kinds = [(c.kind, frame.columns.get_loc(c.name)) for c in view.columns]

    def value(cell: object, kind: str) -> object:
        if cell is None or (kind in ("money", "int", "date") and pd.isna(cell)):
            return ""
        if kind == "money":
            return Decimal(cell)  # type: ignore[arg-type]
        if kind == "int":
            return int(cell)  # type: ignore[call-overload]
        if kind == "date" and native_dates and isinstance(cell, dt.date | pd.Timestamp):
            return cell.date() if isinstance(cell, dt.datetime | pd.Timestamp) else cell
        return safe_text(cell_text(cell, kind))

    for row in frame.itertuples(index=False, name=None):
        yield [value(row[at], kind) for kind, at in kinds]


def _sheet(
    heading: list[str], view: TableView, rows: Iterable[list[object]], totals: pd.Series
) -> Iterator[list[object]]:
    header: list[object] = [c.label + ("(元)" if c.kind == "money" else "") for c in view.columns]
    total_row = ["合计"] + [totals[c.name] if c.name in totals.index else "" for c in view.columns[1:]]
    for line in heading:
        yield [line]
    yield header
    yield from rows
    yield total_row


def to_csv(lines: Iterable[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        writer.writerow([f"{v:.2f}" if isinstance(v, Decimal) else v for v in line])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the Chinese right


def _width(view_column: Column) -> float:
    """A column's width in Excel's character units: its header (a CJK character is two) or its kind's values."""
    label = view_column.label + ("(元)" if view_column.kind == "money" else "")
    header = sum(2 if ord(ch) > 0x2E80 else 1 for ch in label) + 2
    return float(min(60, max(header, KIND_WIDTHS.get(view_column.kind, 14))))


def to_xlsx(lines: Iterable[list[object]], title: str, heading_rows: int, view: TableView) -> bytes:
    """The sheet written row by row (XlsxWriter's constant-memory mode: each row goes to a temporary file as it
    comes, only one row is ever held): money with thousands separators and fen, dates as dates, the header bold
    and frozen with the heading above it, widths fitted to each column, every text a string (never a formula)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False})
    sheet = book.add_worksheet(title[:31])
    money = book.add_format({"num_format": "#,##0.00"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    bold = book.add_format({"bold": True})
    for index, column in enumerate(view.columns):
        sheet.set_column(index, index, _width(column))
    sheet.freeze_panes(heading_rows + 1, 0)
    for row, line in enumerate(lines):
        header = row == heading_rows
        for col, value in enumerate(line):
            if value == "" or value is None:
                continue
            if header:
                sheet.write_string(row, col, str(value), bold)
            elif isinstance(value, Decimal):
                sheet.write_number(row, col, float(value), money)  # Excel holds doubles: exact to the fen here
            elif isinstance(value, bool | int | float):
                sheet.write_number(row, col, value)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row, col, value, date)
            else:
                sheet.write_string(row, col, str(value))
    book.close()
    return buffer.getvalue()


def _attachment(filename: str) -> str:
    """RFC 6266 / 5987: an ASCII fallback and the Chinese name percent-encoded in UTF-8."""
    return f"attachment; filename=\"export.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"


def export_view(topics: Mapping[str, Topic], key: str, fmt: str) -> Response:
    topic = topics.get(key)
    if topic is None or fmt not in MEDIA_TYPES:
        return Response("没有这个导出。", status=404, mimetype="text/plain")
    if not may(current_user(), "export"):
        audit.record("export", page=topic.path, outcome="denied", detail="role may not export")
        return Response("无权导出:当前角色没有导出权限。", status=403, mimetype="text/plain")
    if request.method == "HEAD":
        return Response(content_type=MEDIA_TYPES[fmt], headers={"Cache-Control": "no-store"})
    try:
        req = resolve(topic, request.args.to_dict())
    except ValueError:
        audit.record("export", page=topic.path, outcome="denied", detail="no scope")
        return Response("无权导出:当前用户没有可查看的区划。", status=403, mimetype="text/plain")
    view = topic.table(req)
    source = SOURCES[view.source]
    page = PageRequest.of(source, request.args.get("sort"), request.args.get("desc") == "1")
    totals = table_totals(req.scope, req.state, view.source)
    limit = settings.get("EXPORT_MAX_ROWS")
    params = {"query": request.args.to_dict(), "format": fmt}
    if totals["rows"] > limit:
        audit.record(
            "export",
            page=topic.path,
            region=req.state.region,
            params=params,
            rows=int(totals["rows"]),
            outcome="denied",
            detail="too many rows",
        )
        return Response(
            f"当前视图共 {totals['rows']:,} 行,超过导出上限 {limit:,} 行,请先缩小范围(区划、期间或筛选)。",
            status=413,
            mimetype="text/plain",
        )
    reason = request.form.get("reason") if request.method == "POST" else None
    frame = mask_rows(
        table_all(req.scope, req.state, view.source, page, limit),
        view.columns,
        current_user(),
        page=topic.path,
        region=req.state.region,
        reason=reason,
    )
    region = req.tree.name(req.state.region)
    filters = ";".join(
        f"{s.label}:{s.choices[chosen]}" for s in req.specs if (chosen := req.state.filter(s.name)) is not None
    )
    heading = [
        f"{region} · {topic.title} · {view.title}",
        f"期间:{req.state.period_label}" + (f";筛选:{filters}" if filters else ""),
        f"数据截至 {req.version.data_through:%Y年%m月%d日}(批次 {req.version.load_id});金额单位:元",
    ]
    lines = _sheet([safe_text(h) for h in heading], view, _cells(frame, view, native_dates=fmt == "xlsx"), totals)
    body = to_csv(lines) if fmt == "csv" else to_xlsx(lines, view.title, len(heading), view)
    audit.record("export", page=topic.path, region=req.state.region, params=params, rows=len(frame))
    filename = f"{region}-{topic.title}-{view.title}-{req.state.period_label}.{fmt}"
    return Response(
        body,
        content_type=MEDIA_TYPES[fmt],  # as is: `mimetype=` would add a second charset to the CSV's
        headers={"Content-Disposition": _attachment(filename), "Cache-Control": "no-store"},
    )


def register_routes(server: Flask, topics: Mapping[str, Topic]) -> None:
    """`/export/<topic>.<fmt>` for `topics` (by key); create_app calls this once with the topics its callback
    modules declare."""

    def topic_export(key: str, fmt: str) -> Response:
        return export_view(topics, key, fmt)

    server.add_url_rule("/export/<key>.<fmt>", "topic_export", topic_export, methods=["GET", "POST"])
