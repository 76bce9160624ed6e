"""The data-quality rules as people read them: code, dimension, Chinese name, the definition shown on screen and
the default weight (the settings table holds one `QUALITY_WEIGHT_<code>` per rule). The SQL that checks each rule
is in `dashboard/store/quality.py`; plain Python here, so the settings table, the UI and the store share one list.

How a score is made (also shown on /quality): a rule's 合格率 is 1 − failed ÷ checked over the records it checks
in a region and quarter; its score is 100 × (1 − min(1, failure rate ÷ QUALITY_ZERO_RATE)), so a rule scores 0
once QUALITY_ZERO_RATE of its records fail. A dimension's score is the weighted mean of its rules' scores, the
overall score (总分) the weighted mean of every rule's; a rule that checked nothing in a region counts for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

DIMENSIONS = ("规范性", "完整性", "及时性", "准确性")
OVERALL = "总分"


@dataclass(frozen=True)
class QualityRule:
    code: str
    dimension: str
    name: str
    definition: str
    weight: float = 1.0


RULES: tuple[QualityRule, ...] = (
    # 规范性: values in the form the standard prescribes
    QualityRule(
        "G01", "规范性", "身份证号校验位错误", "补贴发放的收款人身份证号第18位与按 GB 11643 计算的校验码不符。"
    ),
    QualityRule("G02", "规范性", "身份证号出生日期无效", "补贴发放的收款人身份证号第7–14位不是有效的出生日期。"),
    QualityRule("G03", "规范性", "收款账号格式异常", "国库支付的收款账号不是 8–30 位数字(账号为空的记入完整性)。"),
    QualityRule("G04", "规范性", "补贴银行卡号长度异常", "补贴发放的银行卡号不是 16–19 位数字。"),
    QualityRule(
        "G05", "规范性", "统一社会信用代码不合规", "政府采购合同供应商的统一社会信用代码不是 18 位规定字符(GB 32100)。"
    ),
    QualityRule("G06", "规范性", "支付金额为零或负数", "国库支付凭证的金额小于或等于 0。"),
    QualityRule("G07", "规范性", "指标文号格式不规范", "预算指标文号不是“×财×〔年份〕编号号”的格式。"),
    # 完整性: nothing required left empty, nothing missing
    QualityRule("C01", "完整性", "支付缺收款人名称", "国库支付凭证的收款人名称为空。"),
    QualityRule("C02", "完整性", "支付缺收款账号", "国库支付凭证的收款账号为空。"),
    QualityRule("C03", "完整性", "预算指标缺文号", "预算指标的下达文号为空。"),
    QualityRule("C04", "完整性", "项目支出指标未关联项目", "支出类型为项目支出的预算指标没有对应的项目库项目。"),
    QualityRule(
        "C05",
        "完整性",
        "月度数据缺报",
        "某地区某年已有国库支付、一般公共预算收入或库款数据,但截至数据截至月份有月份没有该表数据(每地区每表每月一次检查)。",
    ),
    QualityRule("C06", "完整性", "采购合同缺供应商名称", "政府采购合同的供应商名称为空。"),
    # 及时性: on time
    QualityRule(
        "T01",
        "及时性",
        "月报迟报",
        "地区月度数据(支付、收入、库款)的报送日期晚于次月报送截止日(设置 QUALITY_REPORT_DEADLINE_DAY)。",
    ),
    QualityRule("T02", "及时性", "指标下达日期晚于数据截至日", "预算指标的下达日期在数据截至日之后(未来日期)。"),
    QualityRule(
        "T03",
        "及时性",
        "指标下达后支付间隔过长",
        "预算指标从下达到首笔支付超过设置 QUALITY_PAY_GAP_DAYS 天。",
    ),
    QualityRule("T04", "及时性", "合同签订早于采购公告", "政府采购合同的签订日期早于采购公告日期。"),
    QualityRule(
        "T05",
        "及时性",
        "采购公告至签订超期",
        "政府采购从公告到合同签订超过设置 QUALITY_CONTRACT_GAP_DAYS 天。",
    ),
    # 准确性: the numbers agree
    QualityRule("A01", "准确性", "支付超指标", "一个预算指标的支付合计大于指标金额。"),
    QualityRule("A02", "准确性", "库款收支不平", "月末库款余额 ≠ 月初余额 + 本月收入 − 本月支出。"),
    QualityRule("A03", "准确性", "期初库款与上月期末不符", "本月月初库款余额 ≠ 上月月末库款余额。"),
    QualityRule("A04", "准确性", "补贴发放超标准", "一笔补贴发放金额大于补贴项目规定的标准。"),
    QualityRule("A05", "准确性", "补贴账户户名与收款人不符", "补贴发放的银行账户户名与收款人姓名不一致。"),
    QualityRule(
        "A06",
        "准确性",
        "支付科目与指标科目不符",
        "国库支付的功能分类款级科目与所用预算指标的款级科目不一致。",
    ),
)

BY_CODE = {r.code: r for r in RULES}


def weight_setting(code: str) -> str:
    """The name of the setting that holds a rule's weight."""
    return f"QUALITY_WEIGHT_{code}"


def rule_score(checked: float, failed: float, zero_rate: float) -> float | None:
    """A rule's score 0–100 from its counts (None when it checked nothing)."""
    if not checked:
        return None
    return 100.0 * (1.0 - min(1.0, (failed / checked) / zero_rate))
