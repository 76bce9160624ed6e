"""Fills the debt and treasury-cash page (债务与库款) from its URL state: thin — state → queries → figures and views."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, html

from callbacks._topic import first_paint_of, header, page_render, ranking, register_topic, unit_of
from dashboard.core import format as fmt
from dashboard.core import settings
from dashboard.core.drill import DrillState, TopicFilter
from dashboard.core.scope import Scope
from dashboard.ui import views
from dashboard.ui.drilltable import Column, TableView
from dashboard.ui.figures import topic as figures
from dashboard.web.topics import Request, Topic, resolve
from pages.debt import CHARTS, KEY
from queries import debt as q

PATH = "/debt"
KIND_SERIES = {None: ("", "债务"), "一般": ("general_", "一般债务"), "专项": ("special_", "专项债务")}


def filters(_scope: Scope, _state: DrillState) -> list[TopicFilter]:
    return [TopicFilter("bond_kind", "债券类型", {k: f"{k}债券" for k in q.BOND_KINDS})]


def table(req: Request) -> TableView:
    """The bonds owed at the balance date: the records behind 债务余额."""
    kind = req.state.filter("bond_kind")
    return TableView(
        "debt.bonds",
        f"{'' if kind is None else kind}债券余额明细(截至 {q.balance_date(req.state.year)})",
        (
            Column("name", "债券名称"),
            Column("region_name", "区划"),
            Column("kind", "类型"),
            Column("issue_date", "发行日期", "date"),
            Column("maturity_date", "到期日期", "date"),
            Column("rate", "票面利率(%)"),
            Column("principal", "债务余额", "money"),
        ),
    )


TOPIC = Topic(KEY, PATH, "债务与库款", filters, table, capita="debt_per_capita")
first_paint = first_paint_of(TOPIC)  # the heading in the page's first response


def _cash_text(level: float | None) -> str:
    return "—" if level is None or pd.isna(level) else f"{level:.2f}"


def _kpis(total: pd.Series, kind: str | None, state: DrillState, unit: str) -> dbc.Row:
    """Balance against limit (of the filtered bond kind), 债务率, 利息支出率 and 库款保障水平 with their grades."""
    prefix, name = KIND_SERIES[kind]
    debt, limit = total[f"{prefix}debt"], total[f"{prefix}limit"]
    no_cash = total["cash_level"] is None
    cash_note = "无库款数据" if no_cash else f"{state.year}年{state.last_month}月末 · {total['cash_grade']}"
    return dbc.Row(
        [
            views.kpi_card(
                f"{name}余额",
                fmt.money(debt, unit),
                unit,
                f"{name}限额 {fmt.money(limit, unit)} · 占限额 {fmt.percent(fmt.ratio(debt, limit))}",
                "",
                "kpi-debt",
            ),
            views.kpi_card(
                "债务率",
                fmt.percent(total["debt_ratio"]),
                "",
                f"{total['capacity_note']} {fmt.money(total['capacity'], unit)} {unit} · {total['debt_grade']}",
                views.grade_text_class(total["debt_grade_level"]),
                "kpi-debt-ratio",
            ),
            views.kpi_card(
                "利息支出率",
                fmt.percent(total["interest_ratio"]),
                "",
                f"一般债务付息 {fmt.money(total['interest'], unit)} {unit} · {total['interest_grade']} · 专项 "
                f"{fmt.percent(total['special_interest_ratio'])} {total['special_interest_grade']}",
                views.grade_text_class(total["interest_grade_level"]),
                "kpi-interest-ratio",
            ),
            views.kpi_card(
                "库款保障水平",
                _cash_text(total["cash_level"]),
                "个月",
                cash_note,
                "" if no_cash else views.grade_text_class(total["cash_grade_level"]),
                "kpi-cash",
            ),
        ],
        className="g-3",
    )


def _cash_warnings(levels: pd.DataFrame) -> html.Div | html.P:
    """Every unit-month of the subtree graded 红 or 黄 (a county under a city shows at the province too)."""
    flagged = levels[levels["grade_level"].isin(["红", "黄"])]
    if flagged.empty:
        return html.P("本期各单位库款保障水平均未低于预警线。", className="text-muted mb-0", id=f"{KEY}-cash-warnings")
    body = [
        html.Tr(
            [
                html.Td(r.unit_name, className="text-start"),
                html.Td(f"{r.year}年{r.month}月"),
                html.Td(f"{r.cash_level:.2f}"),
                html.Td(r.grade, className=views.grade_text_class(r.grade_level)),
            ]
        )
        for r in flagged.sort_values(["cash_level"]).itertuples()
    ]
    return html.Div(
        html.Table(
            [
                html.Caption("库款保障水平预警(月末库款 ÷ 近3个月平均支出)", className="caption-top"),
                html.Thead(
                    html.Tr(
                        [
                            html.Th("单位", className="text-start"),
                            html.Th("月份"),
                            html.Th("保障水平(月)"),
                            html.Th("评级"),
                        ]
                    )
                ),
                html.Tbody(body),
            ],
            className="table table-sm money-table mb-0",
            id=f"{KEY}-cash-warnings",
        ),
        className="table-scroll mt-3",
    )


def register(app: Dash) -> None:
    register_topic(app, TOPIC)

    @page_render(app, KEY, CHARTS)
    def render_debt(query):
        req = resolve(TOPIC, query)
        state, scope, unit = req.state, req.scope, unit_of(req)
        kind = state.filter("bond_kind")
        prefix, name = KIND_SERIES[kind]
        year = f"{state.year}年"
        rows, levels, measured = (
            q.debt_breakdown(scope, state),
            q.cash_levels(scope, state),
            q.debt_metrics(scope, state),
        )
        cash_rows = q.cash_by_row(levels)
        total = q.whole_region(rows, measured, state)
        regions = q.debt_ratios(rows, measured)
        regions = regions.assign(key=regions["code"].astype(object).fillna(state.region))
        maturity = q.maturity_profile(scope, state, kind)
        due = maturity.pivot_table(index="due_year", columns="kind", values="amount", aggfunc="sum").reset_index()
        debt_thresholds = [
            (settings.get(f"DEBT_RATIO_{g}"), label) for g, label in (("YELLOW", "黄"), ("ORANGE", "橙"), ("RED", "红"))
        ]
        figures_by_slot = {
            "balance": figures.grouped_bars(
                regions,
                "name",
                "key",
                [(f"{prefix}limit", f"{name}限额"), (f"{prefix}debt", f"{name}余额")],
                f"{name}余额与限额(本级单列)",
                unit,
                year,
            ),
            "maturity": figures.grouped_bars(
                due.assign(key=due["due_year"]),
                "due_year",
                "key",
                [(k, f"{k}债券") for k in q.BOND_KINDS if k in due],
                "未来五年到期债务",
                unit,
                f"截至{q.balance_date(state.year)}",
                stacked=True,
            ),
            "debt-ratio": figures.graded_ratios(
                regions, "name", "key", "debt_ratio", "debt_grade", "债务率(债务余额 ÷ 综合财力)", year, debt_thresholds
            ),
            "interest-ratio": figures.graded_ratios(
                regions,
                "name",
                "key",
                "interest_ratio",
                "interest_grade",
                "利息支出率(一般债务付息 ÷ 一般公共预算支出)",
                year,
                [(settings.get("INTEREST_RATIO_RED"), "红")],
            ),
            "cash": figures.cash_heatmap(cash_rows, "库款保障水平(月末库款 ÷ 近3个月平均支出)", state.period_label),
        }
        columns = [
            ("debt", "债务余额", "money"),
            ("limit", "债务限额", "money"),
            ("capacity", "综合财力", "money"),
            ("debt_ratio", "债务率", "percent"),
            ("debt_grade", "债务率评级", "grade"),
            ("interest_ratio", "利息支出率", "percent"),
            ("interest_grade", "利息评级", "grade"),
            ("special_interest_ratio", "专项利息支出率", "percent"),
            ("cash_level", "库款保障水平", "number"),
            ("cash_grade", "库款评级", "grade"),
        ]
        ranked = regions.assign(cash_level=[_cash_text(v) for v in regions["cash_level"]])
        summary = total.copy()
        summary["cash_level"] = _cash_text(total["cash_level"])
        return (
            *header(TOPIC, req),
            _kpis(total, kind, state, unit),
            *(figures_by_slot[slot.slot] for slot in CHARTS),
            [
                *ranking(
                    TOPIC,
                    req,
                    query,
                    views.ranking_table(
                        ranked,
                        summary,
                        columns,
                        state,
                        unit,
                        PATH,
                        f"{KEY}-ranking-table",
                        "debt",
                        f"债务 {year}(余额截至{q.balance_date(state.year)});库款 {state.year}年{state.last_month}"
                        f"月末 · 单位:{unit} · 债务率的{total['capacity_note']},本级扣除补助下级支出,"
                        "合计不重复计算地区内上下级之间的转移支付",
                    ),
                ),
                _cash_warnings(levels),
            ],
            [],
        )
