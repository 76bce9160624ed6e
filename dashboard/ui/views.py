"""Pure component builders: data in, Dash components out (no queries, no callbacks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core import format as fmt
from dashboard.core.drill import DrillState
from dashboard.core.grades import Grade
from dashboard.core.links import href
from dashboard.core.regions import LEVEL_NAMES, RegionTree
from dashboard.store.engine import DataVersion
from dashboard.ui.drilltable import cell_text
from dashboard.ui.props import wildcard


def notices(messages: tuple[str, ...]) -> list:
    return [dbc.Alert(message, color="warning", className="py-2 mb-2", dismissable=True) for message in messages]


def breadcrumb(tree: RegionTree, root: str | None, state: DrillState, path: str) -> html.Nav:
    """省 → 市 → 县 from the caller's root down to the current region; every step but the last is a link."""
    steps = [] if root is None else [r for r in tree.path(state.region) if tree.is_within(r.adcode, root)]
    items: list[html.Li] = []
    for i, region in enumerate(steps):
        label = f"{region.name}"
        if i == len(steps) - 1:
            items.append(html.Li(label, className="breadcrumb-item active", **wildcard({"aria-current": "page"})))
        else:
            items.append(
                html.Li(dcc.Link(label, href=href(path, state, region=region.adcode)), className="breadcrumb-item")
            )
    return html.Nav(html.Ol(items, className="breadcrumb mb-0"), **wildcard({"aria-label": "区划层级"}))


def freshness(version: DataVersion) -> str:
    loaded = version.loaded_at.strftime("%Y-%m-%d %H:%M") if isinstance(version.loaded_at, dt.datetime) else ""
    return f"数据截至 {version.data_through:%Y年%m月%d日} · 载入于 {loaded}(批次 {version.load_id})"


def trend_class(direction: int) -> str:
    """The class of a 同比 note (▲ / ▼ from `fmt.yoy`): up in red, down in green, as finance reads them."""
    return {1: "trend-up", -1: "trend-down", 0: "trend-flat"}[direction]


GRADE_CLASSES = {"蓝": "blue", "黄": "yellow", "橙": "orange", "红": "red"}


def grade_class(level: object) -> str:
    """A grade level's CSS class, grade-red … grade-blue, and grade-normal for anything else (None, 正常)."""
    return f"grade-{GRADE_CLASSES.get(level, 'normal') if isinstance(level, str) else 'normal'}"


def grade_text_class(level: object) -> str:
    """Classes for a text (a table cell, a KPI note) written in its grade's colour."""
    return f"grade {grade_class(level)}"


def grade_badge(level: str | None, label: str = "", prefix: str = "") -> html.Span:
    """A grade as a coloured chip that also says it in words ('执行 红·严重滞后', '正常'): colour never alone."""
    text = "正常" if level is None else level + (f"·{label}" if label else "")
    return html.Span(prefix + text, className=f"grade-badge {grade_class(level)}")


def kpi_card(
    title: str,
    value: str,
    unit: str = "",
    note: str = "",
    note_class: str = "",
    kpi_id: str = "",
    *,
    grade: Grade | None = None,
    help: str = "",
    xs: int = 12,
    lg: int = 3,
) -> dbc.Col:
    """One KPI: title, the value with its unit, and a note (同比, 序时进度 …) with the grade's badge when given;
    `kpi_id` names the value's span, `xs` / `lg` the card's width in the row's 12 columns."""
    note_children: list[str | Component] = [note]
    if grade is not None:
        note_children += [" ", grade_badge(grade.level, grade.label)]
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="kpi-title", title=help or None),
                    html.Div(
                        [
                            html.Span(value, className="kpi-value", id=kpi_id or None),
                            html.Span(unit, className="kpi-unit"),
                        ]
                    ),
                    html.Div(note_children, className=f"kpi-note {note_class}"),
                ]
            ),
            className="kpi-card h-100",
        ),
        xs=xs,
        sm=6,
        lg=lg,
        className="mb-3",
    )


@dataclass(frozen=True)
class Kpi:
    """A headline number as the KPI card and the big screen's tile show it."""

    kpi_id: str
    title: str
    value: str
    unit: str
    note: str
    note_class: str = ""
    grade: Grade | None = None
    help: str = ""  # the indicator's one-line definition (queries.metrics), shown as the title's tooltip


def kpi_row(kpis: list[Kpi], *, xs: int = 12, lg: int = 3) -> dbc.Row:
    """KPI cards side by side, `lg` columns (of 12) each on a wide screen."""
    return dbc.Row(
        [
            kpi_card(k.title, k.value, k.unit, k.note, k.note_class, k.kpi_id, grade=k.grade, help=k.help, xs=xs, lg=lg)
            for k in kpis
        ],
        className="g-3",
    )


def kpi_cards(totals: pd.Series, state: DrillState, unit: str) -> dbc.Row:
    """一般公共预算收入 and 支出 for the period with 同比, 预算执行率 against its benchmark, and the year's budget;
    `totals` is `queries.cockpit.region_totals` (the rate, its benchmark and lag are taken there)."""
    revenue_yoy, revenue_dir = fmt.yoy(totals["revenue"], totals["revenue_prev"])
    spending_yoy, spending_dir = fmt.yoy(totals["spending"], totals["spending_prev"])
    lag = totals["lag_points"]
    lag_text = "—" if lag is None or pd.isna(lag) else f"{'超前' if lag <= 0 else '滞后'} {abs(lag):.1f} 个百分点"
    against = "序时进度" if state.first_month == 1 else "当期预算占比"
    return dbc.Row(
        [
            kpi_card(
                "一般公共预算收入",
                fmt.money(totals["revenue"], unit),
                unit,
                revenue_yoy,
                trend_class(revenue_dir),
                "kpi-revenue",
            ),
            kpi_card(
                "一般公共预算支出",
                fmt.money(totals["spending"], unit),
                unit,
                spending_yoy,
                trend_class(spending_dir),
                "kpi-spending",
            ),
            kpi_card(
                "预算执行率",
                fmt.percent(totals["execution"]),
                "",
                f"{against} {fmt.percent(totals['execution_benchmark'])} · {lag_text}",
                "",
                "kpi-execution",
                grade=Grade(  # the same grade the big screen's tile shows
                    None if pd.isna(totals["execution_level"]) else totals["execution_level"],
                    totals["execution_label"],
                ),
            ),
            kpi_card(
                "年度预算指标",
                fmt.money(totals["budget"], unit),
                unit,
                f"{state.year}年全年已下达指标",
                "",
                "kpi-budget",
            ),
        ],
        className="g-3",
    )


def region_table(
    rows: pd.DataFrame, totals: pd.Series, state: DrillState, unit: str, path: str, child_level: str | None
) -> html.Div:
    """合计, then 本级, then each child (largest spending first); a child's name drills into it."""
    headers = [
        "区划",
        f"收入({unit})",
        "收入同比",
        f"支出({unit})",
        "支出同比",
        f"预算指标({unit})",
        "执行率",
        "较序时进度",
    ]

    def cells(row, name_cell) -> list:
        execution, behind = row["execution"], row["lag_points"]
        lag = "—" if behind is None or pd.isna(behind) else f"{-behind:+.1f}"
        return [
            html.Td(name_cell, className="text-start"),
            html.Td(fmt.money(row["revenue"], unit)),
            html.Td(fmt.change(row["revenue"], row["revenue_prev"])[0]),
            html.Td(fmt.money(row["spending"], unit)),
            html.Td(fmt.change(row["spending"], row["spending_prev"])[0]),
            html.Td(fmt.money(row["budget"], unit)),
            html.Td(fmt.percent(execution)),
            html.Td(lag),
        ]

    body = [html.Tr(cells(totals, html.Strong("合计")), className="row-total")]
    own = rows[rows["is_own_level"]]
    children = rows[~rows["is_own_level"]].sort_values("spending", ascending=False, key=lambda s: s.map(Decimal))
    for _, row in own.iterrows():
        body.append(html.Tr(cells(row, row["name"]), className="row-own"))
    for _, row in children.iterrows():
        link = dcc.Link(row["name"], href=href(path, state, region=row["code"]), className="stretched-link drill-link")
        body.append(html.Tr(cells(row, link), className="row-child", **wildcard({"data-region": row["code"]})))
    caption = (
        f"下级区划({LEVEL_NAMES.get(child_level, '')}级)与本级 · {state.period_label} · 单位:{unit}"
        if child_level
        else f"本级 · {state.period_label} · 单位:{unit}"
    )
    return html.Div(
        html.Table(
            [
                html.Caption(caption, className="caption-top"),
                html.Thead(
                    html.Tr([html.Th(h, className="text-start" if i == 0 else "") for i, h in enumerate(headers)])
                ),
                html.Tbody(body),
            ],
            className="table table-hover table-sm money-table mb-0",
            id="region-table",
        ),
        className="table-responsive",
    )


def cell(value: Any, kind: str, unit: str) -> str:  # a DataFrame cell
    """A ranking cell: money in `unit`, a share as a percentage, a grade with its label, else text."""
    if kind == "money":
        return fmt.money(value, unit)
    if kind == "percent":
        return fmt.percent(None if value is None or pd.isna(value) else value)
    if kind == "change":
        return value if isinstance(value, str) else "—"
    return "—" if value is None else str(value)


def ranking_table(
    rows: pd.DataFrame,
    total: pd.Series,
    columns: list[tuple[str, str, str]],
    state: DrillState,
    unit: str,
    path: str,
    table_id: str,
    sort_by: str,
    caption: str,
) -> html.Div:
    """合计, then 本级 as its own row, then each child region ranked by `sort_by` (largest first, with its rank);
    a child's name drills into it. `rows` has code, name, is_own_level and the `columns` ((name, label, kind);
    kind money / percent / change / grade; a grade column's label comes with its level in `<name>_level`)."""
    header = [html.Th("排名"), html.Th("区划", className="text-start")]
    header += [html.Th(f"{label}({unit})" if kind == "money" else label) for _, label, kind in columns]

    def values(row) -> list:
        return [
            html.Td(
                cell(row[name], kind, unit), className=grade_text_class(row[f"{name}_level"]) if kind == "grade" else ""
            )
            for name, _, kind in columns
        ]

    body = [
        html.Tr(
            [html.Td(""), html.Td(html.Strong("合计"), className="text-start"), *values(total)], className="row-total"
        )
    ]
    for _, row in rows[rows["is_own_level"]].iterrows():
        body.append(
            html.Tr([html.Td("—"), html.Td(row["name"], className="text-start"), *values(row)], className="row-own")
        )
    children = rows[~rows["is_own_level"]].sort_values(sort_by, ascending=False, key=lambda s: s.astype(float))
    for rank, (_, row) in enumerate(children.iterrows(), start=1):
        link = dcc.Link(row["name"], href=href(path, state, region=row["code"]), className="drill-link")
        body.append(
            html.Tr(
                [html.Td(str(rank)), html.Td(link, className="text-start"), *values(row)],
                className="row-child",
                **wildcard({"data-region": row["code"]}),
            )
        )
    return html.Div(
        html.Table(
            [
                html.Caption(caption, className="caption-top"),
                html.Thead(html.Tr(header)),
                html.Tbody(body),
            ],
            className="table table-hover table-sm money-table mb-0",
            id=table_id,
        ),
        className="table-scroll",
    )


PREVIEW_ROWS = 10  # rows of an anomaly or red-flag list shown on its card; the whole list opens in the drill table


def list_heading(
    title,
    path: str,
    page_key: str,
    state: DrillState,
    flag: str,
    n: int,
    noun: str,
    tag=html.H3,
    className: str = "section-subtitle",
) -> html.Div:
    """A list's heading with the link that opens it whole in the drill table (`flag` filter), where it pages,
    sorts and exports: "全部 N 笔 · 分页查看与导出" when the card shows only the first PREVIEW_ROWS."""
    link = (
        []
        if n == 0
        else [
            dcc.Link(
                f"全部 {n:,} {noun} · 分页查看与导出" if n > PREVIEW_ROWS else "分页查看与导出",
                href=href(path, state, flag=flag),
                className="drill-link small",
                id=f"{page_key}-flag-{flag}-all",
            )
        ]
    )
    return html.Div(
        [tag(title, className=f"{className} me-auto mb-0"), *link],
        className="d-flex flex-wrap align-items-baseline gap-2 mt-3 mb-1",
    )


def record_table(
    frame: pd.DataFrame,
    columns: list[tuple[str, str, str]],
    table_id: str,
    empty_text: str,
    links: dict[str, Callable[[pd.Series], str]] | None = None,
) -> html.Div:
    """A short list of records without paging (red flags, anomaly lists): `columns` are (name, label, kind), kind
    money (元, two decimals) / date / int / percent / text; `links` makes a column's cell a link to href(row).
    Personal data must already be masked."""
    links = links or {}
    numeric = ("money", "int", "percent")
    header = html.Tr(
        [
            html.Th(label + ("(元)" if kind == "money" else ""), className="" if kind in numeric else "text-start")
            for _, label, kind in columns
        ]
    )
    body = []
    for _, row in frame.iterrows():
        cells = []
        for name, _, kind in columns:
            text = fmt.percent(row[name]) if kind == "percent" else cell_text(row[name], kind)
            content = dcc.Link(text, href=links[name](row), className="drill-link") if name in links else text
            cells.append(html.Td(content, className="" if kind in numeric else "text-start"))
        body.append(html.Tr(cells))
    if not body:
        body = [html.Tr(html.Td(empty_text, colSpan=len(columns), className="text-start text-muted"))]
    return html.Div(
        html.Table(
            [html.Thead(header), html.Tbody(body)], className="table table-sm table-hover money-table mb-0", id=table_id
        ),
        className="table-scroll record-list",
    )
