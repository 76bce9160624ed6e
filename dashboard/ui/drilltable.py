"""The drill-through table every topic page ends with: what its columns are, how personal data in it is masked,
and the component (totals line, sortable headers, 50-row page, pager) built from one page of rows.

Amounts in these tables are in 元 to the fen: they are records an analyst checks against vouchers. The totals line
sums every row of the table (computed in SQL, `queries._paging.table_totals`), not just the page on screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core import format as fmt
from dashboard.core.drill import DrillState
from dashboard.core.links import href
from dashboard.ui.frozen import frozen
from dashboard.ui.props import wildcard


@dataclass(frozen=True)
class Column:
    """One column: `kind` is money / text / date / int / percent (a ratio shown as 97.5%); `mask` a masking kind
    ('name', 'account', 'id_number') applied to every row, or only to rows where the boolean column `mask_when` is
    true (a payee who is a person)."""

    name: str
    label: str
    kind: str = "text"
    mask: str | None = None
    mask_when: str | None = None


@dataclass(frozen=True)
class TableView:
    """A drill-through table as shown: `source` names its `queries._paging.TableSource`; `drill` is the URL filter
    a row's first cell sets to the row's `drill_value` (the next level down), or None at the last level; `up` the
    levels above as (label, href) links back up (全部单位 › 某单位 › …)."""

    source: str
    title: str
    columns: tuple[Column, ...]
    drill: str | None = None
    up: tuple[tuple[str, str], ...] = ()
    drill_value: str = "id"  # the column whose value the drill link sets (a program is named, not numbered)

    @property
    def money_columns(self) -> list[Column]:
        return [c for c in self.columns if c.kind == "money"]


def cell_text(value: Any, kind: str) -> str:  # a DataFrame cell: Decimal, int, float, date, str or NA
    """A cell as shown on screen: money in 元 with two decimals, counts with thousands separators, dates ISO."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if kind == "money":
        return fmt.money(Decimal(value), "元")
    if kind == "percent":
        return fmt.percent(value)
    if kind == "int":
        return f"{int(value):,}"
    if kind == "date" and isinstance(value, (dt.date, pd.Timestamp)):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _header(page_key: str, column: Column, sortable: bool, sort: str, descending: bool) -> html.Th:
    label = column.label + ("(元)" if column.kind == "money" else "")
    align = "" if column.kind in ("money", "int") else "text-start"
    if not sortable:
        return html.Th(label, className=align)
    arrow = (" ▼" if descending else " ▲") if column.name == sort else ""
    return html.Th(
        html.Button(
            label + arrow,
            id={"type": "topic-sort", "page": page_key, "col": column.name},
            className="btn btn-link btn-sort p-0",
            n_clicks=0,
            **wildcard({"aria-label": f"按{column.label}排序"}),
        ),
        className=align,
        **wildcard({"aria-sort": "descending" if descending else "ascending"} if column.name == sort else {}),
    )


def has_personal_data(view: TableView) -> bool:
    return any(c.mask is not None for c in view.columns)


def reveal_bar(
    page_key: str,
    revealed: bool,
    hint: str | None = None,
    *,
    export_query: str = "",
    reason: str = "",
    csrf_token: str | None = None,
    may_export: bool = False,
) -> html.Div:
    """For a user who may see personal data: a reason box that unmasks the table (each view audited with the
    reason), or, once shown, the unmasked export (a POST carrying the reason and the session's CSRF token; only for
    a role that may export) and the way back to masked."""
    if revealed:
        exports = [
            html.Form(
                [
                    dbc.Input(type="hidden", name="reason", value=reason),
                    dbc.Input(type="hidden", name="csrf_token", value=csrf_token or ""),
                    html.Button(f"导出完整信息 {label}", type="submit", className="btn btn-outline-danger btn-pager"),
                ],
                method="post",
                action=f"/export/{page_key}.{suffix}?{export_query}",
                className="d-inline",
            )
            for suffix, label in (("csv", "CSV"), ("xlsx", "Excel"))
            if may_export
        ]
        return html.Div(
            [
                html.Span(
                    "已按所填查询事由显示完整个人信息,每次查看和导出均记入审计日志。",
                    className="me-auto text-danger small",
                ),
                *exports,
                html.Button(
                    "恢复脱敏",
                    id={"type": "topic-reveal", "page": page_key, "action": "hide"},
                    n_clicks=0,
                    className="btn btn-outline-secondary btn-pager",
                ),
            ],
            className="reveal-bar d-flex flex-wrap align-items-center gap-2 mb-2",
            id=f"{page_key}-reveal-bar",
        )
    return html.Div(
        [
            html.Label("查询事由", className="small text-muted mb-0"),
            dbc.Input(
                id={"type": "topic-reveal-reason", "page": page_key, "part": "reason"},
                type="text",
                maxLength=200,
                size="sm",
                placeholder="查看完整个人信息须填写事由,记入审计",
                className="reveal-reason",
            ),
            html.Button(
                "显示完整信息",
                id={"type": "topic-reveal", "page": page_key, "action": "show"},
                n_clicks=0,
                className="btn btn-outline-danger btn-pager",
            ),
            *([html.Span(hint, className="text-danger small")] if hint else []),
        ],
        className="reveal-bar d-flex flex-wrap align-items-center gap-2 mb-2",
        id=f"{page_key}-reveal-bar",
    )


def render(
    view: TableView,
    page_key: str,
    path: str,
    state: DrillState,
    rows: pd.DataFrame,
    totals: pd.Series,
    sortable: dict[str, str],
    sort: str,
    descending: bool,
    page_number: int,
    has_next: bool,
    export_query: str,
    reveal: html.Div | None = None,
    may_export: bool = False,
) -> html.Div:
    """Totals over all rows, the page's rows (already masked or revealed), sortable headers, pager, export links
    (for a role that may export: the routes refuse the others) and, for a user who may unmask, the `reveal` bar."""
    pages = max(1, -(-int(totals["rows"]) // 50))
    summary = [html.Span(f"共 {int(totals['rows']):,} 行", className="me-3")]
    summary += [
        html.Span(
            [f"{c.label}合计 ", html.Strong(fmt.money(totals[c.name], "元"), id=f"{page_key}-total-{c.name}"), " 元"],
            className="me-3",
        )
        for c in view.money_columns
        if c.name in totals.index
    ]
    head = html.Tr([_header(page_key, c, c.name in sortable, sort, descending) for c in view.columns])
    body = []
    for _, row in rows.iterrows():
        cells = []
        for i, column in enumerate(view.columns):
            text: str | Component = cell_text(row[column.name], column.kind)
            if i == 0 and view.drill is not None:
                text = dcc.Link(
                    text, href=href(path, state, **{view.drill: str(row[view.drill_value])}), className="drill-link"
                )
            cells.append(html.Td(text, className="" if column.kind in ("money", "int") else "text-start"))
        body.append(html.Tr(cells))
    if not body:
        body = [html.Tr(html.Td("没有符合条件的记录", colSpan=len(view.columns), className="text-start text-muted"))]
    pager = html.Div(
        [
            html.Button(
                "上一页",
                id={"type": "topic-pager", "page": page_key, "step": "prev"},
                n_clicks=0,
                className="btn btn-outline-secondary btn-pager",
                disabled=page_number <= 1,
            ),
            html.Span(f"第 {page_number} / {pages} 页", className="mx-2 pager-label", id=f"{page_key}-page-label"),
            html.Button(
                "下一页",
                id={"type": "topic-pager", "page": page_key, "step": "next"},
                n_clicks=0,
                className="btn btn-outline-secondary btn-pager",
                disabled=not has_next,
            ),
        ],
        className="d-flex align-items-center justify-content-end mt-2",
    )
    exports = html.Div(
        [
            html.A(
                "导出 CSV",
                href=f"/export/{page_key}.csv?{export_query}",
                className="btn btn-outline-primary btn-pager",
                id=f"{page_key}-export-csv",
            ),
            html.A(
                "导出 Excel",
                href=f"/export/{page_key}.xlsx?{export_query}",
                className="btn btn-outline-primary btn-pager",
                id=f"{page_key}-export-xlsx",
            ),
        ]
        if may_export
        else [],
        className="d-flex gap-2",
    )
    trail = [
        item
        for label, link in view.up
        for item in (dcc.Link(label, href=link, className="drill-link"), html.Span(" › "))
    ]
    return html.Div(
        [
            html.Div(
                [html.H2([*trail, view.title], className="section-title me-auto mb-0"), exports],
                className="d-flex flex-wrap align-items-center gap-2 mb-2",
            ),
            html.Div(summary, className="table-totals mb-2", id=f"{page_key}-totals"),
            *([reveal] if reveal is not None else []),
            html.Div(
                html.Table(
                    [html.Thead(head), frozen(html.Tbody(body))],  # 50 rows: markup, not 500 components
                    className="table table-sm table-hover money-table mb-0",
                    id=f"{page_key}-records",
                ),
                className="table-scroll",
            ),
            pager,
        ],
        className="drill-table",
    )
