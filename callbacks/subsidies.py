"""Fills the subsidies page (惠民惠农补贴) from its URL state: thin — state → queries → figures and views. Every
frame with personal data is masked here, before it becomes a component, unless the user may see it unmasked."""

from __future__ import annotations

from decimal import Decimal

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, html

from callbacks._topic import first_paint_of, header, page_render, ranking, register_topic, unit_of
from dashboard.core import format as fmt
from dashboard.core.drill import DrillState, TopicFilter
from dashboard.core.links import CLEAR, href
from dashboard.core.masking import mask_frame
from dashboard.core.scope import Scope
from dashboard.ui import views
from dashboard.ui.drilltable import Column, TableView
from dashboard.ui.figures import topic as figures
from dashboard.web.topics import Request, Topic, resolve
from pages.subsidies import CHARTS, KEY
from queries import subsidies as q

PATH = "/subsidies"
RANKING_COLUMNS = [
    ("n_text", "发放笔数", "text"),
    ("amount", "发放金额", "money"),
    ("recipients_text", "受益人数", "text"),
    ("per_payout_text", "笔均(元)", "text"),
    ("per_recipient_text", "人均(元)", "text"),
]
TOWNSHIP_COLUMNS = [
    ("township", "乡镇", "text"),
    ("n_text", "发放笔数", "text"),
    ("amount", "发放金额", "money"),
    ("recipients_text", "受益人数", "text"),
    ("per_payout_text", "笔均(元)", "text"),
    ("per_recipient_text", "人均(元)", "text"),
]
PERSON_COLUMNS = [
    ("pay_date", "发放日期", "date"),
    ("program_name", "补贴项目", "text"),
    ("region_name", "区划", "text"),
    ("township", "乡镇", "text"),
    ("recipient_name", "姓名", "text"),
    ("recipient_id_number", "身份证号", "text"),
    ("bank_account", "银行账号", "text"),
    ("amount", "金额", "money"),
]
FLAGS = {  # flag: (title, its detail column or None, what an empty list says)
    "duplicate_id": ("同一身份证同月同项目在两个以上县发放", ("counties", "发放县数", "int"), "本期没有跨县重复发放"),
    "after_death": ("死亡后仍发放", ("death_date", "死亡日期", "date"), "本期没有死亡后发放"),
    "above_standard": ("超过补贴标准发放", ("standard_amount", "补贴标准", "money"), "本期没有超标准发放"),
    "account_mismatch": ("发放至非本人账户", ("account_name", "账户户名", "text"), "本期没有非本人账户发放"),
    "employee_dibao": ("财政供养人员领取低保", None, "本期没有财政供养人员领取低保"),
}


def filters(scope: Scope, state: DrillState) -> list[TopicFilter]:
    """Category and program from the store (programs that paid anyone in the scope)."""
    programs = q.programs(scope)
    return [
        TopicFilter("category", "补贴类别", {c: c for c in sorted(set(programs["category"]))}),
        TopicFilter("program", "补贴项目", dict(zip(programs["id"], programs["name"]))),
        TopicFilter("flag", "疑点类型", {flag: title for flag, (title, _, _) in FLAGS.items()}),
    ]


def table(req: Request) -> TableView:
    """The programs of the view; once one is chosen, its single payouts (personal data masked by role)."""
    state = req.state
    flag, program = state.filter("flag"), state.filter("program")
    if flag is not None:
        title, detail, _ = FLAGS[flag]
        return TableView(
            q.FLAGGED_TABLE.name,
            f"疑点 · {title}",
            (
                Column("pay_date", "发放日期", "date"),
                Column("program_name", "补贴项目"),
                Column("region_name", "区划"),
                Column("township", "乡镇"),
                Column("recipient_name", "姓名", mask="name"),
                Column("recipient_id_number", "身份证号", mask="id_number"),
                Column("bank_account", "银行账号", mask="account"),
                Column("amount", "金额", "money"),
                *(
                    [Column(detail[0], detail[1], detail[2], mask="name" if detail[0] == "account_name" else None)]
                    if detail
                    else []
                ),
            ),
            up=(("全部补贴项目", href(PATH, state, flag=CLEAR)),),
        )
    if program is not None:
        name = next(s for s in req.specs if s.name == "program").choices[program]
        return TableView(
            q.PAYOUT_TABLE.name,
            f"{name} · 发放明细",
            (
                Column("pay_date", "发放日期", "date"),
                Column("region_name", "区划"),
                Column("township", "乡镇"),
                Column("village", "村"),
                Column("recipient_name", "姓名", mask="name"),
                Column("recipient_id_number", "身份证号", mask="id_number"),
                Column("bank_account", "银行账号", mask="account"),
                Column("amount", "金额", "money"),
            ),
            up=(("全部补贴项目", href(PATH, state, program=CLEAR)),),
        )
    return TableView(
        q.PROGRAM_TABLE.name,
        "补贴项目明细",
        (
            Column("program_name", "补贴项目"),
            Column("category", "补贴类别"),
            Column("run_by", "实施层级"),
            Column("standard_amount", "补贴标准", "money"),
            Column("n", "发放笔数", "int"),
            Column("recipients", "受益人数", "int"),
            Column("amount", "发放金额", "money"),
        ),
        drill="program",
    )


TOPIC = Topic(KEY, PATH, "惠民惠农补贴", filters, table, capita="subsidy_per_capita")
first_paint = first_paint_of(TOPIC)  # the heading in the page's first response


def _yuan(value: Decimal | None) -> str:
    return "—" if value is None else fmt.money(value, "元")


def _kpis(total: pd.Series, unit: str, sample: Decimal | None) -> dbc.Row:
    change, direction = fmt.yoy(total["amount"], total["amount_prev"])
    note = (
        [
            dbc.Col(
                html.Small(
                    f"演示数据:一卡通发放按约 {float(sample) * 100:.2g}% 抽样,金额与笔数只是全省的一小部分;"
                    "每笔按各项目自身标准发放,人均与笔均可信",
                    className="text-muted",
                    id="subsidy-sample-note",
                ),
                width=12,
            )
        ]
        if sample is not None
        else []
    )
    count_change, _ = fmt.yoy(Decimal(int(total["n"])), Decimal(int(total["n_prev"])))
    return dbc.Row(
        [
            views.kpi_card(
                "补贴发放金额",
                fmt.money(total["amount"], unit),
                unit,
                change,
                views.trend_class(direction),
                "kpi-amount",
            ),
            views.kpi_card("发放笔数", f"{total['n']:,}", "笔", count_change, "", "kpi-payouts"),
            views.kpi_card(
                "受益人数",
                f"{total['recipients']:,}",
                "人",
                f"人均 {_yuan(total['per_recipient'])} 元",
                "",
                "kpi-recipients",
            ),
            views.kpi_card("笔均金额", _yuan(total["per_payout"]), "元", "发放金额 ÷ 发放笔数", "", "kpi-per-payout"),
            *note,
        ],
        className="g-3",
    )


def _short(names: pd.Series, size: int = 10) -> list[str]:
    """Chart labels cut to `size` characters: long program names made Plotly's automatic margins on a phone-wide
    chart redraw without end (the page hung at 390 px)."""
    return [n if len(n) <= size else n[: size - 1] + "…" for n in names]


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts with thousands separators and averages in 元, for the ranking's text columns."""
    return frame.assign(
        n_text=[f"{n:,}" for n in frame["n"]],
        recipients_text=[f"{r:,}" for r in frame["recipients"]],
        per_payout_text=[_yuan(v) for v in frame["per_payout"]],
        per_recipient_text=[_yuan(v) for v in frame["per_recipient"]],
    )


def _ranking(req: Request, total: pd.Series, towns: pd.DataFrame | None, unit: str) -> html.Div:
    """Child regions with 本级 as its own row; a county (no child regions) lists its 乡镇 instead."""
    state = req.state
    note = "受益人数按身份证号去重"
    if towns is not None:
        return html.Div(
            [
                html.Div(f"乡镇发放情况 · {state.period_label} · 金额单位:元 · {note}", className="caption"),
                views.record_table(_as_text(towns), TOWNSHIP_COLUMNS, f"{KEY}-township-table", "本期没有发放"),
            ]
        )
    ranking = _as_text(q.region_ranking(req.scope, state, **q.state_filters(state)))
    return views.ranking_table(
        ranking,
        _as_text(total.to_frame().T).iloc[0],
        RANKING_COLUMNS,
        state,
        unit,
        PATH,
        f"{KEY}-ranking-table",
        "amount",
        f"{state.period_label} · 单位:{unit} · {note}",
    )


def _anomalies(req: Request) -> dbc.Card:
    """The auditors' checks: how many payouts each caught, and the largest few of each list (masked). The whole
    list opens in the drill table below (the `flag` filter), where it pages and exports."""
    state, filters = req.state, q.state_filters(req.state)
    counts = q.flag_summary(req.scope, state, **filters).set_index("flag")
    sections = [
        html.H2("疑点核查", className="section-title"),
        html.Div(
            f"{state.period_label} · 发放记录与死亡、财政供养人员、补贴标准等信息比对 · 金额单位:元",
            className="caption",
        ),
    ]
    for flag, (title, detail, empty_text) in FLAGS.items():
        n = int(counts.at[flag, "n"])
        frame = mask_frame(
            q.flagged_payouts(req.scope, state, flag, **filters, limit=views.PREVIEW_ROWS), q.PERSONAL_COLUMNS, None
        )
        heading = [
            f"疑点 · {title}({n:,} 笔",
            html.Span(
                f",{fmt.money(counts.at[flag, 'amount'], '元')} 元,涉及 {int(counts.at[flag, 'recipients']):,} 人)"
            ),
        ]
        sections += [
            views.list_heading(heading, PATH, KEY, state, flag, n, "笔"),
            views.record_table(frame, [*PERSON_COLUMNS, *([detail] if detail else [])], f"{KEY}-{flag}", empty_text),
        ]
    return dbc.Card(dbc.CardBody(sections), className="mb-3 section-card", id=f"{KEY}-anomalies")


def register(app: Dash) -> None:
    register_topic(app, TOPIC)

    @page_render(app, KEY, CHARTS)
    def render_subsidies(query):
        req = resolve(TOPIC, query)
        state, scope, unit, period = req.state, req.scope, unit_of(req), req.state.period_label
        view = q.state_filters(state)
        total = q.summary(scope, state, **view).iloc[0]
        months = q.monthly(scope, state, **view)
        by_year = {year: part.set_index("month")["amount"] for year, part in months.groupby("year")}
        course = pd.DataFrame({"month": sorted(set(months["month"]))})
        course["current"] = course["month"].map(by_year.get(state.year, pd.Series(dtype=object)))
        course["previous"] = course["month"].map(by_year.get(state.year - 1, pd.Series(dtype=object)))
        unit_small = fmt.unit_for_level("county")  # single payouts are small: every chart in 万元
        county = req.tree[state.region].level == "county"  # a county ranks its townships (with recipients)
        towns = q.township_ranking(scope, state, **view, limit=1000 if county else 15, people=county)
        figures_by_slot = {
            "category": figures.bars(
                q.by_category(scope, state, program=view["program"]).assign(label=lambda f: _short(f["category"])),
                "label",
                "amount",
                "category",
                "按补贴类别发放金额",
                unit_small,
                period,
                selected=state.filter("category"),
            ),
            "program": figures.bars(
                q.by_program(scope, state, category=view["category"]).assign(
                    key=lambda f: f["id"].astype(str), label=lambda f: _short(f["program_name"])
                ),
                "label",
                "amount",
                "key",
                "发放金额前15的补贴项目",
                unit_small,
                period,
                selected=state.filter("program"),
            ),
            "monthly": figures.monthly_compare(course, "月度发放金额与上年同期", unit_small, state.year, period),
            "township": figures.bars(
                towns.head(15).assign(label=lambda f: _short(f["region_name"] + f["township"])),
                "label",
                "amount",
                "township",
                "发放金额前15的乡镇",
                unit_small,
                period,
            ),
        }
        return (
            *header(TOPIC, req),
            _kpis(total, unit, q.sample_share(scope)),
            *(figures_by_slot[slot.slot] for slot in CHARTS),
            ranking(
                TOPIC, req, query, _ranking(req, total, towns, unit) if county else _ranking(req, total, None, unit)
            ),
            _anomalies(req),
        )
