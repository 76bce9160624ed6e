"""Debt, maturity and treasury-cash queries against the test's own SQL on the demo store, at the province, a city and
a county; every planted 债务率 and 库款 anomaly comes out with its planted grade and no clean region is flagged."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from queries.debt import (
    cash_levels,
    debt_breakdown,
    debt_metrics,
    debt_ratios,
    debt_total,
    maturity_profile,
    whole_region,
)
from tests.integration.region_sql import children, rows, subtree_sql

PROVINCE = Scope("430000", "province")
LEVEL_COLUMN = {"province": "province_code", "city": "city_code", "county": "county_code"}
CASES = [("430000", "province"), ("431200", "city"), ("431202", "county")]
ZERO = Decimal(0)


@pytest.fixture(autouse=True)
def store(demo_url, use_store):
    use_store(demo_url)


def expected_set(duck, units_sql: str, year: int) -> dict[str, Decimal]:
    """Debt figures of a set of units (our own SQL): balances and limits of the units; 综合财力 = their revenue and
    fund revenue plus every transfer into them minus every transfer out of them (so a transfer between two of the
    units cancels); interest = their payments of function 232."""
    unit = "COALESCE(county_code, city_code, province_code)"
    one = lambda sql: rows(duck, sql, y=year, end=f"{year}-12-31")[0][0] or ZERO  # noqa: E731
    in_year = "EXTRACT(year FROM {}) = :y"
    return {
        "general_debt": one(
            f"SELECT SUM(principal) FROM bond WHERE {unit} IN ({units_sql}) AND kind = '一般' "
            "AND issue_date <= :end AND maturity_date > :end"
        ),
        "special_debt": one(
            f"SELECT SUM(principal) FROM bond WHERE {unit} IN ({units_sql}) AND kind = '专项' "
            "AND issue_date <= :end AND maturity_date > :end"
        ),
        "general_limit": one(
            f"SELECT SUM(general_limit) FROM debt_limit WHERE region_code IN ({units_sql}) AND year = :y"
        ),
        "special_limit": one(
            f"SELECT SUM(special_limit) FROM debt_limit WHERE region_code IN ({units_sql}) AND year = :y"
        ),
        "capacity": one(
            f"SELECT SUM(amount) FROM revenue WHERE {unit} IN ({units_sql}) AND {in_year.format('collect_date')}"
        )
        + one(
            f"SELECT SUM(amount) FROM fund_revenue WHERE {unit} IN ({units_sql}) AND {in_year.format('collect_date')}"
        )
        + one(
            f"SELECT SUM(amount) FROM transfer WHERE to_region IN ({units_sql}) AND {in_year.format('transfer_date')}"
        )
        - one(
            f"SELECT SUM(amount) FROM transfer WHERE from_region IN ({units_sql}) AND {in_year.format('transfer_date')}"
        ),
        "interest": one(
            f"SELECT SUM(amount) FROM payment WHERE {unit} IN ({units_sql}) AND func_code = '232' "
            f"AND {in_year.format('pay_date')}"
        ),
    }


def shown(row) -> dict[str, Decimal]:
    return {
        c: row[c] for c in ("general_debt", "special_debt", "general_limit", "special_limit", "capacity", "interest")
    }


@pytest.mark.parametrize("code, level", CASES)
def test_debt_rows_and_total_equal_the_store(duck, code, level):
    state = DrillState(code, 2024, 1, 12)
    got = debt_breakdown(PROVINCE, state)
    measured = debt_metrics(PROVINCE, state)
    ratios = debt_ratios(got, measured)
    own = ratios[ratios["is_own_level"]].iloc[0]
    assert shown(own) == expected_set(duck, f"'{code}'", 2024)
    for child in children(duck, code):
        row = ratios[ratios["code"] == child].iloc[0]
        assert shown(row) == expected_set(duck, subtree_sql(child), 2024), child
    assert shown(whole_region(got, measured, state)) == expected_set(duck, subtree_sql(code), 2024)
    assert len(got) == 1 + len(children(duck, code))


def test_year_end_balance_of_the_last_year_is_the_stored_outstanding(duck):
    total = debt_total(debt_breakdown(PROVINCE, DrillState("430000", 2024, 1, 12)))
    assert total["general_debt"] + total["special_debt"] == rows(duck, "SELECT SUM(outstanding) FROM bond")[0][0]


def test_ratios_are_sums_first_then_the_ratio(duck):
    """债务率 on the whole province's 综合财力 (transfers from outside it only); 利息支出率 as 国办函〔2016〕88号:
    一般债务付息 ÷ 一般公共预算支出."""
    state = DrillState("430000", 2024, 1, 12)
    total = whole_region(debt_breakdown(PROVINCE, state), debt_metrics(PROVINCE, state), state)
    expected = expected_set(duck, subtree_sql("430000"), 2024)
    debt = expected["general_debt"] + expected["special_debt"]
    capacity = expected["capacity"]
    assert total["capacity"] == capacity and total["capacity_note"] == "综合财力按2024年全年"
    assert total["debt_ratio"] == pytest.approx(float(debt / capacity))
    spending = rows(duck, "SELECT SUM(amount) FROM payment WHERE EXTRACT(year FROM pay_date) = 2024")[0][0]
    assert total["interest_ratio"] == pytest.approx(float(expected["interest"] / spending))


def test_every_planted_debt_ratio_has_its_grade_and_no_clean_region_is_graded(duck, demo_anomalies):
    planted = {a["region"]: a["grade"] for a in demo_anomalies if a["kind"] == "debt_ratio"}
    assert sorted(planted.values()) == sorted(["红", "红", "橙", "橙", "黄", "黄"])
    graded = {}
    for region in ["430000", *children(duck, "430000")]:
        state = DrillState(region, 2024, 1, 12)
        ratios = debt_ratios(debt_breakdown(PROVINCE, state), debt_metrics(PROVINCE, state))
        for row in ratios.itertuples():
            if pd.notna(row.debt_grade_level):
                graded[region if row.is_own_level else row.code] = row.debt_grade_level
    assert graded == planted
    for county, grade in planted.items():  # the county's own page shows the same grade
        state = DrillState(county, 2024, 1, 12)
        own = debt_ratios(debt_breakdown(PROVINCE, state), debt_metrics(PROVINCE, state))
        assert list(own["debt_grade_level"]) == [grade]


def test_maturity_profile_equals_the_store(duck):
    got = maturity_profile(PROVINCE, DrillState("431200", 2024, 1, 12))
    expected = {
        (int(y), k): a
        for y, k, a in rows(
            duck,
            """
        SELECT EXTRACT(year FROM maturity_date), kind, SUM(principal) FROM bond WHERE city_code = '431200'
        AND issue_date <= DATE '2024-12-31' AND maturity_date > DATE '2024-12-31'
        AND EXTRACT(year FROM maturity_date) BETWEEN 2025 AND 2029 GROUP BY 1, 2""",
        )
    }
    assert {(r.due_year, r.kind): r.amount for r in got.itertuples() if r.amount} == expected
    assert sorted(set(got["due_year"])) == [2025, 2026, 2027, 2028, 2029]
    special = maturity_profile(PROVINCE, DrillState("431200", 2024, 1, 12), bond_kind="专项")
    assert set(special["kind"]) == {"专项"}
    assert special["amount"].sum() == sum(a for (_y, k), a in expected.items() if k == "专项")


@pytest.mark.parametrize("code, level", CASES)
def test_cash_levels_equal_the_store(duck, code, level):
    got = cash_levels(PROVINCE, DrillState(code, 2024, 3, 10))
    expected = {
        (u, int(m)): float(c) / float(a)
        for u, m, c, a in rows(
            duck,
            f"""
        WITH w AS (SELECT region_code, year, month, closing, AVG(outflow) OVER (PARTITION BY region_code
                   ORDER BY year, month ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS a
                   FROM treasury_cash WHERE {LEVEL_COLUMN[level]} = :c)
        SELECT region_code, month, closing, a FROM w WHERE year = 2024 AND month BETWEEN 3 AND 10""",
            c=code,
        )
    }
    assert {(r.unit, r.month): r.cash_level for r in got.itertuples()} == pytest.approx(expected)
    assert len(expected) == 8 * len(rows(duck, subtree_sql(code)))


def test_january_levels_average_the_months_before_it():
    january = cash_levels(PROVINCE, DrillState("431202", 2024, 1, 1))
    year = cash_levels(PROVINCE, DrillState("431202", 2023, 11, 12))
    assert len(january) == 1 and len(year) == 2
    assert january["average_outflow"].iloc[0] != 0


def test_every_planted_cash_shortfall_is_red_and_clean_months_are_normal(demo_anomalies):
    planted = {
        (a["region"], month) for a in demo_anomalies if a["kind"] == "treasury_cash_low" for month in a["months"]
    }
    assert len(planted) == 6
    levels = cash_levels(PROVINCE, DrillState("430000", 2024, 1, 12))
    graded = {
        (r.unit, f"{r.year}-{r.month:02d}"): (r.grade_level, r.grade)
        for r in levels.itertuples()
        if pd.notna(r.grade_level)
    }
    assert graded == dict.fromkeys(planted, ("红", "库款预警"))
    unsent = [a for a in demo_anomalies if a["kind"] == "report_missing" and "treasury_cash" in a["tables"]]
    assert len(levels) == 137 * 12 - len(unsent)  # a month not reported has no level (not a level of 0)


@pytest.mark.parametrize(
    "scope, region",
    [(Scope("430200", "city"), "430100"), (Scope.nothing(), "430000"), (Scope("431202", "county"), "431200")],
)
def test_nothing_outside_the_scope(scope, region):
    state = DrillState(region, 2024, 1, 12)
    assert debt_breakdown(scope, state).empty
    assert maturity_profile(scope, state).empty
    assert cash_levels(scope, state).empty
