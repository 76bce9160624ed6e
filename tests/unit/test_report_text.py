"""The report's sentences follow their numbers: 增长 / 下降 / 持平, a zero or missing base said as such, 高于 / 低于
序时进度, and the region's word (全省 / 全市 / 全区 / 全县)."""

from __future__ import annotations

from decimal import Decimal

from dashboard.report import text


def test_growth_says_up_down_flat_zero_and_missing():
    assert text.growth(Decimal("110e8"), Decimal("100e8"), "亿元") == "同比增长10.0%(增加10.00亿元)"
    assert text.growth(Decimal("90e8"), Decimal("100e8"), "亿元") == "同比下降10.0%(减少10.00亿元)"
    assert text.growth(Decimal("100.0001e8"), Decimal("100e8"), "亿元") == "与上年同期基本持平"
    assert text.growth(Decimal("5e8"), Decimal(0), "亿元") == "上年同期为零,不作同比"
    assert text.growth(Decimal("5e8"), None, "亿元") == "上年同期无数据,不作同比"
    assert text.growth(None, Decimal("5e8"), "亿元") == "本期无数据"
    assert text.growth(Decimal("-2e4"), Decimal("-1e4"), "万元", with_amount=False) == "同比下降100.0%"


def test_against_progress():
    assert text.against_progress(0.453, 0.5) == "低于序时进度(50.0%)4.7个百分点"
    assert text.against_progress(0.62, 0.5) == "高于序时进度(50.0%)12.0个百分点"
    assert text.against_progress(0.5, 0.5) == "与序时进度(50.0%)持平"
    assert text.against_progress(None, 0.5) == "预算指标为零,无法计算执行率"


def test_region_words_and_months():
    meta = {"level": "province", "region_name": "湖南省", "month": 6}
    assert text.whole_word(meta) == "全省" and text.months(meta) == "1-6月"
    assert text.whole_word({**meta, "level": "city"}) == "全市"
    assert text.whole_word({**meta, "level": "county", "region_name": "芙蓉区"}) == "全区"
    assert text.whole_word({**meta, "level": "county", "region_name": "浏阳市"}) == "全市"
    assert text.whole_word({**meta, "level": "county", "region_name": "长沙县"}) == "全县"
    assert text.months({**meta, "month": 1}) == "1月"
    assert text.months({**meta, "first_month": 3, "month": 9}) == "3-9月"


def _figures(revenue, revenue_prev, spending, budget):
    return {
        "meta": {"level": "province", "region_name": "湖南省", "month": 6, "unit": "亿元"},
        "overall": {
            "revenue": revenue,
            "revenue_prev": revenue_prev,
            "spending": spending,
            "spending_prev": spending,
            "budget": budget,
            "execution": None if not budget else float(spending / budget),
            "execution_benchmark": 0.5,
            "execution_label": "进度滞后",
            "month_spending": None,
        },
    }


def test_the_overall_sentences_are_written_from_the_numbers():
    down = text.overall(_figures(Decimal("90e8"), Decimal("100e8"), Decimal("40e8"), Decimal("100e8")))
    assert down[0].startswith("1-6月全省一般公共预算收入90.00亿元,同比下降10.0%(减少10.00亿元)。")
    assert "预算执行率40.0%,低于序时进度(50.0%)10.0个百分点" in down[1]
    none = text.overall(_figures(Decimal("90e8"), None, Decimal("40e8"), Decimal(0)))
    assert "上年同期无数据" in none[0] and none[1] == "本年未下达预算指标,预算执行率无法计算。"
