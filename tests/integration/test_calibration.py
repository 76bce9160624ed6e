"""The demo store is calibrated to 湖南 2024 (../DOMAIN.md via dashboard.demo.catalog), checked with our own SQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.integration.region_sql import rows

YI = Decimal(100_000_000)  # 元 per 亿元


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def within(value: Decimal, target_yi: float, tolerance: float) -> bool:
    target = Decimal(str(target_yi)) * YI
    return abs(value - target) <= target * Decimal(str(tolerance))


def test_2024_general_budget_revenue_is_3448_9_yi_within_3pct(duck):
    total = scalar(duck, "SELECT SUM(amount) FROM revenue WHERE EXTRACT(year FROM collect_date) = 2024")
    assert within(total, 3448.9, 0.03), total / YI


def test_2024_general_budget_spending_is_9533_8_yi_within_3pct(duck):
    total = scalar(duck, "SELECT SUM(amount) FROM payment WHERE EXTRACT(year FROM pay_date) = 2024")
    assert within(total, 9533.8, 0.03), total / YI


def test_2024_tax_share_of_revenue_is_between_60_and_70pct(duck):
    tax, total = rows(
        duck,
        """
        SELECT SUM(CASE WHEN item_code LIKE '101%' THEN amount ELSE 0 END), SUM(amount)
        FROM revenue WHERE EXTRACT(year FROM collect_date) = 2024""",
    )[0]
    assert Decimal("0.60") <= tax / total <= Decimal("0.70"), tax / total
    # and everything else is non-tax (103xx), no third kind of item slipped in
    other = scalar(duck, "SELECT COUNT(*) FROM revenue WHERE item_code NOT LIKE '101%' AND item_code NOT LIKE '103%'")
    assert other == 0


def test_2024_province_own_level_spending_is_1100_yi_within_10pct(duck):
    total = scalar(
        duck,
        """
        SELECT SUM(amount) FROM payment
        WHERE EXTRACT(year FROM pay_date) = 2024 AND city_code IS NULL AND county_code IS NULL""",
    )
    assert within(total, 1100, 0.10), total / YI


def test_changsha_is_the_largest_city_by_2024_spending(duck):
    ranked = rows(
        duck,
        """
        SELECT city_code, SUM(amount) AS s FROM payment
        WHERE EXTRACT(year FROM pay_date) = 2024 AND city_code IS NOT NULL
        GROUP BY city_code ORDER BY s DESC""",
    )
    assert len(ranked) == 14, ranked
    assert ranked[0][0] == "430100", ranked[:3]
    assert ranked[0][1] > ranked[1][1]


@pytest.mark.parametrize("table,date_col", [("revenue", "collect_date"), ("payment", "pay_date")])
def test_2023_is_present_for_year_on_year(duck, table, date_col):
    by_year = dict(rows(duck, f"SELECT EXTRACT(year FROM {date_col}), SUM(amount) FROM {table} GROUP BY 1"))
    assert {int(y) for y in by_year} == {2023, 2024}
    # 2023 a plausible base: positive and within ±15% of 2024
    ratio = by_year[2023] / by_year[2024]
    assert Decimal("0.85") < ratio < Decimal("1.15"), ratio


def test_december_has_the_most_2024_spending(duck):
    by_month = rows(
        duck,
        """
        SELECT EXTRACT(month FROM pay_date) AS m, SUM(amount) AS s FROM payment
        WHERE EXTRACT(year FROM pay_date) = 2024 GROUP BY m ORDER BY s DESC""",
    )
    assert len(by_month) == 12
    assert int(by_month[0][0]) == 12, by_month[:3]
    assert by_month[0][1] > by_month[1][1]


@pytest.mark.parametrize(
    "func_code,name,lo,hi",
    [
        ("208", "社会保障和就业", 0.14, 0.20),
        ("205", "教育", 0.12, 0.18),
        ("213", "农林水", 0.08, 0.14),
        ("210", "卫生健康", 0.06, 0.10),
    ],
)
def test_2024_function_share_of_spending(duck, func_code, name, lo, hi):
    part, total = rows(
        duck,
        """
        SELECT SUM(CASE WHEN func_code = :f THEN amount ELSE 0 END), SUM(amount)
        FROM payment WHERE EXTRACT(year FROM pay_date) = 2024""",
        f=func_code,
    )[0]
    share = part / total
    assert Decimal(str(lo)) <= share <= Decimal(str(hi)), (name, share)
