"""The components of the reports page (`/reports`): the stored reports, the meeting packs, and a pack's views
shown from their (frozen) figures. Plain values in, Dash components out."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html


def _table(head: Sequence[str], rows: list, table_id: str) -> dbc.Table:
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
        size="sm",
        striped=True,
        responsive=True,
        id=table_id,
    )


def reports_table(rows: Sequence[dict]) -> html.Div | dbc.Table:
    """rows: label, created_at, created_by, data_through, data_version, size_kb, href."""
    if not rows:
        return html.P("还没有生成的月报。", className="text-muted small", id="reports-table")
    return _table(
        ["报告", "数据截至", "数据版本", "生成时间", "生成者", "大小", ""],
        [
            html.Tr(
                [
                    html.Td(r["label"]),
                    html.Td(r["data_through"]),
                    html.Td(r["data_version"], className="small text-muted"),
                    html.Td(r["created_at"]),
                    html.Td(r["created_by"]),
                    html.Td(f"{r['size_kb']:,} KB", className="text-end"),
                    html.Td(html.A("下载 PDF", href=r["href"], className="report-download")),
                ]
            )
            for r in rows
        ],
        "reports-table",
    )


def packs_table(rows: Sequence[dict]) -> html.Div | dbc.Table:
    """rows: title, owner, views, state, href."""
    if not rows:
        return html.P("还没有会议材料包。", className="text-muted small", id="packs-table")
    return _table(
        ["材料包", "作者", "视图", "状态", ""],
        [
            html.Tr(
                [
                    html.Td(html.A(r["title"], href=r["href"])),
                    html.Td(r["owner"]),
                    html.Td(r["views"], className="text-end"),
                    html.Td(r["state"]),
                    html.Td(html.A("导出 PDF", href=r["pdf"])),
                ]
            )
            for r in rows
        ],
        "packs-table",
    )


def pack_head(title: str, label: str, frozen: bool, pdf_href: str) -> html.Div:
    return html.Div(
        [
            html.H1(title, className="page-title"),
            html.P(
                [
                    dbc.Badge(label, color="info" if frozen else "secondary", className="me-2", id="pack-frozen"),
                    html.A("导出 PDF", href=pdf_href, className="me-3", id="pack-pdf"),
                    html.A("返回报告页", href="/reports"),
                ]
            ),
        ]
    )


def view_card(
    index: int, heading: str, note: str, live_href: str, sentences: Sequence[str], figures: Sequence[tuple[str, str]]
) -> dbc.Card:
    """One view of a pack: its numbers as a table and the sentences written from them, with 查看最新."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(f"视图{index} {heading}", className="h6"),
                html.P(f"备注:{note}", className="small text-muted") if note else None,
                dbc.Table(
                    html.Tbody([html.Tr([html.Th(k), html.Td(v, className="text-end")]) for k, v in figures]),
                    size="sm",
                    className="pack-figures",
                ),
                *[html.P(s, className="small mb-1") for s in sentences],
                html.A("查看最新", href=live_href, className="btn btn-sm btn-outline-primary mt-2 pack-live"),
            ]
        ),
        className="mb-3",
    )
