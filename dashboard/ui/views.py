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
from dashboard.core.reporting import UNREPORTED, Coverage, coverage_text, gaps_text, unreported
from dashboard.store.engine import DataVersion
from dashboard.ui.drilltable import cell_text
from dashboard.ui.frozen import frozen
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


def freshness(version: DataVersion, coverage: Coverage | None = None) -> str:
    """数据截至, when it was loaded, and (given the drilled region's `coverage`) who has reported the period."""
    loaded = version.loaded_at.strftime("%Y-%m-%d %H:%M") if isinstance(version.loaded_at, dt.datetime) else ""
    reported = "" if coverage is None else f" · {coverage_text(coverage)}"
    return f"数据截至 {version.data_through:%Y年%m月%d日}{reported} · 载入于 {loaded}(批次 {version.load_id})"


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
    coverage: Reported | None = None,
    xs: int = 12,
    lg: int = 3,
) -> dbc.Col:
    """One KPI: title, the value with its unit, a note (同比, 序时进度 …) with the grade's badge when given, and who
    has reported its figure ("已报送 12/14 市"); `kpi_id` names the value's span, `xs` / `lg` the card's width in the
    row's 12 columns."""
    note_children: list[str | Component] = [note]
    if grade is not None:
        note_children += [" ", kpi_grade(grade)]
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
                    *([coverage_line(coverage, "kpi-coverage")] if coverage else []),
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
    coverage: Reported | None = None  # who has reported the figure


@dataclass(frozen=True)
class Reported:
    """A figure's reporting completeness as a tile says it: '已报送 12/14 市', whether someone is missing, and who."""

    text: str
    missing: bool
    detail: str = ""

    @classmethod
    def of(cls, coverage: Coverage, tables: tuple[str, ...]) -> Reported:
        gaps = coverage.gaps_in(tables)
        return cls(coverage_text(coverage, tables), bool(gaps), gaps_text(gaps))


def coverage_line(reported: Reported, class_name: str) -> html.Div:
    """The tile's reporting line; incomplete in the warning colour, naming who is missing on hover and to screen
    readers."""
    return html.Div(
        reported.text,
        className=f"{class_name} {class_name}-missing" if reported.missing else class_name,
        title=reported.detail or None,
        **wildcard({"aria-label": f"{reported.text}。{reported.detail}" if reported.detail else reported.text}),
    )


def kpi_grade(grade: Grade) -> html.Span:
    """A tile's grade badge; 未报送 in words where a figure has not been reported (no colour: nothing to grade)."""
    if grade.level is None and grade.label == UNREPORTED:
        return html.Span(UNREPORTED, className="grade-badge grade-unreported")
    return grade_badge(grade.level, grade.label)


def kpi_row(kpis: list[Kpi], *, xs: int = 12, lg: int = 3) -> dbc.Row:
    """KPI cards side by side, `lg` columns (of 12) each on a wide screen."""
    return dbc.Row(
        [
            kpi_card(
                k.title,
                k.value,
                k.unit,
                k.note,
                k.note_class,
                k.kpi_id,
                grade=k.grade,
                help=k.help,
                coverage=k.coverage,
                xs=xs,
                lg=lg,
            )
            for k in kpis
        ],
        className="g-3",
    )


def kpi_cards(totals: pd.Series, state: DrillState, unit: str, coverage: Coverage | None = None) -> dbc.Row:
    """一般公共预算收入 and 支出 for the period with 同比, 预算执行率 against its benchmark, and the year's budget;
    `totals` is `queries.cockpit.region_totals` (the rate, its benchmark and lag are taken there), `coverage` who
    has reported the period (`queries.reporting.coverage`), said under each figure that comes from reports."""

    def reported(*tables: str) -> Reported | None:
        return None if coverage is None else Reported.of(coverage, tables)

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
                coverage=reported("revenue"),
            ),
            kpi_card(
                "一般公共预算支出",
                fmt.money(totals["spending"], unit),
                unit,
                spending_yoy,
                trend_class(spending_dir),
                "kpi-spending",
                coverage=reported("payment"),
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
                coverage=reported("payment"),
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
        "报送",
    ]

    def cells(row, name_cell, total: bool = False) -> list:
        execution, behind = row["execution"], row["lag_points"]
        lag = "—" if behind is None or pd.isna(behind) else f"{-behind:+.1f}"
        silent = _silent(row)
        return [
            html.Td(name_cell, className="text-start"),
            html.Td(fmt.money(row["revenue"], unit)),
            html.Td(fmt.change(row["revenue"], row["revenue_prev"])[0]),
            html.Td(fmt.money(row["spending"], unit)),
            html.Td(fmt.change(row["spending"], row["spending_prev"])[0]),
            html.Td(fmt.money(row["budget"], unit)),
            html.Td(UNREPORTED if silent else fmt.percent(execution)),
            html.Td(UNREPORTED if silent else lag),
            _reported_cell(row, total),
        ]

    body = [html.Tr(cells(totals, html.Strong("合计"), total=True), className="row-total")]
    own = rows[rows["is_own_level"]]
    children = rows[~rows["is_own_level"]].sort_values("spending", ascending=False, key=lambda s: s.map(Decimal))
    if "report_units" in children:  # who has not reported ranks last, not as the one that spent least
        children = _unreported_last(children)
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
        [
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
            *_gaps_note(totals),
        ],
        className="table-responsive",
    )


def _reported_cell(row: pd.Series, total: bool) -> html.Td:
    """Whether the row's units have reported the period: 已报送, 未报送, or how many of them have not (合计: how
    many have); who and which months on hover."""
    units, missing = row.get("report_units"), row.get("unreported_units")
    if not units:
        return html.Td("—")
    if total:
        text = f"{units - missing}/{units} 个单位已报送"
    else:
        text = "已报送" if not missing else UNREPORTED if missing == units else f"{missing}个单位未报送"
    return html.Td(
        text,
        className="report-cell report-missing" if missing else "report-cell",
        title=row.get("report_gaps") or None,
    )


def _unreported_last(children: pd.DataFrame) -> pd.DataFrame:
    """`children` in their order, those that have not reported (`_silent`, a column kept for the caller) last."""
    return children.assign(_silent=[_silent(r) for _, r in children.iterrows()]).sort_values("_silent", kind="stable")


def _silent(row: pd.Series) -> bool:
    """A row none of whose units reported the whole period (未报送)."""
    return unreported(row.get("report_units"), row.get("unreported_units"))


def _gaps_note(totals: pd.Series) -> list[html.P]:
    """Under a table whose 合计 leaves someone's months out: who, which months, which tables."""
    gaps = totals.get("report_gaps")
    if not gaps:
        return []
    return [html.P(f"注:合计仅含已报送数据。未报送:{gaps}", className="gaps-note small mt-2 mb-0", id="gaps-note")]


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
    reported: pd.DataFrame | None = None,
) -> html.Div:
    """合计, then 本级 as its own row, then each child region ranked by `sort_by` (largest first, with its rank);
    a child's name drills into it. `rows` has code, name, is_own_level and the `columns` ((name, label, kind);
    kind money / percent / change / grade; a grade column's label comes with its level in `<name>_level`).
    With `reported` (`queries.reporting.row_reporting`, same rows) a 报送 column says who has not reported; a child
    none of whose units reported is not ranked (its part-figures would rank it as if it had spent nothing)."""
    if reported is not None:
        by_code = {None if pd.isna(r["code"]) else r["code"]: r for _, r in reported.iterrows()}
        extra = pd.DataFrame([by_code.get(None if pd.isna(c) else c, {}) for c in rows["code"]], index=rows.index).drop(
            columns="code", errors="ignore"
        )
        rows = rows.assign(
            report_units=extra.get("units", 0),
            unreported_units=extra.get("unreported", 0),
            report_gaps=extra.get("gaps", ""),
        )
        total = pd.concat(
            [
                total,
                pd.Series(
                    {
                        "report_units": int(rows["report_units"].sum()),
                        "unreported_units": int(rows["unreported_units"].sum()),
                        "report_gaps": ";".join(g for g in rows["report_gaps"] if g),
                    }
                ),
            ]
        )
    header = [html.Th("排名"), html.Th("区划", className="text-start")]
    header += [html.Th(f"{label}({unit})" if kind == "money" else label) for _, label, kind in columns]
    if reported is not None:
        header.append(html.Th("报送"))

    def values(row, total: bool = False) -> list:
        silent = reported is not None and _silent(row)
        cells = [
            html.Td(
                UNREPORTED if silent and kind in ("percent", "grade") else cell(row[name], kind, unit),
                className=grade_text_class(row[f"{name}_level"]) if kind == "grade" and not silent else "",
            )
            for name, _, kind in columns
        ]
        return cells + ([_reported_cell(row, total)] if reported is not None else [])

    body = [
        html.Tr(
            [html.Td(""), html.Td(html.Strong("合计"), className="text-start"), *values(total, True)],
            className="row-total",
        )
    ]
    for _, row in rows[rows["is_own_level"]].iterrows():
        body.append(
            html.Tr([html.Td("—"), html.Td(row["name"], className="text-start"), *values(row)], className="row-own")
        )
    children = rows[~rows["is_own_level"]].sort_values(sort_by, ascending=False, key=lambda s: s.astype(float))
    if reported is not None:  # who has not reported is listed last and not ranked
        children = _unreported_last(children)
    ranked = 0
    for _, row in children.iterrows():
        silent = reported is not None and bool(row["_silent"])
        ranked += not silent
        link = dcc.Link(row["name"], href=href(path, state, region=row["code"]), className="drill-link")
        body.append(
            html.Tr(
                [html.Td("—" if silent else str(ranked)), html.Td(link, className="text-start"), *values(row)],
                className="row-child",
                **wildcard({"data-region": row["code"]}),
            )
        )
    return html.Div(
        html.Table(
            [
                html.Caption(caption, className="caption-top"),
                html.Thead(html.Tr(header)),
                frozen(html.Tbody(body)),  # markup, not a component per cell (dashboard/ui/frozen.py)
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
            [html.Thead(header), frozen(html.Tbody(body))],  # markup, not a component per cell
            className="table table-sm table-hover money-table mb-0",
            id=table_id,
        ),
        className="table-scroll record-list",
    )
