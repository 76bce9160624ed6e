"""Risk grades (蓝 / 黄 / 橙 / 红) of the indicators DOMAIN.md defines, with thresholds from the settings table.

One definition serves the topic pages, the big screen and the warning rules, so a region is never yellow on one
page and red on another. A grade of None means normal (正常); every grade carries its Chinese label, because colour
alone must never carry the meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.core import settings

GRADE_ORDER = ("蓝", "黄", "橙", "红")  # least to most severe
GRADE_COLOURS = {"蓝": "#2c7fb8", "黄": "#f0b400", "橙": "#e8590c", "红": "#c92a2a", None: "#8c99a6"}


@dataclass(frozen=True)
class Grade:
    level: str | None  # 蓝 / 黄 / 橙 / 红, None when normal
    label: str  # what the grade means, e.g. 严重滞后, 库款预警, 正常

    @property
    def rank(self) -> int:
        """0 normal, 1 蓝 … 4 红: for sorting regions by how much attention they need."""
        return 0 if self.level is None else GRADE_ORDER.index(self.level) + 1

    @property
    def colour(self) -> str:
        return GRADE_COLOURS[self.level]


NORMAL = Grade(None, "正常")


def execution_lag(execution_rate: float | None, time_progress: float) -> Grade:
    """预算执行进度 against 序时进度 (both shares of 1): behind by up to EXECUTION_LAG_RED points is 黄,
    beyond is 红."""
    if execution_rate is None:
        return NORMAL
    lag_points = round((time_progress - execution_rate) * 100, 6)  # 8.000000000000002 is 8 points
    if lag_points > settings.get("EXECUTION_LAG_RED"):
        return Grade("红", "严重滞后")
    if lag_points > 0:
        return Grade("黄", "进度滞后")
    return NORMAL


def cash_level(months_of_outflow: float | None) -> Grade:
    """库款保障水平 (month-end cash ÷ average monthly outflow): below the range 红, above it 蓝 (资金闲置)."""
    if months_of_outflow is None:
        return NORMAL
    if months_of_outflow < settings.get("CASH_RED"):
        return Grade("红", "库款预警")
    if months_of_outflow > settings.get("CASH_IDLE"):
        return Grade("蓝", "资金闲置")
    return NORMAL


def debt_ratio(ratio: float | None) -> Grade:
    """债务率 (debt balance ÷ 综合财力, a share of 1)."""
    if ratio is None:
        return NORMAL
    if ratio >= settings.get("DEBT_RATIO_RED"):
        return Grade("红", "高风险")
    if ratio >= settings.get("DEBT_RATIO_ORANGE"):
        return Grade("橙", "较高风险")
    if ratio >= settings.get("DEBT_RATIO_YELLOW"):
        return Grade("黄", "关注")
    return NORMAL


def _from(value: float | None, bands: tuple[tuple[str, str, str], ...]) -> Grade:
    """The first (setting, level, label) band whose threshold `value` reaches (bands most severe first)."""
    if value is None:
        return NORMAL
    for name, level, label in bands:
        if value >= settings.get(name):
            return Grade(level, label)
    return NORMAL


def _below(value: float | None, bands: tuple[tuple[str, str, str], ...]) -> Grade:
    """The first (setting, level, label) band whose threshold `value` falls below (bands most severe first)."""
    if value is None:
        return NORMAL
    for name, level, label in bands:
        if value < settings.get(name):
            return Grade(level, label)
    return NORMAL


def interest_ratio(ratio: float | None) -> Grade:
    """利息支出率: 一般债务付息 ÷ 一般公共预算支出, or 专项债务付息 ÷ 政府性基金预算支出 (国办函〔2016〕88号)."""
    return _from(ratio, (("INTEREST_RATIO_RED", "红", "付息压力大"),))


def self_sufficiency(ratio: float | None) -> Grade:
    """财政自给率 (一般公共预算收入 ÷ 一般公共预算支出)."""
    return _below(ratio, (("SELF_SUFFICIENCY_YELLOW", "黄", "自给率低"),))


def tax_share(share: float | None) -> Grade:
    """税收占比 (税收 ÷ 一般公共预算收入): a low share means weak revenue quality."""
    return _below(share, (("TAX_SHARE_YELLOW", "黄", "收入质量偏弱"),))


def nontax_jump(multiple: float | None) -> Grade:
    """A month's 非税收入 item as a multiple of its average over the year's other months."""
    return _from(multiple, (("NONTAX_JUMP_RED", "红", "异常激增"), ("NONTAX_JUMP_YELLOW", "黄", "波动较大")))


def revenue_decline(change: float | None) -> Grade:
    """一般公共预算收入 against the same months of last year (a share: -0.15 is down 15%)."""
    return _from(
        None if change is None else -change,
        (("REVENUE_DECLINE_ORANGE", "橙", "大幅下降"), ("REVENUE_DECLINE_YELLOW", "黄", "下降")),
    )


def direct_allocation(progress: float | None) -> Grade:
    """直达资金 分配进度 (allocated to final payers ÷ received)."""
    return _below(
        progress, (("DIRECT_ALLOCATION_RED", "红", "分配严重滞后"), ("DIRECT_ALLOCATION_YELLOW", "黄", "分配滞后"))
    )


def maturity_cover(multiple: float | None) -> Grade:
    """Debt maturing in the next 12 months as a multiple of month-end 库款."""
    return _from(
        multiple,
        (
            ("MATURITY_CASH_RED", "红", "偿债压力大"),
            ("MATURITY_CASH_ORANGE", "橙", "偿债压力较大"),
            ("MATURITY_CASH_YELLOW", "黄", "关注"),
        ),
    )


def single_source_share(share: float | None) -> Grade:
    """单一来源 share of a unit's procurement budget."""
    return _from(share, (("SINGLE_SOURCE_SHARE_YELLOW", "黄", "单一来源偏高"),))


def year_end_share(share: float | None) -> Grade:
    """December's share of the year's payments (年末突击支出)."""
    return _from(
        share, (("YEAR_END_SHARE_ORANGE", "橙", "年末突击支出"), ("YEAR_END_SHARE_YELLOW", "黄", "年末支出集中"))
    )


def data_quality(score: float | None) -> Grade:
    """数据质量 总分 (0–100, dashboard.core.quality): below QUALITY_YELLOW 黄, QUALITY_ORANGE 橙, QUALITY_RED 红."""
    return _below(
        score,
        (
            ("QUALITY_RED", "红", "数据质量差"),
            ("QUALITY_ORANGE", "橙", "数据质量较差"),
            ("QUALITY_YELLOW", "黄", "数据质量待改进"),
        ),
    )
