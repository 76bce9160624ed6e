"""Fills the data-quality page (数据质量) from its URL state: thin — state → queries → figures and views."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, html

from callbacks._topic import first_paint_of, header, page_render, register_topic
from dashboard.core import grades
from dashboard.core import quality as catalogue
from dashboard.core.drill import DrillState, TopicFilter
from dashboard.core.scope import Scope
from dashboard.ui import views
from dashboard.ui.drilltable import Column, TableView
from dashboard.ui.figures import topic as figures
from dashboard.web.topics import Request, Topic, resolve
from pages.quality import CHARTS, KEY
from queries import quality as q

PATH = "/quality"


def filters(_scope: Scope, _state: DrillState) -> list[TopicFilter]:
    return [
        TopicFilter("quarter", "季度", dict(q.QUARTERS)),
        TopicFilter("rule", "规则", {r.code: f"{r.code} {r.name}" for r in catalogue.RULES}),
    ]


def table(req: Request) -> TableView:
    """The records that failed a rule (all rules unless the rule filter is set): personal values masked."""
    rule = req.state.filter("rule")
    name = f"{rule} {catalogue.BY_CODE[rule].name}" if rule in catalogue.BY_CODE else "全部规则"
    return TableView(
        "quality.failures",
        f"未通过记录({name} · {q.period_label(req.state)})",
        (
            Column("rule", "规则"),
            Column("rule_name", "规则名称"),
            Column("dimension", "维度"),
            Column("region_name", "区划"),
            Column("period", "季度"),
            Column("record_table", "数据表"),
            Column("record_key", "记录"),
            Column("field", "字段"),
            Column("value_id", "身份证号", mask="id_number"),
            Column("value_account", "账号", mask="account"),
            Column("value_name", "户名", mask="name"),
            Column("value", "值"),
            Column("detail", "说明"),
        ),
    )


TOPIC = Topic(KEY, PATH, "数据质量", filters, table)
first_paint = first_paint_of(TOPIC)  # the heading in the page's first response


def _score_text(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.2f}"


def _kpis(total: pd.Series) -> dbc.Row:
    """总分 with its grade, then each dimension's score."""
    overall = total[catalogue.OVERALL]
    grade = grades.data_quality(None if overall is None else float(overall))
    checked = (
        "—" if total["checked"] is None else f"检查 {int(total['checked']):,} 条 · 未通过 {int(total['failed']):,} 条"
    )
    cards = [
        views.kpi_card(
            "数据质量总分",
            _score_text(overall),
            "分",
            checked,
            "",
            "kpi-quality",
            grade=grade,
            lg=4,
            help="各规则得分按设置中的权重加权平均(满分 100)",
        )
    ]
    for i, dimension in enumerate(catalogue.DIMENSIONS):
        rules = "、".join(r.code for r in catalogue.RULES if r.dimension == dimension)
        cards.append(
            views.kpi_card(
                dimension, _score_text(total[dimension]), "分", f"规则 {rules}", "", f"kpi-quality-{i}", lg=2
            )
        )
    return dbc.Row(cards, className="g-3")


def _rules_table(rules: pd.DataFrame, state: DrillState) -> html.Div:
    """Every rule: its definition shown on screen, its weight, and what it found in the region."""
    selected = state.filter("rule")
    body = [
        html.Tr(
            [
                html.Td(r.code),
                html.Td(r.dimension),
                html.Td(r.name, className="text-start"),
                html.Td(r.definition, className="text-start rule-definition"),
                html.Td(f"{r.weight:g}"),
                html.Td(f"{r.checked:,}"),
                html.Td(f"{r.failed:,}", className="grade grade-red" if r.failed else ""),
                html.Td(_score_text(r.score)),
            ],
            className="table-active" if r.code == selected else "",
        )
        for r in rules.itertuples()
    ]
    head = ["编号", "维度", "规则", "定义", "权重", "检查记录", "未通过", "得分"]
    return html.Div(
        html.Table(
            [
                html.Caption(
                    f"质量规则与结果({q.period_label(state)}) · 规则得分 = 100 ×(1 − 未通过率 ÷ 零分阈值),"
                    "维度和总分为规则得分的加权平均;权重与阈值见设置表",
                    className="caption-top",
                ),
                html.Thead(
                    html.Tr([html.Th(h, className="text-start" if h in ("规则", "定义") else "") for h in head])
                ),
                html.Tbody(body),
            ],
            className="table table-sm money-table mb-0",
            id=f"{KEY}-rules-table",
        ),
        className="table-scroll mt-3",
    )


def register(app: Dash) -> None:
    register_topic(app, TOPIC)

    @page_render(app, KEY, CHARTS)
    def render_quality(query):
        req = resolve(TOPIC, query)
        state, scope = req.state, req.scope
        period = q.period_label(state)
        scores = q.region_scores(scope, state)
        rules = q.rule_results(scope, state)
        trend = q.trend(scope, state)
        total = (
            scores[scores["is_total"]].iloc[0]
            if not scores.empty
            else pd.Series(dict.fromkeys((*q.ITEMS, "checked", "failed")), dtype=object)
        )
        children = scores[~scores["is_total"]].copy()
        ranked = children.assign(score_sort=[-1.0 if v is None else float(v) for v in children[catalogue.OVERALL]])
        columns = [("score_text", "总分", "text"), ("grade", "评级", "grade")]
        columns += [(f"d{n}", d, "text") for n, d in enumerate(catalogue.DIMENSIONS)]
        columns += [("failed_text", "未通过记录", "text")]

        def shown(frame: pd.DataFrame) -> pd.DataFrame:
            graded = [grades.data_quality(None if v is None else float(v)) for v in frame[catalogue.OVERALL]]
            out = frame.assign(
                score_text=[_score_text(v) for v in frame[catalogue.OVERALL]],
                grade=[g.label if v is not None else "无数据" for g, v in zip(graded, frame[catalogue.OVERALL])],
                grade_level=[g.level for g in graded],
                failed_text=["—" if v is None else f"{int(v):,}" for v in frame["failed"]],
            )
            for n, d in enumerate(catalogue.DIMENSIONS):
                out[f"d{n}"] = [_score_text(v) for v in frame[d]]
            return out

        summary = shown(pd.DataFrame([total])).iloc[0]
        figures_by_slot = {
            "trend": figures.score_trend(trend, list(q.ITEMS), "数据质量评分趋势(按季度)", f"{state.year}年及以前"),
            "rules": figures.rule_failures(rules, "各规则未通过记录", period, selected=state.filter("rule")),
        }
        return (
            *header(TOPIC, req),
            _kpis(total),
            *(figures_by_slot[slot.slot] for slot in CHARTS),
            [
                views.ranking_table(
                    shown(ranked),
                    summary,
                    columns,
                    state,
                    "分",
                    PATH,
                    f"{KEY}-ranking-table",
                    "score_sort",
                    f"{period} · 按总分排名 · 市的得分含所属县市区 · 满分 100",
                ),
                _rules_table(rules, state),
            ],
            [],
        )
