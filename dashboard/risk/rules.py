"""The warning rules (预警规则), declared: code, name, topic, what each computes, its grading and its evidence.

A rule turns one measure of `dashboard.risk.measures` into findings: one row per unit and period whose grade is not
normal. Thresholds live in the settings table and gradings in `dashboard.core.grades`, so a rule, a topic page and the
big screen never disagree. Two shapes cover every rule:
- ratio rules divide a measure per unit and grade the ratio (预算执行, 库款保障水平, 债务率 …);
- record rules flag individual records (a payout after death, a split purchase) and raise one warning per unit
  listing them, at the rule's fixed severity.
暂付款 and 结转 rules are not here: the finance store holds no 暂付款 balances or 结转 records yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core import format as fmt
from dashboard.core import grades, settings
from dashboard.core.grades import Grade
from dashboard.core.masking import mask_id_number, mask_name
from dashboard.core.quality import DIMENSIONS, OVERALL
from dashboard.risk import measures as m
from dashboard.risk.measures import AsOf

FINDING_COLUMNS = ["region", "period", "period_label", "value", "value_text", "level", "label", "evidence"]
EVIDENCE_ROWS = 20  # records listed in a warning's evidence (the count is always complete)
TOPICS = ("预算执行", "三保", "库款", "债务", "直达资金", "收入质量", "政府采购", "惠民补贴", "支付", "数据质量")
REPORTED_TABLES = {  # a topic's figures → the reported table they come from (a unit that has not reported it is
    "预算执行": "payment",  # not graded on that topic: `run._reported_only`)
    "三保": "payment",
    "直达资金": "payment",
    "支付": "payment",
    "库款": "treasury_cash",
    "收入质量": "revenue",
}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    topic: str
    computes: str  # what it computes, in words, shown beside the evidence
    threshold: Callable[[], str]  # the grading in words, from the current settings
    evaluate: Callable[[Connection, AsOf], pd.DataFrame]  # findings (FINDING_COLUMNS), normal units left out
    cadence: str = "ytd"  # the periods it judges: ytd (1..month), month (each month), year

    def periods(self, as_of: AsOf) -> set[str]:
        """The periods a run as of `as_of` judges: their open warnings not found again are cleared (已解除)."""
        if self.cadence == "month":
            return {month_period(as_of.year, month)[0] for month in range(1, as_of.month + 1)}
        if self.cadence == "year":
            return {year_period(as_of.year)[0]}
        return {ytd_period(as_of)[0]}


# -- how values and periods are written ---------------------------------------------------------------------------


def _percent(value: float) -> str:
    return fmt.percent(value)


def _times(value: float) -> str:
    return f"{value:.2f} 倍"


def _wan(amount: float | Decimal) -> str:
    return f"{fmt.money(Decimal(str(amount)), '万元')} 万元"


def _yuan(amount) -> str:
    return f"{Decimal(str(amount)):,.2f} 元"


def ytd_period(as_of: AsOf) -> tuple[str, str]:
    return as_of.key, f"{as_of.year}年1-{as_of.month}月"


def month_period(year: int, month: int) -> tuple[str, str]:
    return f"{year}-{month:02d}", f"{year}年{month}月"


def year_period(year: int) -> tuple[str, str]:
    return str(year), f"{year}年"


def _findings(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=FINDING_COLUMNS)
    return frame[frame["level"].notna()].reset_index(drop=True)


def _finding(
    region: str, period: tuple[str, str], value: float | None, value_text: str, grade: Grade, evidence: dict
) -> dict:
    return {
        "region": region,
        "period": period[0],
        "period_label": period[1],
        "value": value,
        "value_text": value_text,
        "level": grade.level,
        "label": grade.label,
        "evidence": evidence,
    }


# -- ratio rules ----------------------------------------------------------------------------------------------------


def ratio_rule(
    code: str,
    name: str,
    topic: str,
    computes: str,
    *,
    measure,
    grading,
    show,
    threshold: str,
    num_label: str,
    den_label: str,
    period=ytd_period,
    cadence: str = "ytd",
) -> Rule:
    """A rule grading num ÷ den of `measure` per unit (and per month when the measure has a `month` column).

    `grading(value, as_of)` gives the Grade, `show(value, as_of)` writes the value, `threshold` is a format string
    over the settings (e.g. '< {CASH_RED} 红')."""

    def evaluate(conn: Connection, as_of: AsOf) -> pd.DataFrame:
        frame = measure(conn, as_of)
        records = []
        for row in frame.itertuples(index=False):
            value = row.value if "value" in frame.columns else (row.num / row.den if row.den else None)
            if value is None:
                continue
            when = month_period(as_of.year, row.month) if "month" in frame.columns else period(as_of)
            records.append(
                _finding(
                    row.region,
                    when,
                    value,
                    show(value, as_of),
                    grading(value, as_of),
                    {
                        "facts": [
                            [num_label, _wan(row.num)],
                            [den_label, _wan(row.den)],
                            ["计算结果", show(value, as_of)],
                        ]
                    },
                )
            )
        return _findings(records)

    return Rule(code, name, topic, computes, lambda: threshold.format(**_settings()), evaluate, cadence)


def _settings() -> dict:
    return {s.name: settings.get(s.name) for s in settings.SETTINGS}


def _lag(value: float, as_of: AsOf) -> Grade:
    return grades.execution_lag(value, as_of.time_progress)


def _show_lag(value: float, as_of: AsOf) -> str:
    lag = (as_of.time_progress - value) * 100
    behind = f"滞后 {lag:.1f} 个百分点" if lag > 0 else f"超前 {-lag:.1f} 个百分点"
    return f"{_percent(value)}(序时进度 {_percent(as_of.time_progress)},{behind})"


LAG_THRESHOLD = (
    "落后序时进度 0–{EXECUTION_LAG_RED:g} 个百分点 黄(进度滞后),超过 {EXECUTION_LAG_RED:g} 个百分点 红(严重滞后)"
)


def _execution_rule(
    code: str,
    name: str,
    topic: str,
    computes: str,
    key: str = "execution",
    filters: dict[str, object] | None = None,
    den_label: str = "全年预算指标",
) -> Rule:
    return ratio_rule(
        code,
        name,
        topic,
        computes,
        measure=lambda conn, as_of: m.execution(conn, as_of, key, filters),
        grading=_lag,
        show=_show_lag,
        threshold=LAG_THRESHOLD,
        num_label="累计支付",
        den_label=den_label,
    )


def _plain(grading) -> Callable[[float, AsOf], Grade]:
    return lambda value, _as_of: grading(value)


# -- record rules ---------------------------------------------------------------------------------------------------

_MASKS = {"recipient_id_number": mask_id_number, "recipient_name": mask_name}
_LABELS = {
    "id": "编号",
    "plan_no": "采购计划编号",
    "item_name": "采购品目",
    "method": "采购方式",
    "budget_amount": "预算金额",
    "contract_amount": "合同金额",
    "supplier_name": "供应商",
    "notice_date": "公告日期",
    "recipient_id_number": "身份证号",
    "recipient_name": "姓名",
    "category": "补贴类别",
    "amount": "金额",
    "pay_date": "支付日期",
    "voucher_no": "支付凭证号",
    "func_code": "功能科目",
    "econ_code": "经济科目",
    "doc_no": "指标文号",
    "paid": "已支付",
    "group": "组",
}
_MONEY = {"budget_amount", "contract_amount", "amount", "paid"}


def _cell(column: str, value) -> str:
    if column in _MASKS:
        return _MASKS[column](value)  # evidence is stored masked: it is shown to every role that sees warnings
    if column in _MONEY:
        return _yuan(value)
    return str(value)


def _record_evidence(rows: pd.DataFrame, columns: list[str]) -> dict:
    return {
        "columns": [_LABELS[c] for c in columns],
        "rows": [
            [_cell(c, v) for c, v in zip(columns, row)]
            for row in rows[columns].head(EVIDENCE_ROWS).itertuples(index=False)
        ],
        "total": len(rows),
    }


def record_rule(
    code: str,
    name: str,
    topic: str,
    computes: str,
    *,
    measure,
    severity: Grade,
    columns: list[str],
    noun: str,
    threshold: str,
) -> Rule:
    """A rule raising one warning per unit with flagged records, at `severity`; evidence lists the records."""

    def evaluate(conn: Connection, as_of: AsOf) -> pd.DataFrame:
        frame = measure(conn, as_of)
        records = []
        for region, rows in frame.groupby("region", sort=True):
            count = rows["group"].nunique() if "group" in rows.columns else len(rows)
            records.append(
                _finding(
                    region,
                    year_period(as_of.year),
                    float(count),
                    f"{count} {noun}",
                    severity,
                    _record_evidence(rows, columns),
                )
            )
        return _findings(records)

    return Rule(code, name, topic, computes, lambda: threshold.format(**_settings()), evaluate, "year")


PAYOUT = ["recipient_id_number", "recipient_name", "category", "amount", "pay_date", "id"]
PROCUREMENT = ["plan_no", "item_name", "method", "budget_amount", "contract_amount", "supplier_name", "notice_date"]


# -- rules with a shape of their own --------------------------------------------------------------------------------


def _department_lag(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Each unit graded by its slowest department; the evidence lists departments behind 序时进度."""
    frame = m.department_execution(conn, as_of)
    frame["rate"] = frame["num"] / frame["den"]
    records = []
    for region, rows in frame.sort_values("rate").groupby("region", sort=True):
        worst = rows.iloc[0]
        behind = rows[rows["rate"] < as_of.time_progress]
        records.append(
            _finding(
                region,
                ytd_period(as_of),
                float(worst["rate"]),
                f"{worst['department']} {_show_lag(worst['rate'], as_of)}",
                _lag(worst["rate"], as_of),
                {
                    "columns": ["主管部门", "累计支付", "全年预算指标", "执行率"],
                    "rows": [
                        [r.department, _wan(r.num), _wan(r.den), _percent(r.rate)]
                        for r in behind.head(EVIDENCE_ROWS).itertuples()
                    ],
                    "total": len(behind),
                },
            )
        )
    return _findings(records)


def _wage_months(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    records = []
    for row in m.wage_months_paid(conn, as_of).itertuples(index=False):
        missing = int(row.den - row.num)
        grade = Grade("红", "工资欠发") if missing > 0 else grades.NORMAL
        records.append(
            _finding(
                row.region,
                ytd_period(as_of),
                float(missing),
                f"{missing} 个月未发放",
                grade,
                {"facts": [["已发放月份", f"{row.num:g}"], ["应发放月份", f"{row.den:g}"]]},
            )
        )
    return _findings(records)


def _year_end(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """The latest complete year up to `as_of` (December is in the data only then)."""
    year = as_of.year if as_of.month == 12 else as_of.year - 1
    records = []
    for row in m.year_end_share(conn, year).itertuples(index=False):
        share = row.num / row.den
        records.append(
            _finding(
                row.region,
                year_period(year),
                share,
                _percent(share),
                grades.year_end_share(share),
                {"facts": [["12月支付", _wan(row.num)], ["全年支付", _wan(row.den)], ["12月占比", _percent(share)]]},
            )
        )
    return _findings(records)


def _data_quality(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """数据质量 总分 of the year so far, per county, graded; the dimensions as evidence."""
    frame = m.quality_scores(conn, as_of.year)
    records = []
    for region, rows in frame.groupby("region", sort=True):
        by_item = rows.set_index("item")
        if OVERALL not in by_item.index or by_item.loc[OVERALL, "score"] is None:
            continue
        score = float(by_item.loc[OVERALL, "score"])
        facts = [
            [d, "—" if by_item.loc[d, "score"] is None else f"{float(by_item.loc[d, 'score']):.2f} 分"]
            for d in DIMENSIONS
            if d in by_item.index
        ]
        facts += [
            ["检查记录", f"{int(by_item.loc[OVERALL, 'checked']):,} 条"],
            ["未通过", f"{int(by_item.loc[OVERALL, 'failed']):,} 条"],
        ]
        records.append(
            _finding(
                region,
                year_period(as_of.year),
                score,
                f"{score:.2f} 分",
                grades.data_quality(score),
                {"facts": facts},
            )
        )
    return _findings(records)


def _debt_limit(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    frame = m.debt_over_limit(conn, as_of)
    frame = frame[frame["region"].isin(frame.loc[frame["num"] > frame["den"], "region"])]  # units over a limit
    records = []
    for region, rows in frame.groupby("region", sort=True):
        over = rows[rows["num"] > rows["den"]]
        worst = (rows["num"] / rows["den"].where(rows["den"] > 0)).max()
        grade = Grade("红", "超限额")
        records.append(
            _finding(
                region,
                year_period(as_of.year),
                float(worst) if pd.notna(worst) else None,
                "、".join(f"{r.kind}债务超限额 {_wan(r.num - r.den)}" for r in over.itertuples()),
                grade,
                {
                    "columns": ["债务类型", "债务余额", "限额"],
                    "rows": [[r.kind, _wan(r.num), _wan(r.den)] for r in rows.itertuples()],
                    "total": len(rows),
                },
            )
        )
    return _findings(records)


def _nontax_jump(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Each unit-month graded by its item with the largest multiple of the item's other months' average."""
    frame = m.nontax_months(conn, as_of)
    if frame.empty or as_of.month < 2:
        return _findings([])
    totals = frame.groupby(["region", "item"])["amount"].transform("sum")
    frame["others"] = (totals - frame["amount"]) / (as_of.month - 1)
    frame = frame[frame["others"] > 0].assign(multiple=lambda f: f["amount"] / f["others"])
    frame = frame[frame["multiple"] >= min(settings.get("NONTAX_JUMP_YELLOW"), settings.get("NONTAX_JUMP_RED"))]
    records = []
    for (region, month), rows in frame.sort_values("multiple", ascending=False).groupby(["region", "month"]):
        top = rows.iloc[0]
        grade = grades.nontax_jump(top["multiple"])
        if grade.level is None:
            continue
        records.append(
            _finding(
                region,
                month_period(as_of.year, month),
                float(top["multiple"]),
                f"{top['item']} 为其余月份均值的 {_times(top['multiple'])}",
                grade,
                {
                    "facts": [
                        ["收入科目", top["item"]],
                        ["当月收入", _wan(top["amount"])],
                        ["其余月份月均", _wan(top["others"])],
                    ]
                },
            )
        )
    return _findings(records)


def _revenue_decline(value: float, _as_of: AsOf) -> Grade:
    return grades.revenue_decline(round(value - 1, 9))  # 90 ÷ 100 − 1 is −0.0999…98 in floating point


def _show_growth(value: float, _as_of: AsOf) -> str:
    return f"同比 {(value - 1) * 100:+.1f}%"


# -- the rules ------------------------------------------------------------------------------------------------------


KEY_LIVELIHOOD = ("205", "208", "210")  # 教育, 社会保障和就业, 卫生健康

RULES: tuple[Rule, ...] = (
    # 预算执行
    _execution_rule("BUDGET_EXEC", "预算执行进度", "预算执行", "本年累计支付 ÷ 全年预算指标,对照序时进度(月份 ÷ 12)"),
    Rule(
        "BUDGET_EXEC_DEPT",
        "部门预算执行进度",
        "预算执行",
        "按主管部门:本年累计支付 ÷ 全年预算指标;以执行最慢的部门定级,证据列出落后序时进度的部门",
        lambda: LAG_THRESHOLD.format(**_settings()),
        _department_lag,
    ),
    _execution_rule(
        "BUDGET_EXEC_CAPITAL",
        "资本性支出执行进度",
        "预算执行",
        "经济分类 310 资本性支出:累计支付 ÷ 全年指标",
        filters={"econ": "310"},
    ),
    _execution_rule(
        "BUDGET_EXEC_LIVELIHOOD",
        "重点民生支出执行进度",
        "预算执行",
        "教育、社会保障和就业、卫生健康(功能科目 205/208/210):累计支付 ÷ 全年指标",
        filters={"func": KEY_LIVELIHOOD},
    ),
    # 三保
    _execution_rule(
        "SANBAO_WAGE", "保工资执行进度", "三保", "三保类型为保工资的指标:累计支付 ÷ 全年指标", "sanbao_wage"
    ),
    _execution_rule(
        "SANBAO_RUNNING", "保运转执行进度", "三保", "三保类型为保运转的指标:累计支付 ÷ 全年指标", "sanbao_running"
    ),
    _execution_rule(
        "SANBAO_LIVELIHOOD",
        "保基本民生执行进度",
        "三保",
        "三保类型为保基本民生的指标:累计支付 ÷ 全年指标",
        "sanbao_livelihood",
    ),
    Rule(
        "SANBAO_WAGE_MONTHS",
        "保工资按月发放",
        "三保",
        "本年截至当月,有保工资指标的地区每月是否都有工资支付",
        lambda: "任一月份未发放 红(工资欠发)",
        _wage_months,
    ),
    # 库款
    ratio_rule(
        "TREASURY_CASH",
        "库款保障水平",
        "库款",
        "逐月:月末库款余额 ÷ 近 3 个月(当月及前两月)平均库款流出",
        measure=m.cash_levels,
        grading=_plain(grades.cash_level),
        show=lambda v, _a: f"{v:.2f} 个月",
        threshold="< {CASH_RED} 红(库款预警),{CASH_RED}–{CASH_IDLE} 合理,> {CASH_IDLE} 蓝(资金闲置)",
        num_label="月末库款余额",
        den_label="近 3 个月平均流出",
        cadence="month",
    ),
    # 债务
    ratio_rule(
        "DEBT_RATIO",
        "债务率",
        "债务",
        "月末债务余额 ÷ 全年综合财力(一般公共预算收入 + 政府性基金收入 + 上级转移支付 − 补助下级支出;"
        "12 月取当年,其余月份取上一完整年度)",
        measure=m.debt_ratio,
        grading=_plain(grades.debt_ratio),
        show=lambda v, _a: _percent(v),
        threshold="≥ {DEBT_RATIO_YELLOW:.0%} 黄,≥ {DEBT_RATIO_ORANGE:.0%} 橙,≥ {DEBT_RATIO_RED:.0%} 红",
        num_label="债务余额",
        den_label="综合财力(全年)",
        period=lambda a: year_period(a.year),
        cadence="year",
    ),
    ratio_rule(
        "DEBT_INTEREST",
        "一般债务利息支出率",
        "债务",
        "一般债务付息支出(功能科目 232)÷ 一般公共预算支出,本年累计",
        measure=m.interest_general,
        grading=_plain(grades.interest_ratio),
        show=lambda v, _a: _percent(v),
        threshold="≥ {INTEREST_RATIO_RED:.0%} 红",
        num_label="一般债务付息支出",
        den_label="一般公共预算支出",
    ),
    ratio_rule(
        "DEBT_INTEREST_SPECIAL",
        "专项债务利息支出率",
        "债务",
        "专项债务付息支出(政府性基金预算 232)÷ 政府性基金预算支出,本年累计",
        measure=m.interest_special,
        grading=_plain(grades.interest_ratio),
        show=lambda v, _a: _percent(v),
        threshold="≥ {INTEREST_RATIO_RED:.0%} 红",
        num_label="专项债务付息支出",
        den_label="政府性基金预算支出",
    ),
    ratio_rule(
        "DEBT_MATURITY",
        "到期债务偿还压力",
        "债务",
        "未来 12 个月到期的债务本金 ÷ 月末库款余额",
        measure=m.maturity_cover,
        grading=_plain(grades.maturity_cover),
        show=lambda v, _a: _times(v),
        threshold="≥ {MATURITY_CASH_YELLOW:g} 倍 黄,≥ {MATURITY_CASH_ORANGE:g} 倍 橙,≥ {MATURITY_CASH_RED:g} 倍 红",
        num_label="未来 12 个月到期本金",
        den_label="月末库款余额",
    ),
    Rule(
        "DEBT_LIMIT",
        "债务余额超限额",
        "债务",
        "一般债务、专项债务余额分别对照当年债务限额",
        lambda: "任一类余额超过限额 红",
        _debt_limit,
        "year",
    ),
    # 直达资金
    ratio_rule(
        "DIRECT_PAY",
        "直达资金支付进度",
        "直达资金",
        "截至月末:直达资金累计支付 ÷ 已分配到最终用款单位的直达资金指标,对照序时进度",
        measure=lambda conn, as_of: m.execution(conn, as_of, "direct_pay"),
        grading=_lag,
        show=_show_lag,
        threshold=LAG_THRESHOLD,
        num_label="累计支付",
        den_label="已分配指标",
    ),
    ratio_rule(
        "DIRECT_ALLOCATE",
        "直达资金分配进度",
        "直达资金",
        "截至月末:已分配到最终用款单位的直达资金指标 ÷ 收到的直达资金扣除转拨下级的部分",
        measure=m.direct_allocation,
        grading=_plain(grades.direct_allocation),
        show=lambda v, _a: _percent(v),
        threshold="< {DIRECT_ALLOCATION_YELLOW:.0%} 黄(分配滞后),< {DIRECT_ALLOCATION_RED:.0%} 红(分配严重滞后)",
        num_label="已分配指标",
        den_label="收到的直达资金(扣除转拨下级)",
    ),
    # 收入质量
    ratio_rule(
        "REVENUE_TAX_SHARE",
        "税收占比",
        "收入质量",
        "税收收入(101 类)÷ 一般公共预算收入,本年累计",
        measure=m.tax_share,
        grading=_plain(grades.tax_share),
        show=lambda v, _a: _percent(v),
        threshold="< {TAX_SHARE_YELLOW:.0%} 黄(收入质量偏弱)",
        num_label="税收收入",
        den_label="一般公共预算收入",
    ),
    ratio_rule(
        "REVENUE_SELF_SUFFICIENCY",
        "财政自给率",
        "收入质量",
        "一般公共预算收入 ÷ 一般公共预算支出,本年累计",
        measure=m.self_sufficiency,
        grading=_plain(grades.self_sufficiency),
        show=lambda v, _a: _percent(v),
        threshold="< {SELF_SUFFICIENCY_YELLOW:.0%} 黄",
        num_label="一般公共预算收入",
        den_label="一般公共预算支出",
    ),
    Rule(
        "REVENUE_NONTAX_JUMP",
        "非税收入异常波动",
        "收入质量",
        "逐月:各非税收入科目当月收入 ÷ 本年其余月份月均",
        lambda: "≥ {NONTAX_JUMP_YELLOW:g} 倍 黄,≥ {NONTAX_JUMP_RED:g} 倍 红".format(**_settings()),
        _nontax_jump,
        "month",
    ),
    ratio_rule(
        "REVENUE_DECLINE",
        "一般公共预算收入同比下降",
        "收入质量",
        "本年累计一般公共预算收入 ÷ 上年同期",
        measure=m.revenue_growth,
        grading=_revenue_decline,
        show=_show_growth,
        threshold="下降 ≥ {REVENUE_DECLINE_YELLOW:.0%} 黄,下降 ≥ {REVENUE_DECLINE_ORANGE:.0%} 橙",
        num_label="本年累计",
        den_label="上年同期",
    ),
    # 政府采购
    record_rule(
        "PROCUREMENT_HIGH_RATIO",
        "合同金额接近预算",
        "政府采购",
        "本年采购合同金额 ≥ 预算金额 × 阈值",
        measure=m.procurement_high_ratio,
        severity=Grade("橙", "节支率异常"),
        columns=PROCUREMENT,
        noun="笔",
        threshold="合同金额 ≥ 预算 {CONTRACT_RATIO_FLAG:.0%} 即 橙",
    ),
    record_rule(
        "PROCUREMENT_SPLIT",
        "化整为零规避公开招标",
        "政府采购",
        f"同一单位向同一供应商、{settings.get('SPLIT_WINDOW_DAYS')} 天内的非公开招标货物/服务采购,"
        "每笔略低于公开招标限额而合计达到限额",
        measure=m.procurement_split,
        severity=Grade("红", "疑似拆分采购"),
        columns=["group", *PROCUREMENT],
        noun="组",
        threshold="每笔 ≥ 限额 {SPLIT_BAND:.0%} 且合计 ≥ 限额(省级 {TENDER_THRESHOLD_PROVINCE:,} 元,"
        "市县 {TENDER_THRESHOLD_LOCAL:,} 元)即 红",
    ),
    ratio_rule(
        "PROCUREMENT_SINGLE_SOURCE",
        "单一来源采购占比",
        "政府采购",
        "本年单一来源采购预算 ÷ 全部采购预算",
        measure=m.single_source,
        grading=_plain(grades.single_source_share),
        show=lambda v, _a: _percent(v),
        threshold="≥ {SINGLE_SOURCE_SHARE_YELLOW:.0%} 黄",
        num_label="单一来源采购预算",
        den_label="采购预算合计",
        period=lambda a: year_period(a.year),
        cadence="year",
    ),
    # 惠民补贴
    record_rule(
        "SUBSIDY_DUPLICATE_ID",
        "跨县重复享受补贴",
        "惠民补贴",
        "同一身份证号同一项目同一月份在两个及以上县区领取",
        measure=m.subsidy_duplicates,
        severity=Grade("红", "重复发放"),
        columns=PAYOUT,
        noun="笔",
        threshold="发现即 红",
    ),
    record_rule(
        "SUBSIDY_AFTER_DEATH",
        "死亡人员仍领取补贴",
        "惠民补贴",
        "发放日期晚于民政/公安登记的死亡日期",
        measure=m.subsidy_after_death,
        severity=Grade("红", "违规发放"),
        columns=PAYOUT,
        noun="笔",
        threshold="发现即 红",
    ),
    record_rule(
        "SUBSIDY_ABOVE_STANDARD",
        "超标准发放补贴",
        "惠民补贴",
        "单笔发放金额高于项目补贴标准",
        measure=m.subsidy_above_standard,
        severity=Grade("橙", "超标准"),
        columns=PAYOUT,
        noun="笔",
        threshold="发现即 橙",
    ),
    record_rule(
        "SUBSIDY_ACCOUNT_MISMATCH",
        "补贴发放至非本人账户",
        "惠民补贴",
        "收款账户户名与补贴对象姓名不一致",
        measure=m.subsidy_account_mismatch,
        severity=Grade("橙", "非本人账户"),
        columns=PAYOUT,
        noun="笔",
        threshold="发现即 橙",
    ),
    record_rule(
        "SUBSIDY_EMPLOYEE_DIBAO",
        "财政供养人员领取低保",
        "惠民补贴",
        "城乡居民最低生活保障对象与财政供养人员身份证号比对",
        measure=m.subsidy_employee_dibao,
        severity=Grade("红", "违规享受"),
        columns=PAYOUT,
        noun="笔",
        threshold="发现即 红",
    ),
    # 支付
    record_rule(
        "PAYMENT_WEEKEND",
        "非工作日支付",
        "支付",
        "支付日期为周六或周日",
        measure=m.weekend_payments,
        severity=Grade("黄", "非工作日支付"),
        columns=["voucher_no", "pay_date", "amount", "func_code", "econ_code"],
        noun="笔",
        threshold="发现即 黄",
    ),
    record_rule(
        "PAYMENT_OVER_INDICATOR",
        "超指标支付",
        "支付",
        "同一指标累计支付超过指标金额",
        measure=m.payments_over_indicator,
        severity=Grade("红", "超指标支付"),
        columns=["doc_no", "amount", "paid"],
        noun="个指标",
        threshold="发现即 红",
    ),
    Rule(
        "PAYMENT_YEAR_END",
        "年末突击支出",
        "支付",
        "最近一个完整年度:12 月支付 ÷ 全年支付",
        lambda: "≥ {YEAR_END_SHARE_YELLOW:.0%} 黄,≥ {YEAR_END_SHARE_ORANGE:.0%} 橙".format(**_settings()),
        _year_end,
        "year",
    ),
    Rule(
        "DATA_QUALITY",
        "数据质量评分",
        "数据质量",
        "本年数据质量总分(规范性、完整性、及时性、准确性各规则得分按权重加权,满分 100,见 /quality)",
        lambda: "< {QUALITY_YELLOW:g} 分 黄,< {QUALITY_ORANGE:g} 分 橙,< {QUALITY_RED:g} 分 红".format(**_settings()),
        _data_quality,
        "year",
    ),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}
