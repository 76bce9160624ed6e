"""Fills the spending page (支出分析) from its URL state: thin — state → queries → figures and views."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, dcc, html

from callbacks._topic import first_paint_of, header, page_render, ranking, register_topic, unit_of
from dashboard.core import format as fmt
from dashboard.core.drill import DrillState, Lookup, TopicFilter
from dashboard.core.links import CLEAR, href
from dashboard.core.scope import Scope
from dashboard.ui import views
from dashboard.ui.drilltable import Column, TableView, cell_text
from dashboard.ui.figures import topic as figures
from dashboard.web.context import current_user
from dashboard.web.reveal import mask_rows
from dashboard.web.topics import Request, Topic, resolve
from pages.spending import CHARTS, KEY
from queries import reporting
from queries import spending as q
from queries.classifications import classification_names

PATH = "/spending"
PAYEE = (
    Column("payee_name", "收款人", mask="name", mask_when="payee_is_person"),
    Column("payee_account", "收款账号", mask="account"),
)


def filters(scope: Scope, state: DrillState) -> list[TopicFilter]:
    """The page's URL filters: classifications from the store; agency, indicator and payment looked up in scope."""

    def payment_label(value: str) -> str | None:
        trace = q.payment_trace(scope, state, value)
        return None if trace.empty else str(trace.iloc[0]["voucher_no"])

    return [
        TopicFilter("func", "功能分类", {c: f"{c} {n}" for c, n in classification_names("function", 3).items()}),
        TopicFilter("econ", "经济分类", {c: f"{c} {n}" for c, n in classification_names("economic", 3).items()}),
        TopicFilter("pay_type", "支付方式", {t: t for t in q.PAY_TYPES}),
        TopicFilter("sanbao", "三保类型", {t: t for t in q.SANBAO_TYPES}),
        TopicFilter("agency", "预算单位", Lookup(lambda v: q.agency_label(scope, state, v))),
        TopicFilter("indicator", "预算指标", Lookup(lambda v: q.indicator_label(scope, state, v))),
        TopicFilter("payment", "支付凭证", Lookup(payment_label)),
    ]


def table(req: Request) -> TableView:
    """Agencies; an agency's indicators; an indicator's payments (each row opens its trace)."""
    state = req.state
    everything = ("全部单位", href(PATH, state, agency=CLEAR, indicator=CLEAR, payment=CLEAR))
    agency_id = state.filter("agency")
    if (indicator_id := state.filter("indicator")) is not None:
        up = [everything]
        if agency_id is not None:
            agency = q.agency_label(req.scope, state, agency_id) or agency_id
            up.append((agency, href(PATH, state, indicator=CLEAR, payment=CLEAR)))
        doc = q.indicator_label(req.scope, state, indicator_id)
        return TableView(
            "spending.payments",
            f"指标 {doc} 的支付明细",
            (
                Column("voucher_no", "支付凭证号"),
                Column("pay_date", "支付日期", "date"),
                Column("pay_type", "支付方式"),
                Column("econ_item_code", "经济科目"),
                *PAYEE,
                Column("amount", "金额", "money"),
            ),
            drill="payment",
            up=tuple(up),
        )
    if agency_id is not None:
        agency = q.agency_label(req.scope, state, agency_id) or agency_id
        return TableView(
            "spending.indicators",
            f"{agency} · 预算指标",
            (
                Column("doc_no", "指标文号"),
                Column("source", "指标来源"),
                Column("func_code", "功能科目"),
                Column("econ_code", "经济科目"),
                Column("sanbao_type", "三保"),
                Column("amount", "指标金额", "money"),
                Column("paid", "本期支付", "money"),
                Column("balance", "指标余额", "money"),
            ),
            drill="indicator",
            up=(everything,),
        )
    return TableView(
        "spending.agencies",
        "预算单位支出明细",
        (
            Column("agency_name", "预算单位"),
            Column("department", "部门"),
            Column("region_name", "区划"),
            Column("budget", "年度预算指标", "money"),
            Column("paid", "本期支付", "money"),
            Column("payments", "支付笔数", "int"),
        ),
        drill="agency",
    )


TOPIC = Topic(KEY, PATH, "支出分析", filters, table, capita="spending_per_capita")
first_paint = first_paint_of(TOPIC)  # the heading in the page's first response


def _lag_text(row) -> str:
    return "—" if row["lag"] is None or pd.isna(row["lag"]) else f"{row['lag']:+.1f} · {row['grade_label']}"


def _kpis(total: pd.Series, sanbao: pd.Series, state: DrillState, unit: str) -> dbc.Row:
    change, direction = fmt.yoy(total["paid"], total["paid_prev"])
    against = "序时进度" if state.first_month == 1 else "当期预算占比"
    progress = f"{against} {fmt.percent(total['benchmark'])}"
    return dbc.Row(
        [
            views.kpi_card(
                "一般公共预算支出",
                fmt.money(total["paid"], unit),
                unit,
                change,
                views.trend_class(direction),
                "kpi-paid",
            ),
            views.kpi_card(
                "年度预算指标", fmt.money(total["budget"], unit), unit, f"{state.year}年已下达指标", "", "kpi-budget"
            ),
            views.kpi_card(
                "预算执行率",
                fmt.percent(total["rate"]),
                "",
                f"{progress} · {total['grade_label']}",
                views.grade_text_class(total["grade_level"]),
                "kpi-rate",
            ),
            views.kpi_card(
                "三保执行率",
                fmt.percent(sanbao["rate"]),
                "",
                f"{progress} · {sanbao['grade_label']}",
                views.grade_text_class(sanbao["grade_level"]),
                "kpi-sanbao",
            ),
        ],
        className="g-3",
    )


def _trace(req: Request) -> list:
    """The payment of the `payment` filter: up to its indicator, down to its (masked) payee."""
    payment_id = req.state.filter("payment")
    if payment_id is None:
        return []
    row = mask_rows(
        q.payment_trace(req.scope, req.state, payment_id), PAYEE, current_user(), page=PATH, region=req.state.region
    ).iloc[0]
    state = req.state

    def money(value) -> str:
        return f"{cell_text(value, 'money')} 元"

    facts = [
        ("支付凭证号", row["voucher_no"]),
        ("支付日期", cell_text(row["pay_date"], "date")),
        ("支付方式", row["pay_type"]),
        ("金额", money(row["amount"])),
        ("收款人", row["payee_name"]),
        ("收款账号", row["payee_account"]),
        ("预算指标文号", row["doc_no"]),
        ("指标来源", row["source"]),
        ("指标金额", money(row["indicator_amount"])),
        ("指标已支付", money(row["indicator_paid"])),
        ("指标余额", money(row["indicator_balance"])),
        ("预算单位", row["agency_name"]),
        ("项目", row["project_name"] or "—"),
        ("三保", row["sanbao_type"] or "—"),
    ]
    return [
        dbc.Card(
            dbc.CardBody(
                [
                    html.H2(f"支付追溯 · {row['voucher_no']}", className="section-title"),
                    html.Dl(
                        [item for label, value in facts for item in (html.Dt(label), html.Dd(str(value)))],
                        className="trace-list",
                        id=f"{KEY}-trace-facts",
                    ),
                    html.Div(
                        [
                            dcc.Link(
                                "该指标的全部支付",
                                href=href(
                                    PATH,
                                    state,
                                    agency=str(row["agency_id"]),
                                    indicator=str(row["indicator_id"]),
                                    payment=CLEAR,
                                ),
                                className="btn btn-outline-primary btn-pager",
                            ),
                            dcc.Link(
                                "关闭",
                                href=href(PATH, state, payment=CLEAR),
                                className="btn btn-outline-secondary btn-pager",
                            ),
                        ],
                        className="d-flex gap-2",
                    ),
                ]
            ),
            className="mb-3 section-card",
        )
    ]


def register(app: Dash) -> None:
    register_topic(app, TOPIC)

    @page_render(app, KEY, CHARTS)
    def render_spending(query):
        req = resolve(TOPIC, query)
        state, scope, unit = req.state, req.scope, unit_of(req)
        period = state.period_label
        regions = q.breakdown(scope, state, "region")
        total = q.total_of(regions, state)
        sanbao = q.breakdown(scope, state, "sanbao")
        regions_chart = regions.assign(key=regions["code"].fillna(state.region))
        figures_by_slot = {
            "func": figures.bars(
                q.breakdown(scope, state, "func"),
                "name",
                "paid",
                "key",
                "按功能分类(类)支出",
                unit,
                period,
                selected=state.filter("func"),
            ),
            "func-items": figures.bars(
                q.function_items(scope, state),
                "name",
                "paid",
                "key",
                "按功能分类(款)支出" + (f" · {state.filter('func')}" if state.filter("func") else " · 前15款"),
                unit,
                period,
            ),
            "econ": figures.bars(
                q.breakdown(scope, state, "econ"),
                "name",
                "paid",
                "key",
                "按经济分类支出",
                unit,
                period,
                selected=state.filter("econ"),
            ),
            "pay-type": figures.donut(
                q.breakdown(scope, state, "pay_type").assign(name=lambda f: f["key"]),
                "name",
                "paid",
                "key",
                "支付方式(直接/授权/实拨)",
                unit,
                period,
                selected=state.filter("pay_type"),
            ),
            "sanbao-amount": figures.budget_vs_paid(
                sanbao, "key", "key", "三保预算与支付", unit, period, selected=state.filter("sanbao")
            ),
            "sanbao-rate": figures.progress(
                sanbao,
                "key",
                "key",
                "三保执行率与序时进度",
                period,
                state.time_progress,
                selected=state.filter("sanbao"),
            ),
            "region-rate": figures.progress(
                regions_chart, "name", "key", "各地区预算执行率", period, state.time_progress
            ),
            "dept-rate": figures.progress(
                q.by_department(scope, state), "name", "key", "各部门预算执行率(前20)", period, state.time_progress
            ),
            "monthly": figures.monthly_compare(q.monthly(scope, state), "月度支出与上年同期", unit, state.year, period),
            "top-agencies": figures.bars(
                q.top_agencies(scope, state),
                "name",
                "paid",
                "key",
                "支出前十预算单位",
                unit,
                period,
                selected=state.filter("agency"),
            ),
            "top-projects": figures.bars(
                q.top_projects(scope, state), "name", "paid", "key", "支出前十项目", unit, period
            ),
        }
        ranked = regions.assign(
            paid_change=[fmt.change(p, b)[0] for p, b in zip(regions["paid"], regions["paid_prev"])],
            lag_text=[_lag_text(r) for _, r in regions.iterrows()],
            lag_text_level=regions["grade_level"],
        )
        total_row = pd.concat(
            [
                total,
                pd.Series(
                    {
                        "paid_change": fmt.change(total["paid"], total["paid_prev"])[0],
                        "lag_text": _lag_text(total),
                        "lag_text_level": total["grade_level"],
                    }
                ),
            ]
        )
        columns = [
            ("paid", "本期支出", "money"),
            ("paid_change", "同比", "change"),
            ("budget", "年度预算指标", "money"),
            ("rate", "预算执行率", "percent"),
            ("lag_text", "较序时进度(百分点)", "grade"),
        ]
        return (
            *header(TOPIC, req),
            _kpis(total, q.total_of(sanbao, state), state, unit),
            *(figures_by_slot[slot.slot] for slot in CHARTS),
            ranking(
                TOPIC,
                req,
                query,
                views.ranking_table(
                    ranked,
                    total_row,
                    columns,
                    state,
                    unit,
                    PATH,
                    f"{KEY}-ranking-table",
                    "paid",
                    f"{period} · 单位:{unit} · 序时进度 {fmt.percent(state.time_progress)}",
                    reporting.row_reporting(scope, state, ("payment",)),
                ),
            ),
            _trace(req),
        )
