"""Fills the revenue page (收入分析) from its URL state: thin — state → queries → figures and views."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash

from callbacks._topic import first_paint_of, header, page_render, ranking, register_topic, unit_of
from dashboard.core import format as fmt
from dashboard.core.drill import DrillState, TopicFilter
from dashboard.core.links import CLEAR, href
from dashboard.core.scope import Scope
from dashboard.ui import views
from dashboard.ui.drilltable import Column, TableView
from dashboard.ui.figures import topic as figures
from dashboard.web.topics import Request, Topic, resolve
from pages.revenue import CHARTS, KEY
from queries import reporting
from queries import revenue as q
from queries.classifications import classification_names

PATH = "/revenue"


def filters(_scope: Scope, _state: DrillState) -> list[TopicFilter]:
    items = classification_names("revenue", 5)
    return [
        TopicFilter("kind", "收入类别", q.KINDS),
        TopicFilter("item", "收入科目", {c: f"{c} {n}" for c, n in items.items()}),
    ]


def table(req: Request) -> TableView:
    """Items of the period against last year; an item's collection records."""
    state = req.state
    if (item := state.filter("item")) is not None:
        name = classification_names("revenue", 5)[item]
        return TableView(
            "revenue.records",
            f"{state.filter('item')} {name} · 入库明细",
            (
                Column("collect_date", "入库日期", "date"),
                Column("region_name", "区划"),
                Column("item_code", "收入科目"),
                Column("amount", "金额", "money"),
            ),
            up=(("全部科目", href(PATH, state, item=CLEAR)),),
        )
    return TableView(
        "revenue.items",
        "收入科目明细(本期与上年同期)",
        (
            Column("item_code", "科目编码"),
            Column("item_name", "科目名称"),
            Column("kind_name", "类别"),
            Column("current", "本期收入", "money"),
            Column("previous", "上年同期", "money"),
            Column("change", "增减额", "money"),
        ),
        drill="item",
    )


TOPIC = Topic(KEY, PATH, "收入分析", filters, table, capita="revenue_per_capita")
first_paint = first_paint_of(TOPIC)  # the heading in the page's first response


def _with_change(frame: pd.DataFrame, state: DrillState) -> pd.DataFrame:
    """The ratios of `queries.revenue` and the 同比 text of each row."""
    return q.with_ratios(frame, state).assign(
        change=[fmt.change(c, p)[0] for c, p in zip(frame["current"], frame["previous"])]
    )


def _kpis(total: pd.Series, state: DrillState, unit: str) -> dbc.Row:
    change, direction = fmt.yoy(total["current"], total["previous"])
    return dbc.Row(
        [
            views.kpi_card(
                "一般公共预算收入",
                fmt.money(total["current"], unit),
                unit,
                change,
                views.trend_class(direction),
                "kpi-revenue",
            ),
            views.kpi_card(
                "税收收入",
                fmt.money(total["tax"], unit),
                unit,
                f"非税收入 {fmt.money(total['nontax'], unit)} {unit}",
                "",
                "kpi-tax",
            ),
            views.kpi_card(
                "税收占比", fmt.percent(total["tax_share"]), "", "税收收入 ÷ 一般公共预算收入", "", "kpi-tax-share"
            ),
            views.kpi_card(
                "财政自给率",
                fmt.percent(total["self_sufficiency"]),
                "",
                f"收入 ÷ 一般公共预算支出 · {state.period_label}",
                "",
                "kpi-self-sufficiency",
            ),
        ],
        className="g-3",
    )


def register(app: Dash) -> None:
    register_topic(app, TOPIC)

    @page_render(app, KEY, CHARTS)
    def render_revenue(query):
        req = resolve(TOPIC, query)
        state, scope, unit = req.state, req.scope, unit_of(req)
        period = state.period_label
        regions = _with_change(q.by_region(scope, state), state)
        total = q.total_of(regions, state)
        total["change"] = fmt.change(total["current"], total["previous"])[0]
        filtered = q.by_region(scope, state, filtered=True)
        charted = _with_change(filtered, state).assign(key=filtered["code"].fillna(state.region))
        items = q.by_item(scope, state, "item")
        figures_by_slot = {
            "kind": figures.donut(
                q.by_item(scope, state, "kind"),
                "name",
                "current",
                "key",
                "税收与非税收入",
                unit,
                period,
                selected=state.filter("kind"),
            ),
            "items": figures.bars(
                items, "name", "current", "key", "按收入科目", unit, period, selected=state.filter("item")
            ),
            "monthly": figures.monthly_compare(q.monthly(scope, state), "月度收入与上年同期", unit, state.year, period),
            "drivers": figures.changes(
                items, "name", "change", "key", "同比增减的主要科目", unit, period, selected=state.filter("item")
            ),
            "regions": figures.bars(charted, "name", "current", "key", "各地区收入(本级单列)", unit, period),
            "tax-share": figures.percent_bars(
                charted,
                "name",
                "tax_share",
                "key",
                "各地区税收占比",
                period,
                reference=(total["tax_share"], "全地区") if total["tax_share"] else None,
            ),
            "self-sufficiency": figures.percent_bars(
                charted,
                "name",
                "self_sufficiency",
                "key",
                "各地区财政自给率",
                period,
                reference=(total["self_sufficiency"], "全地区") if total["self_sufficiency"] else None,
            ),
        }
        columns = [
            ("current", "本期收入", "money"),
            ("change", "同比", "change"),
            ("tax", "税收收入", "money"),
            ("tax_share", "税收占比", "percent"),
            ("spending", "一般公共预算支出", "money"),
            ("self_sufficiency", "财政自给率", "percent"),
        ]
        return (
            *header(TOPIC, req),
            _kpis(total, state, unit),
            *(figures_by_slot[slot.slot] for slot in CHARTS),
            ranking(
                TOPIC,
                req,
                query,
                views.ranking_table(
                    regions,
                    total,
                    columns,
                    state,
                    unit,
                    PATH,
                    f"{KEY}-ranking-table",
                    "current",
                    f"{period} · 单位:{unit}",
                    reporting.row_reporting(scope, state, ("revenue",)),
                ),
            ),
            [],
        )
