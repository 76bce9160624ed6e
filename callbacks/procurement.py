"""Fills the procurement page (政府采购) from its URL state: thin — state → queries → figures and views."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, html

from callbacks._topic import first_paint_of, header, page_render, register_topic, unit_of
from dashboard.core import format as fmt
from dashboard.core import settings
from dashboard.core.drill import DrillState, Lookup, TopicFilter
from dashboard.core.links import CLEAR, href
from dashboard.core.scope import Scope
from dashboard.ui import views
from dashboard.ui.drilltable import Column, TableView
from dashboard.ui.figures import topic as figures
from dashboard.web.topics import Request, Topic, resolve
from pages.procurement import CHARTS, KEY
from queries import procurement as q

PATH = "/procurement"
RATE_COLUMNS = [
    ("n_text", "项目数", "text"),
    ("budget", "预算金额", "money"),
    ("contract", "合同金额", "money"),
    ("saving_rate", "节约率", "percent"),
    ("sme_share", "中小企业份额", "percent"),
    ("single_source_share", "单一来源占比", "percent"),
]
HIGH_RATIO_COLUMNS = [
    ("plan_no", "采购计划编号", "text"),
    ("agency_name", "采购单位", "text"),
    ("region_name", "区划", "text"),
    ("method", "采购方式", "text"),
    ("item_name", "采购品目", "text"),
    ("supplier_name", "供应商", "text"),
    ("budget_amount", "预算金额", "money"),
    ("contract_amount", "合同金额", "money"),
    ("contract_ratio", "合同/预算", "percent"),
    ("contract_date", "签约日期", "date"),
]
SPLIT_COLUMNS = [
    ("agency_name", "采购单位", "text"),
    ("region_name", "区划", "text"),
    ("item_name", "采购品目", "text"),
    ("supplier_name", "供应商", "text"),
    ("method", "采购方式", "text"),
    ("notice_date", "公告日期", "date"),
    ("budget_amount", "预算金额", "money"),
    ("threshold", "公开招标限额", "money"),
    ("plan_no", "采购计划编号", "text"),
]


FLAG_TITLES = {"high_ratio": "合同金额接近预算", "split": "疑似拆分规避公开招标"}


def filters(scope: Scope, state: DrillState) -> list[TopicFilter]:
    """Method and category from their fixed lists; the agency (set by the drill) looked up inside the scope."""
    return [
        TopicFilter("method", "采购方式", {m: m for m in q.METHODS}),
        TopicFilter("category", "采购类别", {c: c for c in q.CATEGORIES}),
        TopicFilter("agency", "采购单位", Lookup(lambda value: q.agency_name(scope, state, value))),
        TopicFilter("flag", "风险提示", FLAG_TITLES),
    ]


def table(req: Request) -> TableView:
    """The agencies of the view; once one is chosen, its single purchases."""
    state = req.state
    flag, agency = state.filter("flag"), state.filter("agency")
    if flag is not None:
        ratio_or_threshold = (
            Column("contract_ratio", "合同/预算", "percent")
            if flag == "high_ratio"
            else Column("threshold", "公开招标限额", "money")
        )
        return TableView(
            q.FLAGGED_TABLE.name,
            f"风险提示 · {FLAG_TITLES[flag]}",
            (
                Column("plan_no", "采购计划编号"),
                Column("agency_name", "采购单位"),
                Column("region_name", "区划"),
                Column("method", "采购方式"),
                Column("item_name", "采购品目"),
                Column("supplier_name", "供应商"),
                Column("budget_amount", "预算金额", "money"),
                Column("contract_amount", "合同金额", "money"),
                ratio_or_threshold,
                Column("notice_date", "公告日期", "date"),
                Column("contract_date", "签约日期", "date"),
            ),
            up=(("全部采购单位", href(PATH, state, flag=CLEAR)),),
        )
    if agency is not None:
        name = q.agency_name(req.scope, state, agency)
        return TableView(
            q.PURCHASE_TABLE.name,
            f"{name} · 采购明细",
            (
                Column("plan_no", "采购计划编号"),
                Column("method", "采购方式"),
                Column("category", "类别"),
                Column("item_name", "采购品目"),
                Column("supplier_name", "供应商"),
                Column("sme", "中小企业"),
                Column("budget_amount", "预算金额", "money"),
                Column("contract_amount", "合同金额", "money"),
                Column("notice_date", "公告日期", "date"),
                Column("contract_date", "签约日期", "date"),
            ),
            up=(("全部采购单位", href(PATH, state, agency=CLEAR)),),
        )
    return TableView(
        q.AGENCY_TABLE.name,
        "采购单位明细",
        (
            Column("agency_name", "采购单位"),
            Column("region_name", "区划"),
            Column("n", "项目数", "int"),
            Column("budget", "预算金额", "money"),
            Column("contract", "合同金额", "money"),
            Column("saving", "节约金额", "money"),
        ),
        drill="agency",
    )


TOPIC = Topic(KEY, PATH, "政府采购", filters, table)
first_paint = first_paint_of(TOPIC)  # the heading in the page's first response


def _kpis(total: pd.Series, concentration: float | None, unit: str) -> dbc.Row:
    change, direction = fmt.yoy(total["contract"], total["contract_prev"])
    saving = total["budget"] - total["contract"]
    return dbc.Row(
        [
            views.kpi_card(
                "采购合同金额",
                fmt.money(total["contract"], unit),
                unit,
                f"{change} · {total['n']:,} 个项目",
                views.trend_class(direction),
                "kpi-contract",
            ),
            views.kpi_card(
                "节约率",
                fmt.percent(total["saving_rate"]),
                "",
                f"预算 {fmt.money(total['budget'], unit)} · 节约 {fmt.money(saving, unit)} {unit}",
                "",
                "kpi-saving",
            ),
            views.kpi_card(
                "中小企业份额",
                fmt.percent(total["sme_share"]),
                "",
                f"中小企业合同 {fmt.money(total['sme_contract'], unit)} {unit}",
                "",
                "kpi-sme",
            ),
            views.kpi_card(
                "单一来源占比",
                fmt.percent(total["single_source_share"]),
                "",
                f"前十供应商集中度 {fmt.percent(concentration)}",
                "",
                "kpi-single-source",
            ),
        ],
        className="g-3",
    )


def _red_flags(req: Request, high_ratio: pd.DataFrame, split: pd.DataFrame) -> dbc.Card:
    """The two red-flag lists: counts, the first few rows of each (agency names drill), and the whole list a click
    away."""
    state = req.state
    agency_link = {"agency_name": lambda row: href(PATH, state, agency=str(row["agency_id"]))}
    flag = fmt.percent(settings.get("CONTRACT_RATIO_FLAG"))
    sections = []
    for key, title, frame, columns, empty_text in (
        (
            "high_ratio",
            f"风险提示 · 合同金额达预算{flag}及以上({len(high_ratio):,} 项)",
            high_ratio,
            HIGH_RATIO_COLUMNS,
            "本期没有此类合同",
        ),
        (
            "split",
            f"风险提示 · 疑似拆分规避公开招标({len(split):,} 项:同一单位、同一供应商或品目、30日内、"
            f"预算均在限额的{fmt.percent(settings.get('SPLIT_BAND'))}至100%之间)",
            split,
            SPLIT_COLUMNS,
            "本期没有疑似拆分的采购",
        ),
    ):
        sections += [
            views.list_heading(title, PATH, KEY, state, key, len(frame), "项", html.H2, "section-title"),
            views.record_table(
                frame.head(views.PREVIEW_ROWS), columns, f"{KEY}-{key.replace('_', '-')}", empty_text, agency_link
            ),
        ]
    return dbc.Card(dbc.CardBody(sections), className="mb-3 section-card", id=f"{KEY}-red-flags")


def register(app: Dash) -> None:
    register_topic(app, TOPIC)

    @page_render(app, KEY, CHARTS)
    def render_procurement(query):
        req = resolve(TOPIC, query)
        state, scope, unit, period = req.state, req.scope, unit_of(req), req.state.period_label
        view = q.state_filters(state)
        total = q.summary(scope, state, **view).iloc[0]
        suppliers = q.top_suppliers(scope, state, **view)
        concentration = float(suppliers["share"].sum()) if not suppliers.empty else None
        by_category = q.breakdown(scope, state, "category", **{**view, "category": None})
        by_method = q.breakdown(scope, state, "method", **{**view, "method": None})
        trend = q.single_source_trend(scope, state, category=view["category"], agency_id=view["agency_id"])
        figures_by_slot = {
            "category": figures.donut(
                by_category[by_category["n"] > 0],
                "category",
                "contract",
                "category",
                "按采购类别合同金额",
                unit,
                period,
                selected=state.filter("category"),
            ),
            "method": figures.bars(
                by_method[by_method["n"] > 0],
                "method",
                "contract",
                "method",
                "按采购方式合同金额",
                unit,
                period,
                selected=state.filter("method"),
            ),
            "single-source": figures.share_trend(
                trend, "single_source_contract", "contract", "单一来源占合同金额比重(逐月)", "各年逐月"
            ),
            "suppliers": figures.bars(
                suppliers,
                "supplier_name",
                "contract",
                "supplier_id",
                f"前十供应商(集中度 {fmt.percent(concentration)})",
                unit,
                period,
            ),
        }
        ranking = q.region_ranking(scope, state, **view)
        ranking = ranking.assign(n_text=[f"{n:,}" for n in ranking["n"]])
        total_row = pd.concat([total, pd.Series({"n_text": f"{total['n']:,}"})])
        return (
            *header(TOPIC, req),
            _kpis(total, concentration, unit),
            *(figures_by_slot[slot.slot] for slot in CHARTS),
            views.ranking_table(
                ranking,
                total_row,
                RATE_COLUMNS,
                state,
                unit,
                PATH,
                f"{KEY}-ranking-table",
                "contract",
                f"{period} · 单位:{unit} · 节约率 =(预算 − 合同)÷ 预算",
            ),
            _red_flags(req, q.high_ratio_contracts(scope, state, **view), q.split_purchases(scope, state, **view)),
        )
