"""Fills the transfers page (转移支付与直达资金) from its URL state: thin — state → queries → figures and views."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash

from callbacks._topic import first_paint_of, header, page_render, register_topic, unit_of
from dashboard.core import format as fmt
from dashboard.core.drill import DrillState, TopicFilter
from dashboard.core.links import CLEAR, href
from dashboard.core.scope import Scope
from dashboard.ui import views
from dashboard.ui.drilltable import Column, TableView
from dashboard.ui.figures import topic as figures
from dashboard.web.topics import Request, Topic, resolve
from pages.transfers import CHARTS, KEY
from queries import transfers as q

PATH = "/transfers"


def filters(scope: Scope, state: DrillState) -> list[TopicFilter]:
    """Kinds are fixed; programs are those the region received in the period."""
    programs = sorted(set(q.transfer_flows(scope, state)["program"]))
    return [
        TopicFilter("kind", "转移支付类型", {k: k for k in q.KINDS}),
        TopicFilter("program", "转移支付项目", {p: p for p in programs}),
    ]


def table(req: Request) -> TableView:
    """The programs the region received from above; once one is chosen, its tranches (the records behind every
    figure on the page)."""
    state = req.state
    kind = state.filter("kind")
    if state.filter("program") is None:
        return TableView(
            q.PROGRAMS.name,
            f"转移支付项目明细{' · ' + kind if kind else ''}",
            (
                Column("program", "转移支付项目"),
                Column("kind", "类型"),
                Column("direct_fund", "直达资金"),
                Column("tranches", "到账笔数", "int"),
                Column("amount", "到账金额", "money"),
            ),
            drill="program",
            drill_value="program",
        )
    chosen = " · ".join(v for v in (kind, state.filter("program")) if v)
    return TableView(
        q.RECORDS.name,
        f"上级转移支付到账明细 · {chosen}",
        (
            Column("transfer_date", "到账日期", "date"),
            Column("from_name", "拨付方"),
            Column("to_name", "接收方"),
            Column("kind", "类型"),
            Column("program", "转移支付项目"),
            Column("direct_fund", "直达资金"),
            Column("amount", "金额", "money"),
        ),
        up=(("全部转移支付项目", href(PATH, state, program=CLEAR)),),
    )


TOPIC = Topic(KEY, PATH, "转移支付与直达资金", filters, table)
first_paint = first_paint_of(TOPIC)  # the heading in the page's first response


def _charted(progress: pd.DataFrame, key: str, own_code: str | None = None) -> pd.DataFrame:
    """A `direct_fund_progress` frame in the columns the progress and amount charts read; the 本级 row's key is
    the region itself (a click on it stays)."""
    return progress.assign(
        rate=progress["payment_rate"],
        grade_level=progress["payment_grade_level"],
        grade_label=progress["payment_grade"],
        available=progress["received"] - progress["passed_down"],
        key=progress[key].astype(object).fillna(own_code) if own_code else progress[key],
    )


def _kpis(total: pd.Series, net_prev: Decimal, direct: pd.Series, state: DrillState, unit: str) -> dbc.Row:
    """转移支付收入 with 同比 and 一般性 with its share (`total`: the 合计 row), 直达资金 分配进度 and 支付进度
    against 序时进度 (`direct`: the whole region's `direct_fund_progress` row)."""
    net, general = total["net"], total["general"]
    change, direction = fmt.yoy(net, net_prev) if net_prev else ("同比 —", 0)
    available = direct["received"] - direct["passed_down"]
    return dbc.Row(
        [
            views.kpi_card(
                "上级转移支付收入", fmt.money(net, unit), unit, change, views.trend_class(direction), "kpi-received"
            ),
            views.kpi_card(
                "一般性转移支付",
                fmt.money(general, unit),
                unit,
                f"占 {fmt.percent(fmt.ratio(general, net))}",
                "",
                "kpi-general",
            ),
            views.kpi_card(
                "直达资金分配进度",
                fmt.percent(direct["allocation_rate"]),
                "",
                f"已分配 {fmt.money(direct['allocated'], unit)} / 到位 {fmt.money(available, unit)} {unit}",
                "",
                "kpi-allocation",
            ),
            views.kpi_card(
                "直达资金支付进度",
                fmt.percent(direct["payment_rate"]),
                "",
                f"序时进度 {fmt.percent(state.time_progress)} · {direct['payment_grade']}",
                views.grade_text_class(direct["payment_grade_level"]),
                "kpi-payment",
            ),
        ],
        className="g-3",
    )


def register(app: Dash) -> None:
    register_topic(app, TOPIC)

    @page_render(app, KEY, CHARTS)
    def render_transfers(query):
        req = resolve(TOPIC, query)
        state, scope, unit = req.state, req.scope, unit_of(req)
        period, progress = state.period_label, state.time_progress
        kind, program = state.filter("kind"), state.filter("program")
        flows, direct = q.transfer_flows(scope, state), q.direct_fund_flows(scope, state)
        viewed, direct_viewed = q.in_view(flows, kind, program), q.in_view(direct, kind, program)
        previous = q.in_view(q.transfer_flows(scope, replace(state, year=state.year - 1)), kind, program)

        by_region = q.direct_fund_progress(direct_viewed, "code", q.direct_payment(scope, state, "code", kind, program))
        rows = q.by_row(viewed, by_region)
        whole = q.direct_fund_progress(direct_viewed, None, q.direct_payment(scope, state, None, kind, program)).iloc[0]
        total = q.total_row(rows, whole)
        by_program = _charted(
            q.direct_fund_progress(q.in_view(direct, kind), "program", q.direct_payment(scope, state, "program", kind)),
            "program",
        )
        regions = _charted(by_region, "code", state.region)
        cumulative = f"{state.year}年1-{state.last_month}月累计"
        figures_by_slot = {
            "kind": figures.donut(
                q.net_by(q.in_view(flows, program=program), "kind"),
                "kind",
                "net",
                "key",
                "按转移支付类型",
                unit,
                period,
                selected=kind,
            ),
            "program": figures.bars(
                q.net_by(q.in_view(flows, kind), "program"),
                "program",
                "net",
                "key",
                "按转移支付项目",
                unit,
                period,
                selected=program,
            ),
            "direct-program": figures.progress(
                by_program, "program", "key", "直达资金支付进度(按项目)", cumulative, progress, selected=program
            ),
            "direct-region": figures.progress(
                regions, "name", "key", "直达资金支付进度(按地区,本级单列)", cumulative, progress
            ),
            "direct-amounts": figures.grouped_bars(
                by_program,
                "program",
                "key",
                [("available", "资金到位"), ("allocated", "已分配"), ("paid", "已支付")],
                "直达资金到位、分配与支付(按项目)",
                unit,
                cumulative,
                selected=program,
            ),
        }
        columns = [
            ("received", "上级补助收入", "money"),
            ("passed_down", "本级对下转移支付", "money"),
            ("net", "转移支付净额", "money"),
            ("general", "一般性", "money"),
            ("special", "专项", "money"),
            ("shared", "共同事权", "money"),
            ("allocation_rate", "直达分配进度", "percent"),
            ("payment_rate", "直达支付进度", "percent"),
            ("payment_grade", "支付进度评级", "grade"),
        ]
        return (
            *header(TOPIC, req),
            _kpis(total, sum(q.net_by(previous, "kind")["net"], Decimal(0)), whole, state, unit),
            *(figures_by_slot[slot.slot] for slot in CHARTS),
            views.ranking_table(
                rows,
                total,
                columns,
                state,
                unit,
                PATH,
                f"{KEY}-ranking-table",
                "net",
                f"转移支付 {period};直达资金 {cumulative} · 单位:{unit} · 本级净额 = 上级补助收入 − "
                "本级对下转移支付;下级区划按全辖计,其内部的转移支付不计(—),合计为全地区从上级获得的转移支付",
            ),
            [],
        )
