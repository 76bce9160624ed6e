"""Numbers as shown: units, rounding half up, year-on-year with arrows."""

from decimal import Decimal

import pytest

from dashboard.core import format as fmt


@pytest.mark.parametrize(
    "value, unit, text",
    [
        (Decimal("344890000000.00"), "亿元", "3,448.90"),
        (Decimal("123456.78"), "万元", "12.35"),
        (Decimal("5000000.00"), "亿元", "0.05"),
        (Decimal("4999999.99"), "亿元", "0.05"),
        (Decimal("4999999.00"), "亿元", "0.05"),
        (Decimal("4900000.00"), "亿元", "0.05"),
        (Decimal("4400000.00"), "亿元", "0.04"),
        (Decimal("-150000.00"), "万元", "-15.00"),
        (None, "亿元", "—"),
    ],
)
def test_money(value, unit, text):
    assert fmt.money(value, unit) == text


@pytest.mark.parametrize(
    "current, previous, text, direction",
    [
        (Decimal("103.2"), Decimal("100"), "同比 +3.2% ▲", 1),
        (Decimal("96.85"), Decimal("100"), "同比 -3.2% ▼", -1),
        (Decimal("100"), Decimal("100"), "同比 0.0%", 0),
        (Decimal("5"), Decimal("0"), "同比 —", 0),
        (None, Decimal("1"), "同比 —", 0),
    ],
)
def test_yoy(current, previous, text, direction):
    assert fmt.yoy(current, previous) == (text, direction)


@pytest.mark.parametrize("level, unit", [("province", "亿元"), ("city", "亿元"), ("county", "万元")])
def test_unit_follows_the_drill_level(level, unit):
    assert fmt.unit_for_level(level) == unit


def test_percent_has_one_decimal():
    assert fmt.percent(0.96855) == "96.9%"
    assert fmt.percent(None) == "—"
